"""Spoken letters: espeak-ng to WAV in the person's language where a voice exists, then lame to MP3."""

from __future__ import annotations

import re
import shutil
import subprocess  # noqa: S404 - fixed programs, argument lists, no shell
import tempfile
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RATE_WPM = 150  # espeak-ng's default; slow enough to follow a letter
# British English; other languages use espeak-ng's own voice of that code when it has one.
VOICES = {"en": "en-gb"}
TIMEOUT = 120
_REFERENCE = re.compile(r"\b([A-Z]{2})-(\d{4})-(\d+)\b")


class AudioUnavailable(RuntimeError):
    """espeak-ng or lame is not installed (Debian packages espeak-ng, lame)."""


@dataclass(frozen=True)
class Audio:
    mp3: bytes
    seconds: float
    language: str
    voice: str


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise AudioUnavailable(f"{name} is not installed")
    return path


@cache
def has_voice(lang: str) -> bool:
    """True when espeak-ng has its own (non-MBROLA) voice for the language code."""
    try:
        espeak = _program("espeak-ng")
    except AudioUnavailable:
        return False  # synthesise() will say so; planning which files to make must not fail
    out = subprocess.run(  # noqa: S603
        [espeak, f"--voices={lang}"], capture_output=True, text=True, timeout=10, check=True
    ).stdout
    for line in out.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 5 and fields[1] == lang and not fields[4].startswith("mb/"):
            return True
    return False


def voice_for(lang: str) -> tuple[str, str]:
    """(espeak-ng voice, language spoken): the person's language if there is a voice, else English."""
    if lang in VOICES:
        return VOICES[lang], lang
    if has_voice(lang):
        return lang, lang
    return VOICES["en"], "en"


def speakable(text: str) -> str:
    """Read references letter by letter and digit by digit (CC-2026-000123 as "C C, 2026, 0 0 0 1 2 3")."""

    def spell(match: re.Match[str]) -> str:
        return f"{' '.join(match.group(1))}, {match.group(2)}, {' '.join(match.group(3))}"

    return _REFERENCE.sub(spell, text.replace("https://", "").replace("http://", ""))


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def synthesise(text: str, lang: str = "en") -> Audio:
    """Speak the text (paragraphs separated by blank lines) to an MP3."""
    voice, spoken = voice_for(lang)
    espeak, lame = _program("espeak-ng"), _program("lame")
    with tempfile.TemporaryDirectory(prefix="portal-audio-") as tmp:
        source, wav, mp3 = Path(tmp, "letter.txt"), Path(tmp, "letter.wav"), Path(tmp, "letter.mp3")
        source.write_text(speakable(text), encoding="utf-8")
        subprocess.run(  # noqa: S603
            [espeak, "-v", voice, "-s", str(RATE_WPM), "-b", "1", "-f", str(source), "-w", str(wav)],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
        seconds = wav_seconds(wav)
        # Speech: mono, 16 kHz, 32 kbit/s is clear (about 240 KB a minute); fast mode halves the time.
        subprocess.run(  # noqa: S603
            [lame, "--quiet", "-f", "-m", "m", "--resample", "16", "-b", "32", str(wav), str(mp3)],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
        return Audio(mp3.read_bytes(), seconds, spoken, voice)


def mp3_seconds(mp3: bytes) -> float:
    """Decode an MP3 back to WAV with lame and measure it (for checks)."""
    lame = _program("lame")
    with tempfile.TemporaryDirectory(prefix="portal-audio-") as tmp:
        source, wav = Path(tmp, "in.mp3"), Path(tmp, "out.wav")
        source.write_bytes(mp3)
        subprocess.run(  # noqa: S603
            [lame, "--quiet", "--decode", str(source), str(wav)],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
        return wav_seconds(wav)
