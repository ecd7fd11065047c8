"""Signing a test client in without the e-mailed link: a real server-side session, its token in the cookie.

tests/test_auth.py and tests/test_accounts.py prove the link and the password; elsewhere a
test only needs someone signed in.
"""

from portal.auth import sessions
from portal.extensions import db
from portal.models import User


def sign_in(client, user_id: int, proved: bool = False) -> str:
    """Sign `client` in as account `user_id`; returns the session's token."""
    with client.application.app_context():
        token = sessions.begin(db.session.get(User, user_id), proved=proved)
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return token


def sign_in_new_account(client, email: str, language: str = "en") -> int:
    """A new account for `email`, signed in on `client` as the e-mailed link leaves it; returns its id.

    Public registration proves the address first (tests/test_accounts.py follows the real link);
    a test about what comes after starts here.
    """
    with client.application.app_context():
        user = User(email=email, display_name="", language=language)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    sign_in(client, user_id, proved=True)
    return user_id
