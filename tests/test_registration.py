"""Registration: public and by invitation, capacity and waitlist, edits, cancellation, bad input."""

import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select, update

from portal.database import utcnow
from portal.extensions import db
from portal.guests import services
from portal.guests.tickets import CONFIRMATION_ALPHABET
from portal.models import Event, Invitation, OutboundMail, Registration, User
from tests.factories import registration_form, submit
from tests.sessions import sign_in_new_account

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")
FIELD_ERROR = re.compile(r'<p class="error" id="([a-z_]+)-error">')


def _category_id(event, code: str) -> int:
    return next(c.id for c in event.categories if c.code == code)


def _register(app, event, email: str, **overrides):
    """Register a new guest in a browser of their own, their address proved; returns that browser and the response."""
    client = app.test_client()
    sign_in_new_account(client, email)
    data = registration_form(email=email, category=str(_category_id(event, "delegate")), **overrides)
    response = submit(client, f"/e/{event.slug}/register", data)
    response.close()  # the mail goes out once the response is closed
    return client, response


def _registration(app, email: str) -> Registration | None:
    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email == email))
        if registration is not None:
            db.session.expunge(registration)
        return registration


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Registration, User, OutboundMail)
        }


def _png_parts(message):
    return [part for part in message.walk() if part.get_content_type() == "image/png"]


def test_public_registration_confirms_and_mails_the_ticket(app, make_event, mailbox):
    event = make_event()
    client, response = _register(app, event, "wang@example.org", language="en")

    assert response.status_code == 303
    assert response.headers["Location"] == "/e/summit/me"
    registration = _registration(app, "wang@example.org")
    assert registration.state == "confirmed"
    assert registration.name_original == "王小明" and registration.name_latin == "Wang Xiaoming"
    assert registration.country == "CN" and registration.consent_at is not None
    assert len(registration.ticket_code) >= 22 and URL_SAFE.match(registration.ticket_code)
    assert registration.ticket_code != str(registration.id)
    assert len(registration.confirmation_code) == 8
    assert set(registration.confirmation_code) <= set(CONFIRMATION_ALPHABET)

    (message,) = mailbox.to("wang@example.org")
    assert message["Subject"] == "Your place at Future Summit is confirmed"
    assert registration.confirmation_code in message.get_body(preferencelist=("plain",)).get_content()
    (qr,) = _png_parts(message)
    assert qr["Content-ID"] == "<ticket-qr>"
    assert qr.get_content_disposition() == "inline"
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.get_content())))
    assert barcode.text == registration.ticket_code

    trip = client.get("/e/summit/me").get_data(as_text=True)
    assert "Confirmed" in trip and registration.confirmation_code in trip and "<svg" in trip


def test_the_confirmation_mail_is_in_the_guests_language(app, make_event, mailbox):
    event = make_event()
    _register(app, event, "wang@example.org", language="zh_Hans")
    (message,) = mailbox.to("wang@example.org")
    assert message["Subject"] == "您出席未来峰会的席位已确认"


def test_with_approval_on_a_registration_awaits_approval(app, make_event, mailbox):
    event = make_event(approval_required=True)
    client, response = _register(app, event, "wang@example.org", language="en")
    assert response.status_code == 303
    registration = _registration(app, "wang@example.org")
    assert registration.state == "pending"
    (message,) = mailbox.to("wang@example.org")
    assert _png_parts(message) == []  # no ticket before approval
    trip = client.get("/e/summit/me").get_data(as_text=True)
    assert "Awaiting approval" in trip and "<svg" not in trip


def test_when_full_a_guest_is_waitlisted(app, make_event, mailbox):
    event = make_event(capacity=1)
    _register(app, event, "first@example.org")
    client, response = _register(app, event, "second@example.org", language="en")
    assert response.status_code == 303
    assert _registration(app, "first@example.org").state == "confirmed"
    assert _registration(app, "second@example.org").state == "waitlisted"
    trip = client.get("/e/summit/me").get_data(as_text=True)
    assert "On the waiting list" in trip and "<svg" not in trip
    (message,) = mailbox.to("second@example.org")
    assert _png_parts(message) == []


def test_a_cancellation_confirms_the_next_guest_on_the_waitlist(app, make_event, mailbox):
    event = make_event(capacity=1)
    first, _ = _register(app, event, "first@example.org")
    _register(app, event, "second@example.org", language="en")
    _register(app, event, "third@example.org", language="en")
    mailbox.messages.clear()

    page = first.get("/e/summit/me/cancel")
    assert page.status_code == 200
    response = submit(first, "/e/summit/me/cancel", {})
    response.close()
    assert response.status_code == 303
    assert response.headers["Location"] == "/e/summit/me"

    assert _registration(app, "first@example.org").state == "cancelled"
    promoted = _registration(app, "second@example.org")
    assert promoted.state == "confirmed"
    assert _registration(app, "third@example.org").state == "waitlisted"
    with app.app_context():
        last = db.session.get(Registration, promoted.id).changes[-1]
        assert (last.from_state, last.to_state, last.reason) == ("waitlisted", "confirmed", "waitlist")

    (confirmed,) = mailbox.to("second@example.org")
    assert confirmed["Subject"] == "Your place at Future Summit is confirmed"
    assert len(_png_parts(confirmed)) == 1
    assert len(mailbox.to("first@example.org")) == 1  # told of the cancellation
    assert mailbox.to("third@example.org") == []


def _profile_data(**overrides) -> dict:
    data = registration_form(**overrides)
    for name in ("email", "category", "consent"):
        data.pop(name, None)
    return data


def test_a_guest_edits_their_details_until_changes_close(app, make_event):
    event = make_event(changes_close_at=utcnow() + timedelta(days=1))
    client, _ = _register(app, event, "wang@example.org", language="en")

    response = submit(client, "/e/summit/me/profile",
                      _profile_data(organization="Lakeside Capital", job_title="Partner", language="en"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/e/summit/me"
    registration = _registration(app, "wang@example.org")
    assert (registration.organization, registration.job_title) == ("Lakeside Capital", "Partner")

    with app.app_context():
        db.session.execute(update(Event).values(changes_close_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    page = client.get("/e/summit/me/profile")
    assert page.status_code == 403
    assert "Changes are closed for this event." in page.get_data(as_text=True)
    response = submit(client, "/e/summit/me/profile", _profile_data(organization="Too Late Ltd", language="en"))
    assert response.status_code == 403
    assert "Changes are closed for this event." in response.get_data(as_text=True)
    assert _registration(app, "wang@example.org").organization == "Lakeside Capital"


def test_after_the_cut_off_a_guest_cannot_cancel(app, make_event):
    event = make_event(changes_close_at=utcnow() + timedelta(days=1))
    client, _ = _register(app, event, "wang@example.org")
    with app.app_context():
        db.session.execute(update(Event).values(changes_close_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    response = submit(client, "/e/summit/me/cancel", {}, page="/e/summit/me")
    assert response.status_code == 403
    assert _registration(app, "wang@example.org").state == "confirmed"


def _invite(app, event, email="invitee@example.org", name="Amira Haddad", code="vip") -> str:
    with app.app_context():
        event = db.session.get(Event, event.id)
        category = next(c for c in event.categories if c.code == code)
        _, token = services.create_invitation(event, email, name, category, "en")
        db.session.commit()
    return token


def test_an_invitation_link_registers_the_invited_address(app, client, make_event, mailbox):
    # Invitation-only: no public registration, and the category is not open to the public.
    event = make_event(public_registration=False)
    token = _invite(app, event)
    url = f"/e/summit/register/{token}"

    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Amira Haddad"' in html and 'value="invitee@example.org"' in html

    data = registration_form(email="someone-else@example.org", category=str(_category_id(event, "delegate")),
                             name_original="أميرة حداد", name_latin="Amira Haddad", surname="Haddad", language="en")
    response = submit(client, url, data)
    response.close()
    assert response.status_code == 303
    assert response.headers["Location"] == "/e/summit/me"

    registration = _registration(app, "invitee@example.org")
    assert registration.state == "confirmed"
    assert registration.name_original == "أميرة حداد"
    with app.app_context():
        assert db.session.get(Registration, registration.id).category.code == "vip"
        assert db.session.scalar(select(User.email).where(User.id == registration.user_id)) == "invitee@example.org"
        assert db.session.scalar(select(User).where(User.email == "someone-else@example.org")) is None
        assert db.session.scalar(select(Invitation.accepted_at)) is not None
    assert len(mailbox.to("invitee@example.org")) == 1
    assert mailbox.to("someone-else@example.org") == []

    # The same browser, now signed in, goes straight to its trip.
    again = client.get(url)
    assert again.status_code == 303 and again.headers["Location"] == "/e/summit/me"
    # Anyone else who opens the used link is told it has been used.
    used = app.test_client().get(url)
    assert used.status_code == 410
    assert "You have already registered" in used.get_data(as_text=True)


def test_an_unknown_or_expired_invitation_link_is_refused(app, client, make_event):
    event = make_event()
    unknown = client.get("/e/summit/register/not-a-real-token")
    assert unknown.status_code == 404
    assert "This invitation link does not work" in unknown.get_data(as_text=True)

    token = _invite(app, event)
    with app.app_context():
        db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    expired = client.get(f"/e/summit/register/{token}")
    assert expired.status_code == 404
    assert "This invitation link does not work" in expired.get_data(as_text=True)
    response = submit(client, f"/e/summit/register/{token}", registration_form(email="invitee@example.org"),
                      page="/e/summit/")
    assert response.status_code == 404
    assert _counts(app) == {"Registration": 0, "User": 0, "OutboundMail": 0}


@pytest.mark.parametrize("settings", [
    {"public_registration": False},
    {"registration_closes_at": utcnow() - timedelta(days=1)},
    {"registration_opens_at": utcnow() + timedelta(days=1)},
    {"status": "closed"},
], ids=["invitation-only", "closed", "not-yet-open", "event-closed"])
def test_registration_refused_when_not_open(app, client, make_event, settings):
    event = make_event(**settings)
    page = client.get("/e/summit/register")
    assert page.status_code == 403
    assert "Registration is not open" in page.get_data(as_text=True)
    data = registration_form(category=str(_category_id(event, "delegate")))
    response = submit(client, "/e/summit/register", data, page="/e/summit/")
    assert response.status_code == 403
    assert _counts(app) == {"Registration": 0, "User": 0, "OutboundMail": 0}


def test_a_registered_guest_is_sent_to_my_trip(app, make_event):
    event = make_event()
    client, _ = _register(app, event, "wang@example.org")
    response = client.get("/e/summit/register")
    assert response.status_code == 303
    assert response.headers["Location"] == "/e/summit/me"
    again = submit(client, "/e/summit/register", registration_form(category=str(_category_id(event, "delegate"))),
                   page="/e/summit/me")
    assert again.status_code == 303
    assert _counts(app)["Registration"] == 1


BAD_INPUT = {
    "overlong-name": ("name_original", {"name_original": "名" * 201}, "At most 200 characters."),
    "blank-name": ("name_original", {"name_original": "   "}, "Enter your name."),
    "blank-surname": ("surname", {"surname": " "}, "Enter your family name."),
    "no-consent": ("consent", {"consent": None}, "Registration needs your consent to the privacy notice."),
    "bad-phone": ("phone", {"phone": "call me maybe"}, "Enter a phone number such as +86 138 0000 0000."),
    "phone-without-digits": ("phone", {"phone": "- - - - - -"}, "Enter a phone number such as +86 138 0000 0000."),
    "non-latin-name": ("name_latin", {"name_latin": "王小明"}, "Use Latin letters, spaces, hyphens and apostrophes only."),
    "unknown-country": ("country", {"country": "XX"}, "Not a valid choice"),
    "closed-category": ("category", {"category": "VIP"}, "Not a valid choice"),
}


@pytest.mark.parametrize("field, overrides, message", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_named_beside_the_field_and_nothing_is_stored(app, client, make_event, field, overrides, message):
    event = make_event()
    sign_in_new_account(client, "wang@example.org")
    overrides = {"category": str(_category_id(event, "delegate")), "language": "en", **overrides}
    if overrides["category"] == "VIP":  # a real category, but not one the public may choose
        overrides["category"] = str(_category_id(event, "vip"))
    data = registration_form(**overrides)

    response = submit(client, "/e/summit/register", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert FIELD_ERROR.findall(html) == [field]
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html).group(1)
    assert message in error
    # Screen readers announce the message with the field.
    control = re.search(rf'<(?:input|select)[^>]*id="{field}"[^>]*>', html).group(0)
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error\b', control) and 'aria-invalid="true"' in control

    # What was typed is still there.
    for name in ("name_original", "name_latin", "surname", "organization", "job_title", "phone", "email"):
        assert f'value="{data[name]}"' in html, name
    if field != "country":
        assert re.search(r'<option selected value="CN">|<option value="CN" selected>', html)
    if field != "consent":
        assert re.search(r'<input[^>]*checked[^>]*id="consent"|<input[^>]*id="consent"[^>]*checked', html)

    assert _counts(app) == {"Registration": 0, "User": 1, "OutboundMail": 0}


def test_a_post_without_its_csrf_token_is_refused_and_nothing_stored(app, client, make_event):
    event = make_event()
    response = client.post("/e/summit/register", data=registration_form(category=str(_category_id(event, "delegate"))))
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert _counts(app) == {"Registration": 0, "User": 0, "OutboundMail": 0}
