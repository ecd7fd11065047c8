"""Signing in: e-mailed links end to end, staff passwords, the session, and the guards around them."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal import InsecureConfiguration, create_app
from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboundMail, SignInLink, User
from tests.factories import csrf_token, signed_in_as, STAFF_PASSWORD, submit

LINK = re.compile(r"https?://[^\s/]+(/login/link/[A-Za-z0-9_\-]+)")
TOKEN_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


@pytest.fixture
def guest(app):
    """A guest account: no password, signs in by link only."""
    with app.app_context():
        user = User(email="amira@example.org", display_name="Amira Haddad", language="en")
        db.session.add(user)
        db.session.commit()
        return user.email


def _request_link(client, email: str, **extra):
    response = submit(client, "/login", {"email": email, **extra})
    response.close()  # the mail goes out once the response is closed
    return response


def _link_from_mail(mailbox, email: str) -> str:
    (message,) = mailbox.to(email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(text)
    assert match, text
    return match.group(1)


def _without_tokens(html: str) -> str:
    # CSRF tokens carry a timestamp, so two renders of one page differ only there.
    return TOKEN_VALUE.sub(r"\1", html)


def test_sign_in_by_e_mailed_link(client, guest, mailbox):
    response = _request_link(client, guest)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/sent"
    assert "Check your e-mail" in client.get("/login/sent").get_data(as_text=True)

    (message,) = mailbox.to(guest)
    assert message["Subject"] == "Your sign-in link"
    path = _link_from_mail(mailbox, guest)

    # Opening the link does not sign in by itself (mail scanners open links too).
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'action="{path}"' in html and "Sign me in" in html
    assert signed_in_as(client) is None

    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert signed_in_as(client) == guest


def test_a_link_works_only_once(app, client, guest, mailbox):
    _request_link(client, guest)
    path = _link_from_mail(mailbox, guest)
    token = csrf_token(client, path)
    assert client.post(path, data={"csrf_token": token}).status_code == 303

    other = app.test_client()  # someone else who got hold of the used link
    page = other.get(path)
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "This link no longer works" in html and "Ask for a new link" in html
    again = other.post(path, data={"csrf_token": csrf_token(other, "/login")})
    assert again.status_code == 410
    assert "This link no longer works" in again.get_data(as_text=True)
    assert signed_in_as(other) is None


def test_an_expired_link_does_not_sign_in(app, client, guest, mailbox):
    _request_link(client, guest)
    path = _link_from_mail(mailbox, guest)
    token = csrf_token(client, path)
    with app.app_context():
        db.session.execute(update(SignInLink).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()

    assert client.get(path).status_code == 410
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 410
    assert "This link no longer works" in response.get_data(as_text=True)
    assert signed_in_as(client) is None
    with app.app_context():
        assert db.session.scalar(select(SignInLink.used_at)) is None


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, client, guest, mailbox):
    known = _request_link(client, guest)
    known_page = client.get(known.headers["Location"])
    unknown = _request_link(client, "nobody@example.org")
    unknown_page = client.get(unknown.headers["Location"])

    assert (unknown.status_code, unknown.headers["Location"]) == (known.status_code, known.headers["Location"])
    assert unknown.get_data() == known.get_data()
    assert unknown_page.status_code == known_page.status_code == 200
    assert _without_tokens(unknown_page.get_data(as_text=True)) == _without_tokens(known_page.get_data(as_text=True))

    assert len(mailbox.to(guest)) == 1
    assert mailbox.to("nobody@example.org") == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 1
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_staff_sign_in_with_a_password(client, auth, make_staff):
    make_staff("desk@example.org", admin=True)
    response = auth.login_staff("Desk@Example.org")  # the address in any case
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert signed_in_as(client) == "desk@example.org"


def test_a_wrong_password_is_named_beside_the_field_and_the_address_kept(client, auth, make_staff, mailbox):
    make_staff("desk@example.org", admin=True)
    response = auth.login_staff("desk@example.org", "not the password")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="password-error">\s*That e-mail address and password do not match.', html)
    assert re.search(r'<input[^>]*id="email"[^>]*value="desk@example.org"', html) or \
        re.search(r'<input[^>]*value="desk@example.org"[^>]*id="email"', html)
    assert 'value="not the password"' not in html  # a password is never echoed back
    assert signed_in_as(client) is None
    assert mailbox.messages == []  # a password attempt sends no link


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil", "/\\/evil.example"])
def test_sign_in_ignores_a_next_that_leaves_the_site(app, client, auth, make_staff, guest, mailbox, target):
    make_staff("desk@example.org", admin=True)
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next" value=""' in page

    response = submit(client, "/login", {"email": "desk@example.org", "password": STAFF_PASSWORD, "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"

    other = app.test_client()
    _request_link(other, guest, next=target)
    with app.app_context():
        assert db.session.scalar(select(SignInLink.next_url)) == ""
    path = _link_from_mail(mailbox, guest)
    response = other.post(path, data={"csrf_token": csrf_token(other, path)})
    assert response.headers["Location"] == "/"


def test_sign_in_follows_a_next_on_the_site(client, guest, mailbox):
    _request_link(client, guest, next="/account")
    path = _link_from_mail(mailbox, guest)
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"


def test_sign_out_is_a_post_with_a_csrf_token(client, auth, make_staff):
    make_staff("desk@example.org", admin=True)
    auth.login_staff("desk@example.org")

    assert client.get("/logout").status_code == 405
    refused = client.post("/logout")
    assert refused.status_code == 400
    assert "This form has expired" in refused.get_data(as_text=True)
    assert signed_in_as(client) == "desk@example.org"

    response = auth.logout()
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert signed_in_as(client) is None
    assert client.get("/account").headers["Location"].startswith("/login?next=")


def test_the_session_cookie_is_http_only_and_same_site(client, auth, make_staff):
    make_staff("desk@example.org", admin=True)
    response = auth.login_staff("desk@example.org")
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"] == "SameSite=Lax"


@pytest.mark.parametrize("secret", [None, "dev-only-not-secret", "too-short"])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, monkeypatch, secret):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}
    if secret is not None:
        config["SECRET_KEY"] = secret
    with pytest.raises(InsecureConfiguration):
        create_app(config)


def test_production_starts_with_a_real_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    secret = "k8Vq2n7Zr4Lx9Tg1Wb6Hs3Dp5Mf0Yc"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "SECRET_KEY": secret})
    assert not app.testing and not app.debug
    assert app.secret_key == secret
    assert app.test_client().get("/login").status_code == 200


def test_an_account_name_of_spaces_only_is_refused(app, client, auth, make_staff):
    make_staff("desk@example.org", admin=True)
    auth.login_staff("desk@example.org")
    response = submit(client, "/account", {"display_name": "   ", "language": "en"})
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="display_name-error">\s*Enter your name.', response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(User.email == "desk@example.org")) == "desk"
