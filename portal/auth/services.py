"""Sign-in links: issued by mail, single use, expiring; the one place a redirect target is chosen."""

from datetime import timedelta
from urllib.parse import unquote, urlsplit

from flask import current_app, url_for
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.auth.tokens import new_token, token_hash
from portal.database import utcnow
from portal.extensions import db
from portal import outbox
from portal.models import Event, SignInLink, User

# SignInLink.next_url holds this much; a longer target is not one of ours.
MAX_NEXT_LENGTH = 500


def safe_next(target: str | None) -> str:
    """A path on this site to go to after a form, taken from user input; anything else becomes ''.

    Browsers drop tabs and line breaks inside a URL and read a backslash as a slash, so
    "/\\t/evil.example" or "/\\\\evil.example" would lead off the site as "//evil.example"
    does; a line break would not even fit in a Location header. Such targets are refused,
    as is any target that would leave the site once percent-decoded.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return ""
    for form in (target, unquote(target)):
        if not form.startswith("/") or form.startswith(("//", "/\\")) or "\\" in form:
            return ""
        if any(ord(character) < 32 or ord(character) == 127 for character in form):
            return ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return ""
    return target


def _new_link(email: str, user: User | None, next_url: str, minutes: int | None = None) -> tuple[str, int]:
    token = new_token()
    minutes = minutes or current_app.config["SIGN_IN_LINK_MINUTES"]
    db.session.add(SignInLink(
        user_id=user.id if user else None,
        email=email,
        token_hash=token_hash(token),
        next_url=safe_next(next_url),
        expires_at=utcnow() + timedelta(minutes=minutes),
    ))
    return token, minutes


def _account(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == User.normalise_email(email)))


def send_sign_in_link(email: str, next_url: str = "") -> None:
    """Mail a sign-in link if the address has an account; silently nothing otherwise. Commits."""
    user = _account(email)
    if user is None:
        return
    token, minutes = _new_link(user.email, user, next_url)
    outbox.queue("sign-in", user.email, "sign_in", user.language, token=token, minutes=minutes)
    db.session.commit()


def staff_invitation_link(user: User) -> tuple[str, int]:
    """A sign-in link for a new colleague, valid STAFF_INVITATION_HOURS, leading to setting a password.

    Opening it proves the address, which is what lets the account page take a first password.
    Does not commit; returns the token and the hours it lasts.
    """
    hours = current_app.config["STAFF_INVITATION_HOURS"]
    token, _minutes = _new_link(user.email, user, url_for("auth.account"), minutes=hours * 60)
    return token, hours


def send_registration_link(event: Event, email: str, language: str, next_url: str) -> None:
    """Mail a link that proves `email` and leads on to registering for `event`. Commits.

    Nothing is stored about an address without an account but the link itself: the account
    is made when the link is used, by whoever reads the mail sent to it.
    """
    email = User.normalise_email(email)
    user = _account(email)
    token, minutes = _new_link(email, user, next_url)
    outbox.queue("sign-in", email, "registration_link", user.language if user else language,
                 event=event, token=token, minutes=minutes)
    db.session.commit()


def find_link(token: str) -> SignInLink | None:
    """The link for `token` if it is unused and unexpired."""
    link = db.session.scalar(select(SignInLink).where(SignInLink.token_hash == token_hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link


def consume_link(token: str, language: str) -> tuple[SignInLink, User] | None:
    """Use the link up and return it with the account of its address, made now if there is none.

    Only one of several simultaneous uses wins. Commits.
    """
    for _attempt in range(2):
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
        user = link.user or _account(link.email)
        if user is None:
            user = User(email=link.email, display_name="", language=language)
            db.session.add(user)
        user.last_sign_in_at = utcnow()
        try:
            db.session.commit()
        except IntegrityError:
            # Another link for the same new address made its account first: use that one.
            db.session.rollback()
            continue
        return link, user
    return None
