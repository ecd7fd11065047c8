"""Accounts and sessions against an attacker: an address is proved before it holds anything, a
password needs the current one or a fresh link, and every session can be ended by the server."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from portal.database import utcnow
from portal.extensions import db
from portal.models import MedicalNotes, Registration, SignInLink, SignInSession, StaffRole, User
from tests.sessions import sign_in, sign_in_new_account
from tests.factories import (
    csrf_token, give_consent, MEDICAL_NOTE, needs_form, registration_form, signed_in_as, STAFF_PASSWORD, submit,
    upload,
)

LINK = re.compile(r"https?://[^\s/]+(/(?:login/link|e/[a-z0-9-]+/register)/[A-Za-z0-9_\-]+)")
STRANGERS_PASSWORD = "stranger-danger-42"


def _links_in(mailbox, email: str) -> list[str]:
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in mailbox.to(email)]
    return [match.group(1) for text in texts for match in LINK.finditer(text)]


def _account(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _use(client, path: str):
    """Open an e-mailed link and press its button, as a person does."""
    assert client.get(path).status_code == 200
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    response.close()
    return response


def _delegate(event) -> str:
    return str(next(c.id for c in event.categories if c.code == "delegate"))


# -- 1. An address is proved before it holds anything ---------------------------------------------

def test_public_registration_proves_the_address_before_anything_is_stored(app, client, make_event, mailbox):
    event = make_event()
    page = client.get("/e/summit/register").get_data(as_text=True)
    assert 'name="email"' in page and 'name="name_latin"' not in page

    response = submit(client, "/e/summit/register/link", {"email": "Wang@Example.org"}, page="/e/summit/register")
    response.close()
    assert response.status_code == 303 and response.headers["Location"] == "/e/summit/register/sent"
    assert "Check your e-mail" in client.get("/e/summit/register/sent").get_data(as_text=True)
    # Only the link exists: no account, no registration, until someone opens the mail.
    assert _account(app, "wang@example.org") is None and _count(app, Registration) == 0
    (message,) = mailbox.to("wang@example.org")
    assert message["Subject"] == "Continue your registration for Future Summit"
    (path,) = _links_in(mailbox, "wang@example.org")

    reader = app.test_client()  # the mail may be opened on a phone, not where the form was
    response = _use(reader, path)
    assert response.status_code == 303 and response.headers["Location"] == "/e/summit/register"
    assert signed_in_as(reader) == "wang@example.org"
    form = reader.get("/e/summit/register").get_data(as_text=True)
    email_input = re.search(r'<input[^>]*id="email"[^>]*>', form).group(0)
    assert 'value="wang@example.org"' in email_input and "readonly" in email_input
    response = submit(reader, "/e/summit/register", registration_form(
        email="someone-else@example.org", category=_delegate(event), language="en"))
    response.close()
    assert response.status_code == 303 and response.headers["Location"] == "/e/summit/me"
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert registration.email == "wang@example.org" and registration.user.display_name == "王小明"
    assert _account(app, "someone-else@example.org") is None


def test_a_registration_link_for_an_address_with_an_account_signs_into_that_account(app, client, make_event,
                                                                                    make_staff, mailbox):
    make_event()
    owner = make_staff("wang@example.org")
    submit(client, "/e/summit/register/link", {"email": "wang@example.org"}, page="/e/summit/register").close()
    (path,) = _links_in(mailbox, "wang@example.org")
    _use(client, path)
    assert signed_in_as(client) == "wang@example.org"
    assert _count(app, User) == 1 and _account(app, "wang@example.org").id == owner.id


def test_a_stranger_who_registers_someone_elses_address_first_sees_nothing_of_them(
        app, make_event, make_staff, auth, client, mailbox):
    open_day = make_event(slug="open-day", name_en="Open Day", public_registration=True)
    gala = make_event(slug="gala", name_en="Gala Dinner", public_registration=False)
    victim = "victim@example.org"

    # A stranger registers the victim's address for the public event...
    stranger = app.test_client()
    submit(stranger, "/e/open-day/register/link", {"email": victim}, page="/e/open-day/register").close()
    # ... or posts the whole form as the old page had it: nothing of it is kept.
    response = submit(stranger, "/e/open-day/register", registration_form(
        email=victim, category=_delegate(open_day), name_latin="Not The Victim"), page="/e/open-day/register")
    assert response.status_code == 303 and response.headers["Location"] == "/e/open-day/register"
    assert _account(app, victim) is None and _count(app, Registration) == 0
    # The link went to the victim's mailbox, which the stranger cannot read; the stranger is nobody.
    assert len(mailbox.to(victim)) == 1
    assert signed_in_as(stranger) is None
    # So no password can be set on the victim's account, and none can be guessed into it.
    refused = submit(stranger, "/account", {"display_name": "x", "language": "en",
                                            "new_password": STRANGERS_PASSWORD}, page="/login")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    attempt = submit(stranger, "/login", {"email": victim, "password": STRANGERS_PASSWORD})
    assert attempt.status_code == 422

    # Later the organizer invites the address to another event.
    organizer = make_staff("olivia@example.org", gala, roles=("organizer",))
    auth.login_as(organizer)
    imported = upload(client, f"name,email,category,language\nVictor Tim,{victim},vip,en\n",
                      url="/staff/e/gala/invitations/import")
    assert imported.status_code == 303
    (personal,) = {p for p in _links_in(mailbox, victim) if p.startswith("/e/gala/register/")}

    # The victim registers from the personal link and states medical needs.
    victim_browser = app.test_client()
    response = submit(victim_browser, personal, registration_form(
        email=victim, category="0", name_original="Victor Tim", name_latin="Victor Tim", surname="Tim",
        language="en"))
    response.close()
    assert response.status_code == 303 and response.headers["Location"] == "/e/gala/me"
    give_consent(victim_browser, slug="gala")
    assert submit(victim_browser, "/e/gala/me/needs/edit", needs_form()).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(MedicalNotes.notes)) == MEDICAL_NOTE
        assert db.session.scalar(select(User.password_hash).where(User.email == victim)) is None

    # The stranger tries again with the password, then every page of the victim's: nothing.
    attempt = submit(stranger, "/login", {"email": victim, "password": STRANGERS_PASSWORD})
    assert attempt.status_code == 422
    assert "That e-mail address and password do not match." in attempt.get_data(as_text=True)
    for path in ("/e/gala/me", "/e/gala/me/data.json", "/e/gala/me/needs", "/e/gala/me/needs/edit", "/account"):
        response = stranger.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
        assert MEDICAL_NOTE not in body and "Victor" not in body, path
    assert signed_in_as(stranger) is None


def test_an_account_made_by_a_link_holds_no_password_until_its_owner_sets_one(app, client, make_event, mailbox):
    make_event()
    submit(client, "/e/summit/register/link", {"email": "wang@example.org"}, page="/e/summit/register").close()
    (path,) = _links_in(mailbox, "wang@example.org")
    _use(client, path)
    assert _account(app, "wang@example.org").password_hash is None
    with app.app_context():
        assert db.session.scalar(select(SignInLink.used_at)) is not None


def test_two_links_for_one_new_address_used_at_once_make_one_account(app, make_event, mailbox):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    make_event()
    for _ in range(2):
        submit(app.test_client(), "/e/summit/register/link", {"email": "wang@example.org"},
               page="/e/summit/register").close()
    paths = _links_in(mailbox, "wang@example.org")
    assert len(paths) == 2
    browsers = [app.test_client() for _ in paths]
    tokens = [csrf_token(browser, path) for browser, path in zip(browsers, paths)]
    start = threading.Barrier(2)

    def use(n: int) -> int:
        start.wait(timeout=10)
        with browsers[n].post(paths[n], data={"csrf_token": tokens[n]}) as response:
            return response.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(use, range(2))) == [303, 303]
    assert _count(app, User) == 1
    assert [signed_in_as(browser) for browser in browsers] == ["wang@example.org"] * 2


# -- Setting or changing a password ---------------------------------------------------------------

def _save_password(client, new, current=None):
    data = {"display_name": "Wang", "language": "en", "new_password": new}
    if current is not None:
        data["current_password"] = current
    return submit(client, "/account", data)


def _age_the_proof(app, minutes=31):
    with app.app_context():
        db.session.execute(update(SignInSession).values(proved_at=utcnow() - timedelta(minutes=minutes)))
        db.session.commit()


def test_a_guest_sets_a_first_password_only_right_after_a_link(app, client, make_event, mailbox):
    make_event()
    sign_in_new_account(client, "wang@example.org")
    _age_the_proof(app)

    page = client.get("/account").get_data(as_text=True)
    assert "E-mail me a link" in page and 'name="current_password"' not in page
    refused = _save_password(client, "a brand new password")
    assert refused.status_code == 422
    assert re.search(r'id="new_password-error">\s*To set a password, first confirm your address',
                     refused.get_data(as_text=True))
    assert _account(app, "wang@example.org").password_hash is None

    asked = submit(client, "/account/confirm", {}, page="/account")
    asked.close()
    assert asked.status_code == 303
    (path,) = _links_in(mailbox, "wang@example.org")
    response = _use(client, path)
    assert response.headers["Location"] == "/account"
    assert _save_password(client, "a brand new password").status_code == 303
    user = _account(app, "wang@example.org")
    assert user.check_password("a brand new password")
    # The app stores it at the real cost (werkzeug's scrypt), whatever cheaper hash the test staff get.
    assert user.password_hash.startswith("scrypt:32768:8:1$")


def test_changing_a_password_needs_the_current_one_unless_a_link_was_just_used(app, client, make_staff):
    make_staff("desk@example.org")
    submit(client, "/login", {"email": "desk@example.org", "password": STAFF_PASSWORD})

    missing = _save_password(client, "another good password")
    assert missing.status_code == 422 and "Enter your current password to change it." in missing.get_data(as_text=True)
    wrong = _save_password(client, "another good password", current="not it at all")
    assert wrong.status_code == 422 and "That is not your current password." in wrong.get_data(as_text=True)
    assert _account(app, "desk@example.org").check_password(STAFF_PASSWORD)

    assert _save_password(client, "another good password", current=STAFF_PASSWORD).status_code == 303
    assert _account(app, "desk@example.org").check_password("another good password")


# -- 2. Sessions the server can end ---------------------------------------------------------------

def _copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_sign_out_ends_the_session_wherever_its_cookie_was_copied(app, client, auth, make_staff):
    make_staff("desk@example.org", admin=True)
    auth.login_staff("desk@example.org")
    copy = _copy_of(app, client)
    assert signed_in_as(copy) == "desk@example.org"

    auth.logout()
    assert signed_in_as(client) is None
    assert signed_in_as(copy) is None
    assert copy.get("/staff/").status_code == 302
    assert _count(app, SignInSession) == 0


def test_a_new_password_ends_every_other_session_of_the_account(app, client, auth, make_staff):
    make_staff("desk@example.org", admin=True)
    auth.login_staff("desk@example.org")
    copy = _copy_of(app, client)
    laptop = app.test_client()
    assert submit(laptop, "/login", {"email": "desk@example.org", "password": STAFF_PASSWORD}).status_code == 303
    other = make_staff("other@example.org", admin=True)
    elsewhere = app.test_client()
    sign_in(elsewhere, other.id)

    response = _save_password(client, "a fresh secret phrase", current=STAFF_PASSWORD)
    assert response.status_code == 303
    assert "Every other session of this account is signed out." in client.get("/account").get_data(as_text=True)
    assert signed_in_as(client) == "desk@example.org"
    assert signed_in_as(laptop) is None and signed_in_as(copy) is None
    assert signed_in_as(elsewhere) == "other@example.org"


def test_sign_out_everywhere_ends_every_session_of_the_account(app, client, auth, make_staff):
    user = make_staff("desk@example.org", admin=True)
    auth.login_staff("desk@example.org")
    laptop = app.test_client()
    sign_in(laptop, user.id)
    copy = _copy_of(app, client)

    assert "Sign out everywhere" in client.get("/account").get_data(as_text=True)
    response = submit(client, "/account/sign-out-everywhere", {}, page="/account")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "You are signed out on every device." in client.get("/").get_data(as_text=True)
    assert [signed_in_as(c) for c in (client, laptop, copy)] == [None, None, None]


def test_erasing_the_account_ends_every_session(app, make_event):
    event = make_event()
    guest = app.test_client()
    user_id = sign_in_new_account(guest, "wang@example.org")
    assert submit(guest, "/e/summit/register", registration_form(category=_delegate(event))).status_code == 303
    phone = app.test_client()
    sign_in(phone, user_id)
    copy = _copy_of(app, guest)

    response = submit(guest, "/e/summit/me/data/erase", {"understood": "y"})
    assert response.status_code == 303
    assert [signed_in_as(c) for c in (guest, phone, copy)] == [None, None, None]
    assert _count(app, SignInSession) == 0


def test_losing_a_staff_role_ends_the_sessions_that_held_it(app, client, auth, make_event, make_staff):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk", "lodging"))
    auth.login_staff("desk@example.org")
    laptop = app.test_client()
    sign_in(laptop, desk.id)
    assert client.get("/staff/e/summit/guests").status_code == 200

    # Gaining a role ends nothing.
    with app.app_context():
        db.session.add(StaffRole(user_id=desk.id, event_id=event.id, role="organizer"))
        db.session.commit()
    assert client.get("/staff/e/summit/settings").status_code == 200
    assert signed_in_as(laptop) == "desk@example.org"

    with app.app_context():
        db.session.execute(delete(StaffRole).where(StaffRole.role == "organizer"))
        db.session.commit()
    assert signed_in_as(client) is None and signed_in_as(laptop) is None
    # Signing in again gives a session with the roles held now.
    auth.login_staff("desk@example.org")
    assert client.get("/staff/e/summit/guests").status_code == 200


def test_a_staff_session_ends_after_the_idle_time_and_a_guests_does_not(app, make_event, make_staff):
    event = make_event()
    desk = make_staff("desk@example.org", event, roles=("helpdesk",))
    staff, guest = app.test_client(), app.test_client()
    sign_in(staff, desk.id)
    sign_in_new_account(guest, "wang@example.org")
    idle = app.config["STAFF_IDLE_MINUTES"]
    assert idle >= 60

    # Activity keeps a staff session alive: a request after a few minutes notes it.
    with app.app_context():
        db.session.execute(update(SignInSession).values(last_seen_at=utcnow() - timedelta(minutes=idle - 1)))
        db.session.commit()
    assert staff.get("/staff/e/summit/guests").status_code == 200
    with app.app_context():
        seen = db.session.scalar(select(SignInSession.last_seen_at).where(SignInSession.user_id == desk.id))
        assert seen > utcnow() - timedelta(minutes=1)

    with app.app_context():
        db.session.execute(update(SignInSession).values(last_seen_at=utcnow() - timedelta(minutes=idle + 1)))
        db.session.commit()
    assert signed_in_as(staff) is None
    response = staff.get("/staff/e/summit/guests")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert signed_in_as(guest) == "wang@example.org"


def test_every_session_ends_after_its_lifetime(app, client):
    sign_in_new_account(client, "wang@example.org")
    with app.app_context():
        db.session.execute(update(SignInSession).values(
            created_at=utcnow() - timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"] + 60)))
        db.session.commit()
    assert signed_in_as(client) is None


def test_a_cookie_from_before_server_side_sessions_signs_in_nobody(app, client, make_staff):
    user = make_staff("desk@example.org", admin=True)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what the cookie used to carry
    assert signed_in_as(client) is None


@pytest.mark.parametrize("role", ["guest", "staff"])
def test_the_cookie_carries_a_session_token_and_the_database_only_its_hash(app, client, make_staff, role):
    user = make_staff("desk@example.org", admin=role == "staff")
    token = sign_in(client, user.id)
    assert len(token) >= 43 and str(user.id) != token
    with app.app_context():
        stored = db.session.scalar(select(SignInSession.token_hash))
    assert token not in stored and len(stored) == 64
