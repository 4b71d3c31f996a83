"""Configuration read from PORTAL_* environment variables, with the council's details."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the portal is configured in a way it must refuse to start with."""


@dataclass(frozen=True)
class Council:
    """Who runs the service and how people reach them; differs per council."""

    # Words shown to families are translated (lazy strings): a council that sets its own
    # service name or phone hours adds their translations to the catalogues.
    name: str = "Northshire County Council"
    service_name: str = _l("Children's services complaints")
    phone: str = "01632 960 000"
    phone_hours: str = _l("Monday to Friday, 9am to 5pm")
    textphone: str = ""
    email: str = "childrens.complaints@northshire.example.gov.uk"
    address_lines: tuple[str, ...] = (
        "Children's Complaints Team",
        "Northshire County Council",
        "County Hall",
        "Northtown",
        "NT1 1AA",
    )
    website: str = "https://www.northshire.example.gov.uk"
    dpo_email: str = "dataprotection@northshire.example.gov.uk"
    retention_years: int = 6
    statement_prepared_on: date = date(2026, 11, 1)
    statement_reviewed_on: date = date(2026, 11, 23)


@dataclass(frozen=True)
class Advocate:
    name: str
    phone: str
    email: str
    website: str
    description: str


ADVOCACY = (
    Advocate(
        "NYAS (National Youth Advocacy Service)",
        "0808 808 1001",
        "help@nyas.net",
        "https://www.nyas.net",
        _l(
            "Free, independent advocacy for children and young people in care, care leavers "
            "and young people who get help from children's services."
        ),
    ),
    Advocate(
        "VoiceAbility",
        "0300 303 1660",
        "helpline@voiceability.org",
        "https://www.voiceability.org",
        _l(
            "Free, independent advocacy, including for disabled children and young people and their families."
        ),
    ),
)


@dataclass(frozen=True)
class Ombudsman:
    name: str = "Local Government and Social Care Ombudsman"
    phone: str = "0300 061 0614"
    website: str = "https://www.lgo.org.uk"
    time_limit_months: int = 12


# Rate limits (portal.limits; NFR 1.7), in Flask-Limiter's notation ("10 per hour;50 per day").
# Generous per address (many people share a school's or library's IP), tight per target.
# PORTAL_RATE_LIMITS (JSON) changes any of them, e.g. {"track_per_reference": "3 per hour"}.
DEFAULT_RATE_LIMITS = {
    "submit_per_ip": "10 per hour;50 per day",
    "track_per_ip": "20 per hour",
    "track_per_reference": "5 per hour",
    "track_link_per_reference_email": "3 per hour",
    "sign_in_per_ip": "100 per hour",
    "sign_in_per_account": "10 per 15 minutes",
    "mfa_per_ip": "100 per hour",
    "mfa_per_sign_in": "10 per 10 minutes",
}


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PORTAL_{name}", default)


def _council_from_env() -> Council:
    raw = _env("COUNCIL_JSON")
    values: dict[str, Any] = json.loads(raw) if raw else {}
    # PORTAL_RETENTION_YEARS: closed cases are anonymised after this many years (portal.services.retention).
    if years := _env("RETENTION_YEARS"):
        values["retention_years"] = int(years)
    if "address_lines" in values:
        values["address_lines"] = tuple(values["address_lines"])
    for day in ("statement_prepared_on", "statement_reviewed_on"):
        if day in values:
            values[day] = date.fromisoformat(values[day])
    return Council(**values)


@dataclass
class Config:
    """Flask settings; upper-case attributes are loaded into app.config."""

    SECRET_KEY: str | None = field(default_factory=lambda: _env("SECRET_KEY"))
    DATABASE_URL: str = field(
        default_factory=lambda: _env("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'portal.sqlite3'}"
    )
    ENV: str = field(default_factory=lambda: _env("ENV", "development") or "development")
    TESTING: bool = False
    WTF_CSRF_ENABLED: bool = True
    WTF_CSRF_CHECK_DEFAULT: bool = False  # every POST is still checked: portal.security.protect_writes
    WTF_CSRF_TIME_LIMIT: int | None = 3600 * 8
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = field(default_factory=lambda: _env("ENV") == "production")
    MAX_CONTENT_LENGTH: int = 25 * 1024 * 1024
    BABEL_DEFAULT_LOCALE: str = "en"
    BABEL_TRANSLATION_DIRECTORIES: str = str(ROOT / "translations")
    LANGUAGES: tuple[str, ...] = ("en", "pl", "lt", "ro", "ar")
    COUNCIL: Council = field(default_factory=_council_from_env)
    # Council closure days (e.g. between Christmas and New Year) as ISO dates; the
    # statutory procedure ignores them unless the procedure table says otherwise.
    CLOSURE_DAYS: tuple[str, ...] = field(
        default_factory=lambda: tuple(d for d in (_env("CLOSURE_DAYS") or "").split(",") if d)
    )
    # Newly announced bank holidays not yet in the `holidays` package, as "YYYY-MM-DD:Name"
    # items separated by commas; after changing them run `flask recompute-deadlines`.
    EXTRA_BANK_HOLIDAYS: tuple[str, ...] = field(
        default_factory=lambda: tuple(d for d in (_env("EXTRA_BANK_HOLIDAYS") or "").split(",") if d)
    )
    # Evidence uploads: stored outside the web root under generated names.
    UPLOAD_DIR: str = field(default_factory=lambda: _env("UPLOAD_DIR") or str(ROOT / "instance" / "uploads"))
    UPLOAD_MAX_BYTES: int = field(default_factory=lambda: int(_env("UPLOAD_MAX_BYTES") or 10 * 1024 * 1024))
    # Letters and receipts in every format (portal.services.documents): stored outside the web
    # root under generated names.
    DOCUMENT_DIR: str = field(
        default_factory=lambda: _env("DOCUMENT_DIR") or str(ROOT / "instance" / "documents")
    )
    # ClamAV: uploads are scanned through clamd's socket; infected files move to quarantine.
    CLAMD_SOCKET: str = field(default_factory=lambda: _env("CLAMD_SOCKET") or "/var/run/clamav/clamd.ctl")
    QUARANTINE_DIR: str = field(
        default_factory=lambda: _env("QUARANTINE_DIR") or str(ROOT / "instance" / "quarantine")
    )
    # Service areas offered on the complaint form (codes from portal.domain.routing.ServiceArea);
    # empty means all of them.
    SERVICE_AREAS: tuple[str, ...] = field(
        default_factory=lambda: tuple(a for a in (_env("SERVICE_AREAS") or "").split(",") if a)
    )
    # What complaints are about (the queue filter and the annual report's themes); empty means
    # portal.services.case_details.DEFAULT_THEMES. Comma-separated: "Plans,Communication,...".
    THEMES: tuple[str, ...] = field(
        default_factory=lambda: tuple(t.strip() for t in (_env("THEMES") or "").split(",") if t.strip())
    )
    # Per-council timescale overrides (see portal.domain.procedures.configure).
    PROCEDURE_OVERRIDES: dict[str, Any] | None = field(
        default_factory=lambda: json.loads(_env("PROCEDURE_OVERRIDES") or "null")
    )
    COUNT_START_DAY: bool = field(default_factory=lambda: _env("COUNT_START_DAY") == "1")
    # Outgoing email (portal.notify): the SMTP relay and the From address. STARTTLS upgrades
    # a plain connection; SSL connects with implicit TLS (usually port 465) and wins if both are set.
    SMTP_HOST: str = field(default_factory=lambda: _env("SMTP_HOST") or "localhost")
    SMTP_PORT: int = field(default_factory=lambda: int(_env("SMTP_PORT") or "1025"))
    SMTP_USERNAME: str | None = field(default_factory=lambda: _env("SMTP_USERNAME") or None)
    SMTP_PASSWORD: str | None = field(default_factory=lambda: _env("SMTP_PASSWORD") or None)
    SMTP_STARTTLS: bool = field(
        default_factory=lambda: (_env("SMTP_STARTTLS") or "").lower() in ("1", "true", "yes")
    )
    SMTP_SSL: bool = field(default_factory=lambda: (_env("SMTP_SSL") or "").lower() in ("1", "true", "yes"))
    MAIL_FROM: str = field(default_factory=lambda: _env("MAIL_FROM") or "no-reply@northshire.example.gov.uk")
    # Staff sign-in (portal.services.staff_auth): idle and absolute session limits (ASVS 7.3.1-7.3.2;
    # NFR SEC-4: at most 30 minutes idle, 12 hours in all), the time allowed between password
    # and MFA, and the per-account lockout after repeated failures.
    STAFF_IDLE_MINUTES: int = field(default_factory=lambda: int(_env("STAFF_IDLE_MINUTES") or "30"))
    STAFF_SESSION_HOURS: int = field(default_factory=lambda: int(_env("STAFF_SESSION_HOURS") or "12"))
    STAFF_MFA_MINUTES: int = 10
    STAFF_LOCKOUT_FAILURES: int = 5
    STAFF_LOCKOUT_MINUTES: int = 15
    RATE_LIMITS: dict[str, str] = field(
        default_factory=lambda: {**DEFAULT_RATE_LIMITS, **json.loads(_env("RATE_LIMITS") or "{}")}
    )
    # How many reverse proxies (nginx) sit in front and set X-Forwarded-For; 0 when none.
    PROXY_HOPS: int = field(default_factory=lambda: int(_env("PROXY_HOPS") or "0"))

    def as_flask(self) -> dict[str, Any]:
        values = {k: v for k, v in vars(self).items() if k.isupper()}
        if not values["SECRET_KEY"]:
            if values["ENV"] == "production":
                raise ConfigError("PORTAL_SECRET_KEY must be set in production.")
            # Development and tests: a random key per process is safe (sessions simply
            # do not survive a restart).
            values["SECRET_KEY"] = secrets.token_hex(32)
        values["SQLALCHEMY_URL"] = values.pop("DATABASE_URL")
        return values


class TestConfig(Config):
    """Settings for the test suite: a database URL must be given."""

    __test__ = False  # not a pytest test class

    def __init__(self, database_url: str, **overrides: Any) -> None:
        super().__init__()
        self.DATABASE_URL = database_url
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
        for key, value in overrides.items():
            setattr(self, key, value)
