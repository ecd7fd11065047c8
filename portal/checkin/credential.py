"""Which enrolled kiosk a browser is: the device credential in its cookie, looked up by its hash.

Kept apart from devices.py (pairing, revocation) so that access.py can name the
kiosk behind a request while importing nothing but the models.
"""

import hashlib
from datetime import timedelta

from flask import Request
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from portal.database import utcnow
from portal.extensions import db
from portal.models import KioskDevice

COOKIE_NAME = "concierge_kiosk"
# Chromium caps a cookie's lifetime at 400 days; staff revoke a kiosk rather than let it lapse.
COOKIE_MAX_AGE = 400 * 24 * 60 * 60
# A kiosk's "last contact" is written at most this often, so browsing costs no writes.
LAST_SEEN_INTERVAL = timedelta(minutes=1)
# A credential is 43 characters; anything much longer is not one and is not hashed.
MAX_CREDENTIAL_LENGTH = 100


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()



def device_for_request(request: Request) -> KioskDevice | None:
    """The enrolled, unrevoked kiosk this browser's cookie names, with its last contact kept fresh."""
    credential = request.cookies.get(COOKIE_NAME, "")
    if not credential or len(credential) > MAX_CREDENTIAL_LENGTH:
        return None
    device = db.session.scalar(
        select(KioskDevice).options(joinedload(KioskDevice.event))
        .where(KioskDevice.credential_hash == hash_secret(credential), KioskDevice.revoked_at.is_(None))
    )
    if device is None:
        return None
    now = utcnow()
    if device.last_seen_at is not None and now - device.last_seen_at < LAST_SEEN_INTERVAL:
        return device
    device_id = device.id
    # End the read first: on SQLite a read transaction (a GET's) cannot safely turn
    # into a write once another connection has written; a fresh one waits for the lock.
    db.session.commit()
    db.session.execute(
        update(KioskDevice)
        .where(
            KioskDevice.id == device_id,
            KioskDevice.revoked_at.is_(None),
            or_(KioskDevice.last_seen_at.is_(None), KioskDevice.last_seen_at < now - LAST_SEEN_INTERVAL),
        )
        .values(last_seen_at=now)
    )
    db.session.commit()
    device = db.session.get(KioskDevice, device_id)
    return device if device is not None and device.revoked_at is None else None


def is_revoked(request: Request) -> bool:
    """True when this browser's cookie names a kiosk that staff have revoked."""
    credential = request.cookies.get(COOKIE_NAME, "")
    if not credential or len(credential) > MAX_CREDENTIAL_LENGTH:
        return False
    return db.session.scalar(
        select(KioskDevice.id).where(KioskDevice.credential_hash == hash_secret(credential),
                                     KioskDevice.revoked_at.is_not(None))
    ) is not None


def device_key(request: Request) -> str:
    """The rate-limit key of a kiosk: its credential's hash, without touching the database."""
    credential = request.cookies.get(COOKIE_NAME, "")[:MAX_CREDENTIAL_LENGTH]
    return "kiosk:" + hash_secret(credential)[:32] if credential else "kiosk:none:" + (request.remote_addr or "")
