"""No open redirect and no 500 from `next`: one helper decides every redirect target from user input,
on every route that takes one (/login and its e-mailed link, /language, the agenda buttons)."""

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from portal.auth.services import safe_next
from portal.extensions import db
from portal.models import SignInLink
from tests.factories import at, csrf_token, make_guest, make_session, STAFF_PASSWORD, submit
from tests.sessions import sign_in

# What a browser would follow off the site (tabs and line breaks are dropped inside URLs, a
# backslash read as a slash), written as the form or query string delivers it, decoded.
LEAVING = {
    "two-slashes": "//evil.example",
    "tab": "/\t/evil.example",
    "line-feed": "/\n/evil.example",
    "carriage-return": "/\r/evil.example",
    "cr-lf-header": "/x\r\nSet-Cookie: a=b",
    "backslash": "\\\\evil.example",
    "slash-backslash": "/\\evil.example",
    "slash-backslash-slash": "/\\/evil.example",
    "encoded-slashes": "/%2F%2Fevil.example",
    "encoded-leading-slashes": "%2F%2Fevil.example",
    "encoded-backslash": "/%5Cevil.example",
    "encoded-tab": "/%09/evil.example",
    "encoded-line-feed": "/%0a/x",
    "absolute": "https://evil.example/",
    "scheme-relative-with-user": "//user@evil.example",
    "scheme-only": "javascript:alert(1)",
    "leading-space": " //evil.example",
    "nul": "/\x00/evil.example",
    "too-long": "/" + "a" * 600,
}
STAYING = ["/account", "/e/summit/agenda?day=2&q=trade", "/e/summit/me#lodging", "/e/summit/agenda?q=%2F%2F"]


@pytest.mark.parametrize("target", LEAVING.values(), ids=LEAVING.keys())
def test_the_helper_refuses_every_target_that_leaves_the_site(target):
    assert safe_next(target) == ""


@pytest.mark.parametrize("target", STAYING)
def test_the_helper_keeps_a_path_on_the_site(target):
    assert safe_next(target) == target


def _hidden_next(page: str) -> str:
    """The `next` the sign-in form will post (the header's language switch has its own)."""
    return re.search(r'<form method="post" action="/login".*?name="next" value="([^"]*)"', page, re.S).group(1)


@pytest.mark.parametrize("target", LEAVING.values(), ids=LEAVING.keys())
def test_signing_in_with_a_password_never_leaves_the_site(client, make_staff, target):
    make_staff("desk@example.org", admin=True)
    page = client.get("/login?next=" + quote(target, safe=""))
    assert page.status_code in (200, 400)  # a NUL is refused outright
    if page.status_code == 200:
        assert _hidden_next(page.get_data(as_text=True)) == ""
    # A crafted form posts the target itself.
    response = submit(client, "/login", {"email": "desk@example.org", "password": STAFF_PASSWORD, "next": target})
    assert response.status_code in (303, 400), response.status_code
    if response.status_code == 303:
        assert response.headers["Location"] == "/staff/"


@pytest.mark.parametrize("target", LEAVING.values(), ids=LEAVING.keys())
def test_an_e_mailed_link_never_leaves_the_site(app, client, make_staff, mailbox, target):
    make_staff("amira@example.org")
    response = submit(client, "/login", {"email": "amira@example.org", "next": target})
    response.close()
    if response.status_code == 400:  # the NUL
        return
    with app.app_context():
        assert db.session.scalar(select(SignInLink.next_url)) == ""
    (message,) = mailbox.to("amira@example.org")
    path = re.search(r"(/login/link/[A-Za-z0-9_\-]+)", message.get_body(("plain",)).get_content()).group(1)
    used = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert used.status_code == 303 and used.headers["Location"] == "/"


def test_a_link_stored_with_a_bad_target_before_the_fix_still_stays_on_the_site(app, client, make_staff, mailbox):
    make_staff("amira@example.org")
    submit(client, "/login", {"email": "amira@example.org"}).close()
    with app.app_context():
        db.session.execute(SignInLink.__table__.update().values(next_url="/\t/evil.example"))
        db.session.commit()
    (message,) = mailbox.to("amira@example.org")
    path = re.search(r"(/login/link/[A-Za-z0-9_\-]+)", message.get_body(("plain",)).get_content()).group(1)
    used = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert used.headers["Location"] == "/"


@pytest.mark.parametrize("target", LEAVING.values(), ids=LEAVING.keys())
def test_switching_language_never_leaves_the_site(client, target):
    response = submit(client, "/language", {"lang": "zh_Hans", "next": target}, page="/")
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", LEAVING.values(), ids=LEAVING.keys())
def test_the_agenda_buttons_never_leave_the_site(app, client, make_event, target):
    event = make_event()
    guest = make_guest(app, event, "amira@example.org")
    session_id = make_session(app, event, "Opening keynote", at(event, 0, 9))
    sign_in(client, guest.user_id)
    response = submit(client, f"/e/summit/me/agenda/{session_id}/add", {"next": target}, page="/e/summit/agenda")
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert response.headers["Location"] == "/e/summit/me/agenda"


@pytest.mark.parametrize("target", STAYING)
def test_a_next_on_the_site_is_followed(client, make_staff, target):
    make_staff("desk@example.org", admin=True)
    page = client.get("/login?next=" + quote(target, safe=""))
    assert _hidden_next(page.get_data(as_text=True)) == target.replace("&", "&amp;")
    response = submit(client, "/login", {"email": "desk@example.org", "password": STAFF_PASSWORD, "next": target})
    assert response.status_code == 303 and response.headers["Location"] == target
