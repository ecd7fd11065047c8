"""Sign-in links: issued by mail, single use, expiring."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from portal.auth.tokens import new_token, token_hash
from portal.database import utcnow
from portal.extensions import db
from portal import outbox
from portal.models import SignInLink, User


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in; anything else becomes ''."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    return target


def send_sign_in_link(email: str, next_url: str = "") -> None:
    """Mail a sign-in link if the address has an account; silently nothing otherwise. Commits."""
    user = db.session.scalar(select(User).where(User.email == User.normalise_email(email)))
    if user is None:
        return
    token = new_token()
    minutes = current_app.config["SIGN_IN_LINK_MINUTES"]
    db.session.add(SignInLink(
        user_id=user.id,
        token_hash=token_hash(token),
        next_url=safe_next(next_url),
        expires_at=utcnow() + timedelta(minutes=minutes),
    ))
    outbox.queue(
        "sign-in", user.email, "sign_in", user.language,
        token=token,
        minutes=minutes,
    )
    db.session.commit()


def find_link(token: str) -> SignInLink | None:
    """The link for `token` if it is unused and unexpired."""
    link = db.session.scalar(select(SignInLink).where(SignInLink.token_hash == token_hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link


def consume_link(token: str) -> SignInLink | None:
    """Mark the link used; only one of several simultaneous uses wins. Commits."""
    link = find_link(token)
    if link is None:
        return None
    used = db.session.execute(
        update(SignInLink)
        .where(SignInLink.id == link.id, SignInLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        db.session.rollback()
        return None
    link.user.last_sign_in_at = utcnow()
    db.session.commit()
    return link
