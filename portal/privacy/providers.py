"""The parts of the data download that the foundation, agenda and check-in own.

Tables are dumped column by column (`columns_of`), so a column added later shows
up in the download without touching this file. Secrets (token hashes, the ticket
code's QR aside) are left out: they are keys, not facts about the guest.
"""

from sqlalchemy import select

from portal.extensions import db
from portal.models import AgendaEntry, CheckIn, OutboundMail, RegistrationChange, Session
from portal.privacy import columns_of, data_provider

SECRET_COLUMNS = {"password_hash", "token_hash"}
# The staff search's folded copies of the fields the download already holds.
DERIVED_COLUMNS = {"search_key", "search_phone"}


def _without_secrets(row) -> dict:
    return {key: value for key, value in columns_of(row).items() if key not in SECRET_COLUMNS | DERIVED_COLUMNS}


@data_provider("account")
def account(user, registrations):
    values = _without_secrets(user)
    values["has_password"] = bool(user.password_hash)
    return values


@data_provider("registrations")
def registration_history(user, registrations):
    ids = [r.id for r in registrations]
    changes = db.session.scalars(
        select(RegistrationChange).where(RegistrationChange.registration_id.in_(ids))
        .order_by(RegistrationChange.at, RegistrationChange.id)).all() if ids else []
    result = []
    for registration in registrations:
        values = _without_secrets(registration)
        values["event"] = registration.event.slug
        values["category"] = registration.category.code if registration.category else None
        values["history"] = [
            {"from": c.from_state, "to": c.to_state, "at": c.at, "reason": c.reason,
             "by_guest": c.actor_id == user.id}
            for c in changes if c.registration_id == registration.id
        ]
        result.append(values)
    return result


@data_provider("agenda")
def agenda(user, registrations):
    ids = [r.id for r in registrations]
    if not ids:
        return []
    rows = db.session.execute(
        select(AgendaEntry, Session.title_en, Session.starts_at).join(Session, Session.id == AgendaEntry.session_id)
        .where(AgendaEntry.registration_id.in_(ids)).order_by(Session.starts_at)).all()
    return [{**columns_of(entry), "session": title, "starts_at": starts} for entry, title, starts in rows]


@data_provider("check_ins")
def check_ins(user, registrations):
    ids = [r.id for r in registrations]
    rows = db.session.scalars(select(CheckIn).where(CheckIn.registration_id.in_(ids))).all() if ids else []
    return [{k: v for k, v in columns_of(row).items() if k != "nonce"} for row in rows]


@data_provider("mail")
def mail(user, registrations):
    """The mail we sent: to the account's address and to the address of each registration."""
    addresses = {user.email, *(r.email for r in registrations)}
    rows = db.session.scalars(
        select(OutboundMail).where(OutboundMail.recipient.in_(addresses)).order_by(OutboundMail.created_at)).all()
    return [{"to": m.recipient, "subject": m.subject, "queued_at": m.created_at, "sent_at": m.sent_at,
             "state": m.state, "body": m.body_text} for m in rows]
