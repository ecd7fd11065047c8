"""Kiosk devices: enrolment by a one-time pairing code, the device credential, revocation.

A kiosk proves itself with a random credential in an HttpOnly cookie; the
database keeps only its SHA-256, as it does for the pairing code. The
credential grants the kiosk pages of one event and nothing else: a kiosk is not
a signed-in user and holds no staff powers.
"""

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.auth.tokens import new_token
from portal.checkin.credential import hash_secret
from portal.database import utcnow
from portal.extensions import db
from portal.guests.tickets import CONFIRMATION_ALPHABET, normalise_confirmation_code
from portal.models import Event, KioskDevice, User

PAIRING_MINUTES = 10
PAIRING_CODE_LENGTH = 8
def _new_pairing_code() -> str:
    return "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))


def format_pairing_code(code: str) -> str:
    """ABCD-EFGH: easier to read out and to type."""
    return f"{code[:4]}-{code[4:]}"


def create_device(event: Event, name: str, location: str, actor: User) -> tuple[KioskDevice, str]:
    """A new kiosk for `event` and its pairing code (shown once; only its hash is kept). Commits."""
    device = KioskDevice(event_id=event.id, name=name.strip(), location=location.strip(), created_by_id=actor.id)
    db.session.add(device)
    code = _set_pairing_code(device)
    audit.record(event, actor, "kiosk.create", subject=device.name, detail=device.location)
    db.session.commit()
    return device, code


def renew_pairing_code(device: KioskDevice, actor: User) -> str | None:
    """A fresh pairing code for a kiosk not yet paired, or None if it is paired or revoked. Commits."""
    if device.revoked_at is not None or device.credential_hash is not None:
        return None
    code = _set_pairing_code(device)
    audit.record(device.event, actor, "kiosk.pairing_code", subject=device.name)
    db.session.commit()
    return code


def _set_pairing_code(device: KioskDevice) -> str:
    code = _new_pairing_code()
    device.pairing_code_hash = hash_secret(code)
    device.pairing_expires_at = utcnow() + timedelta(minutes=PAIRING_MINUTES)
    return code


def pair(typed_code: str) -> tuple[KioskDevice, str] | None:
    """Trade a live pairing code for a device credential, once. None for a wrong, used or lapsed code. Commits."""
    code = normalise_confirmation_code(typed_code or "")[:2 * PAIRING_CODE_LENGTH]
    if len(code) != PAIRING_CODE_LENGTH:
        return None
    device = db.session.scalar(
        select(KioskDevice).where(KioskDevice.pairing_code_hash == hash_secret(code)).with_for_update()
    )
    if device is None or device.revoked_at is not None or device.pairing_expires_at is None:
        return None
    if utcnow() >= device.pairing_expires_at:
        return None
    credential = new_token()
    now = utcnow()
    device.credential_hash = hash_secret(credential)
    device.pairing_code_hash = None
    device.pairing_expires_at = None
    device.paired_at = now
    device.last_seen_at = now
    audit.record(device.event, None, "kiosk.pair", subject=device.name)
    try:
        db.session.commit()
    except IntegrityError:  # the same code used twice at the same instant: one device wins
        db.session.rollback()
        return None
    return device, credential


def revoke(device: KioskDevice, actor: User) -> None:
    """Refuse this kiosk from its next request on. Commits."""
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        device.pairing_code_hash = None
        device.pairing_expires_at = None
        audit.record(device.event, actor, "kiosk.revoke", subject=device.name)
    db.session.commit()


def devices_of(event: Event) -> list[KioskDevice]:
    return list(db.session.scalars(
        select(KioskDevice).where(KioskDevice.event_id == event.id)
        .order_by(KioskDevice.revoked_at.is_not(None), KioskDevice.name, KioskDevice.id)
    ))
