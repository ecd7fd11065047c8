"""Bulk mail: a group chosen by plan data, previewed for real guests, confirmed by its count, sent in
each guest's language through the outbox and the real SMTP server."""

import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, OutboundMail, Registration
from tests.factories import form_as_shown, replace, send
from tests.factories import add_guest

TEXT = {
    "subject_en": "Your shuttle, {name}",
    "subject_zh": "{name}，您的班车",
    "body_en": "Dear {name},\n\nYour code is {code}.\nYour page: {link}",
    "body_zh": "尊敬的{name}：\n\n您的确认码是 {code}。\n您的页面：{link}",
}


def _organizer(client, make_staff, event, roles=("organizer",)):
    from tests.sessions import sign_in

    user = make_staff("boss@example.org", event, roles=roles)
    sign_in(client, user.id)
    return user


def _guests(app, event):
    _, wang = add_guest(app, event, "wang@example.org", language="zh_Hans", name="Wang Xiaoming")
    _, ann = add_guest(app, event, "ann@example.org", name="Ann Lee")
    add_guest(app, event, "vip@example.org", category="vip", name="Vera Ip")
    add_guest(app, event, "gone@example.org", state="cancelled", name="Gus One")
    with app.app_context():
        db.session.get(Registration, wang).name_original = "王小明"
        db.session.get(Registration, wang).honorific = "Mr"
        db.session.get(Registration, ann).honorific = "Dr"
        db.session.commit()
        return {r.email: r.confirmation_code for r in db.session.scalars(select(Registration))}


def _filled(client, event, **group):
    url = f"/staff/e/{event.slug}/mail"
    fields = form_as_shown(client, url)
    for name, value in {**TEXT, **group}.items():
        fields = replace(fields, name, value)
    return url, fields


def test_an_organizer_previews_confirms_the_count_and_each_guest_gets_their_language(
        app, client, make_event, make_staff, mailbox):
    event = make_event()
    codes = _guests(app, event)
    _organizer(client, make_staff, event)
    delegate = next(c.id for c in event.categories if c.code == "delegate")
    url, fields = _filled(client, event, category=str(delegate), state="confirmed")

    preview = send(client, url, fields + [("step", "preview")])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "This mail goes to 2 guests." in page
    assert "Send to 2 guests" in page
    # Rendered for a real guest of each language, with their values.
    assert f"您的确认码是 {codes['wang@example.org']}" in page
    assert "王小明先生，您的班车" in page
    assert "Your shuttle, Dr Lee" in page
    assert not mailbox.messages

    # The organizer confirms what the preview showed: the form as the page now holds it.
    shown = [(k, v) for k, v in _read(page, url) if k != "step"]
    response = send(client, url, shown + [("step", "send")])
    response.close()  # the mails go out once the response is done, as on the server
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/e/{event.slug}/outbox"
    assert sorted(m["To"] for m in mailbox.messages) == ["ann@example.org", "wang@example.org"]
    wang = mailbox.to("wang@example.org")[0]
    assert wang["Subject"] == "王小明先生，您的班车"
    body = wang.get_body(("plain",)).get_content()
    assert codes["wang@example.org"] in body and "http://localhost/e/summit/me" in body
    ann = mailbox.to("ann@example.org")[0]
    assert ann["Subject"] == "Your shuttle, Dr Lee"
    assert f"Your code is {codes['ann@example.org']}." in ann.get_body(("plain",)).get_content()
    assert "http://localhost/e/summit/me" in ann.get_body(("html",)).get_content()
    # The same confirmation sent again (a second click, the browser's history) sends nothing twice.
    again = send(client, url, shown + [("step", "send")])
    assert again.status_code == 303
    assert "already sent to this group" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(mailbox.messages) == 2
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mail.bulk"))
        assert entry.detail.startswith("2 guests")
        assert db.session.scalar(select(OutboundMail.kind).limit(1)) == "bulk"


def _read(page: str, url: str) -> list[tuple[str, str]]:
    from tests.factories import _FormReader

    reader = _FormReader(url, url)
    reader.feed(page)
    return reader.fields


def test_a_group_that_grew_since_the_preview_is_confirmed_again(app, client, make_event, make_staff, mailbox):
    event = make_event()
    _guests(app, event)
    _organizer(client, make_staff, event)
    url, fields = _filled(client, event, state="confirmed")
    page = send(client, url, fields + [("step", "preview")]).get_data(as_text=True)
    assert "This mail goes to 3 guests." in page
    add_guest(app, event, "late@example.org", name="Lou Late")
    shown = [(k, v) for k, v in _read(page, url) if k != "step"]
    again = send(client, url, shown + [("step", "send")])
    assert again.status_code == 422
    text = again.get_data(as_text=True)
    assert "The group changed since the preview" in text and "Send to 4 guests" in text
    assert not mailbox.messages
    # Changing the text after the preview asks for a new preview, too.
    shown = [(k, v) for k, v in _read(text, url) if k != "step"]
    changed = send(client, url, replace(shown, "body_en", "Something else, {name}") + [("step", "send")])
    assert changed.status_code == 422
    assert "The mail changed since the preview" in changed.get_data(as_text=True)
    assert not mailbox.messages
    sent = send(client, url, _read(changed.get_data(as_text=True), url) + [("step", "send")])
    sent.close()
    assert sent.status_code == 303
    assert len(mailbox.messages) == 4


def test_an_unknown_placeholder_is_shown_beside_its_field_and_the_text_kept(app, client, make_event, make_staff):
    event = make_event()
    _organizer(client, make_staff, event)
    url, fields = _filled(client, event)
    response = send(client, url, replace(fields, "body_en", "Hello {first_name}") + [("step", "preview")])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="body_en-error">Unknown placeholder: \{first_name\}', page)
    assert "Hello {first_name}</textarea>" in page


def test_groups_by_hotel_arrival_and_session(app, client, make_event, make_staff, mailbox):
    from portal.lodging import services as lodging
    from portal.models import AgendaEntry, Event, Session
    from portal.transport import services as transport
    from tests.factories import make_block
    from datetime import datetime, time

    event = make_event()
    _guests(app, event)
    block_id = make_block(app, event)
    with app.test_request_context():
        row = db.session.get(Event, event.id)
        wang = db.session.scalar(select(Registration).where(Registration.email == "wang@example.org"))
        ann = db.session.scalar(select(Registration).where(Registration.email == "ann@example.org"))
        lodging.file_request(row, wang, lodging.Stay(block_id=block_id, check_in=event.starts_on,
                                                     check_out=event.starts_on + timedelta(days=1), occupancy=1))
        transport.save_leg(row, ann, "arrival", transport.Journey(
            mode="flight", carrier="CA", number="1501", local_time=datetime.combine(event.starts_on - timedelta(days=1), time(23, 30)),
            station="PVG", terminal="T2", passengers=1, luggage=1))
        starts = datetime.combine(event.starts_on, time(9), tzinfo=row.zone)
        session = Session(event_id=event.id, title_en="Opening", title_zh="开幕", starts_at=starts,
                          ends_at=starts + timedelta(hours=1))
        db.session.add(session)
        db.session.flush()
        db.session.add(AgendaEntry(registration_id=ann.id, session_id=session.id))
        db.session.commit()
        hotel_id, session_id = db.session.get(Registration, wang.id) and block_id, session.id
        from portal.models import RoomBlock
        hotel_id = db.session.get(RoomBlock, block_id).hotel_id
    _organizer(client, make_staff, event)
    url, _fields = _filled(client, event)

    def count(**group):
        _u, fields = _filled(client, event, **group)
        page = send(client, url, fields + [("step", "preview")]).get_data(as_text=True)
        found = re.search(r"This mail goes to (\d+) guest", page)
        return int(found.group(1)) if found else 0

    assert count(hotel=str(hotel_id)) == 1
    assert count(arrival_day=event.starts_on.isoformat()) == 1  # Wang's check-in
    # Ann lands at 23:30 the evening before, in the event's time zone.
    assert count(arrival_day=(event.starts_on - timedelta(days=1)).isoformat()) == 1
    assert count(session=str(session_id)) == 1
    assert count(state="cancelled") == 1


def test_only_the_organizer_writes_bulk_mail(app, client, make_event, make_staff):
    event = make_event()
    from tests.sessions import sign_in

    for role in ("lodging", "transport", "catering", "helpdesk"):
        user = make_staff(f"{role}@example.org", event, roles=(role,))
        sign_in(client, user.id)
        assert client.get(f"/staff/e/{event.slug}/mail").status_code == 403
    organizer = make_staff("org@example.org", event, roles=("organizer",))
    sign_in(client, organizer.id)
    page = client.get(f"/staff/e/{event.slug}/mail")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "Mail to guests" in page.get_data(as_text=True)
