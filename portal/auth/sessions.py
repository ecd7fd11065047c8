"""Sessions the server can end.

Signing in makes a SignInSession row with a random token; Flask-Login keeps the token
in the signed cookie as the user's id (its "alternative token" pattern: User.get_id
returns it) and the user loader finds the account through the token's hash. Ending a
session deletes its row, so a copy of the cookie signs in nobody from then on.

A session ends when its browser signs out; every session of an account ends on
"sign out everywhere", on erasure and on a new password (the browser that set it goes
on in a new session). A session ends by itself PERMANENT_SESSION_LIFETIME after sign-in, a
staff member's after STAFF_IDLE_MINUTES without a page read, and any session once the
account has lost a staff role it held while the session ran.
"""

from datetime import timedelta

from flask import current_app, request
from flask import session as cookie  # Flask's signed cookie; "session" here is a SignInSession
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from portal.auth.tokens import new_token, token_hash
from portal.database import READ_ONLY_METHODS, utcnow
from portal.extensions import db
from portal.models import SignInSession, User

# How stale a staff session's "last seen" may get before a request writes it again:
# idle expiry counts in hours, so browsing costs a write every few minutes at most.
TOUCH_INTERVAL = timedelta(minutes=5)

def roles_of(user: User) -> set[str]:
    held = {f"{role.event_id}:{role.role}" for role in user.roles}
    return held | {"admin"} if user.is_admin else held


def _snapshot(user: User) -> str:
    return " ".join(sorted(roles_of(user)))


def begin(user: User, proved: bool) -> str:
    """A new session for `user` and the token for its cookie. Commits.

    `proved`: the browser has just proved the address by an e-mailed link.
    """
    now = utcnow()
    token = new_token()
    db.session.execute(delete(SignInSession).where(
        SignInSession.user_id == user.id, SignInSession.created_at < now - _lifetime()))
    db.session.add(SignInSession(user_id=user.id, token_hash=token_hash(token), created_at=now,
                                 last_seen_at=now, proved_at=now if proved else None, roles=_snapshot(user)))
    db.session.commit()
    return token


def sign_in(user: User, proved: bool) -> None:
    """Sign this browser in as `user` in a new session; whatever it held before ends. Commits."""
    language = cookie.get("lang")
    end_current()
    user.session_token = begin(user, proved)
    login_user(user)
    cookie["lang"] = language or user.language


def load(token: str) -> User | None:
    """The account whose live session `token` names, or None."""
    # The account, its roles and the session in one statement.
    found = db.session.execute(
        select(User, SignInSession)
        .join(SignInSession, SignInSession.user_id == User.id)
        .options(joinedload(User.roles))
        .where(SignInSession.token_hash == token_hash(token))
    ).unique().first()
    if found is None:
        return None
    user, session = found
    if not _alive(session, user):
        return None
    _note_activity(session, user)
    user.session_token, user.sign_in_session = token, session
    return user


def _lifetime() -> timedelta:
    return timedelta(seconds=int(current_app.config["PERMANENT_SESSION_LIFETIME"]))


def _alive(session: SignInSession, user: User) -> bool:
    now = utcnow()
    if session.created_at <= now - _lifetime():
        return False
    if user.is_staff and session.last_seen_at <= now - timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"]):
        return False
    held = set(session.roles.split())
    return held <= roles_of(user)


def _note_activity(session: SignInSession, user: User) -> None:
    """Write down a staff member's activity, and roles gained, every few minutes at most.

    Only on a GET, and on a connection of its own: the request's own transaction, which may
    be writing, is never committed from here, and a read never queues for the write lock.
    """
    snapshot = _snapshot(user)
    stale = user.is_staff and utcnow() - session.last_seen_at >= TOUCH_INTERVAL
    if not (stale or snapshot != session.roles) or request.method not in READ_ONLY_METHODS:
        return
    with db.engine.begin() as connection:
        connection.execute(update(SignInSession).where(SignInSession.id == session.id)
                           .values(last_seen_at=utcnow(), roles=snapshot))


def proved_since(minutes: int) -> bool:
    """Whether this browser proved the account's address by an e-mailed link in the last `minutes`."""
    proved_at = current_user.sign_in_session.proved_at
    return proved_at is not None and proved_at > utcnow() - timedelta(minutes=minutes)


def end_current() -> None:
    """Sign this browser out and end its session on the server. Commits."""
    if current_user.is_authenticated:
        mine = token_hash(current_user.session_token)
        db.session.execute(delete(SignInSession).where(SignInSession.token_hash == mine))
        db.session.commit()
    language = cookie.get("lang")
    logout_user()
    cookie.clear()
    if language:
        cookie["lang"] = language


def end_all(user: User) -> None:
    """End every session of `user`, this browser's too. Does not commit."""
    db.session.execute(delete(SignInSession).where(SignInSession.user_id == user.id))
