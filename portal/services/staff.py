"""Staff accounts: create with an argon2 hash, verify passwords."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import StaffUser

STAFF_ROLES = ("officer", "manager", "responding_manager", "reporting", "admin")
MIN_PASSWORD = 12
_hasher = PasswordHasher()


class StaffError(ValueError):
    """Bad input for a staff account; the message is fit to show."""


def create_staff(session: Session, email: str, name: str, role: str, password: str) -> StaffUser:
    email = email.strip().lower()
    if role not in STAFF_ROLES:
        raise StaffError(f"Role must be one of: {', '.join(STAFF_ROLES)}.")
    if "@" not in email:
        raise StaffError("Enter an email address in the correct format, like name@example.com.")
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"Password must be {MIN_PASSWORD} characters or more.")
    if session.scalar(select(func.count()).where(StaffUser.email == email)):
        raise StaffError(f"A staff account for {email} already exists.")
    user = StaffUser(email=email, name=name.strip(), role=role, password_hash=_hasher.hash(password))
    session.add(user)
    return user


def verify_password(user: StaffUser, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except VerifyMismatchError:
        return False
