"""A registration's life across features (issue 17): leaving gives everything back, the way back in,
admitting and reserving, declining an invitation, edits that change only what changed, surveys after
the event."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import outbox
from portal.agenda import services as agenda
from portal.extensions import db
from portal.lodging import services as lodging
from portal.models import (
    AgendaEntry, AuditEntry, Category, Event, Invitation, LodgingRequest, Registration, RegistrationChange,
    ScheduleNotice, Session, SessionChange, TransportLeg,
)
from portal.rules import RuleRefused
from tests.factories import (
    at, confirm_stay, file_stay, form_as_shown, local_now, make_room, make_session, make_small_block, make_speaker,
    nights_taken, register, replace, seat, send, state_of, submit,
)
from tests.sessions import sign_in


def _guest_client(app, user_id):
    client = app.test_client()
    sign_in(client, user_id)
    return client


def _set(app, model, row_id, **values):
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def _deliver(app):
    with app.app_context():
        outbox.deliver()


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


# ---------------------------------------------------------------- 1. one release path


def test_a_guest_sees_what_cancelling_gives_up_and_cancelling_frees_room_place_and_seat(
        app, event, make_staff, mailbox):  # noqa: F811
    guest = register(app, event, "leaving@example.org", name="Lena Leaving")
    other = register(app, event, "keen@example.org", name="Kim Keen")
    block_id = make_small_block(app, event, rooms=1)
    request_id = file_stay(app, event, guest.registration_id, block_id)
    confirm_stay(app, event, request_id)
    workshop = make_session(app, event, "Tea workshop", at(event, 1, 10), capacity=1)
    with app.app_context():
        agenda.add_to_agenda(db.session.get(Event, event.id), db.session.get(Registration, guest.registration_id),
                             workshop)
    leg_id = seat(app, event, guest.registration_id, "arrival", local_now(event) + timedelta(hours=3), "Car 1")
    assert nights_taken(app, block_id) == [0, 1, 1, 0]

    client = _guest_client(app, guest.id)
    page = client.get(f"/e/{event.slug}/me/cancel").get_data(as_text=True)
    assert "Lakeside Hotel" in page and "Tea workshop" in page and "Your arrival pickup" in page

    assert submit(client, f"/e/{event.slug}/me/cancel", {}).status_code == 303
    assert state_of(app, guest.registration_id) == "cancelled"
    assert nights_taken(app, block_id) == [0, 0, 0, 0]
    with app.app_context():
        request = db.session.get(LodgingRequest, request_id)
        assert request.state == "cancelled" and not request.holds_rooms
        assert db.session.get(TransportLeg, leg_id).state == "cancelled"
        assert db.session.get(TransportLeg, leg_id).vehicle_id is None
        assert db.session.scalar(select(AgendaEntry).where(AgendaEntry.session_id == workshop)) is None
        # The freed place is there for the next guest.
        toggle = agenda.add_to_agenda(db.session.get(Event, event.id),
                                      db.session.get(Registration, other.registration_id), workshop)
        assert toggle.held
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.cancel"))
        assert f"lodging_request:{request_id}" in audit.detail and f"transport_leg:{leg_id}" in audit.detail
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Your room is confirmed" not in trip
    _deliver(app)
    cancelled = [m for m in mailbox.to("leaving@example.org") if "cancelled" in m["Subject"]]
    assert "Lakeside Hotel" in _text(cancelled[-1]) and "Tea workshop" in _text(cancelled[-1])


def _shared_stay(app, event):  # noqa: F811
    """Hilda's confirmed room, shared with Max, who agreed."""
    host = register(app, event, "host@example.org", name="Hilda Host")
    mate = register(app, event, "mate@example.org", name="Max Mate")
    block_id = make_small_block(app, event, rooms=2)
    request_id = file_stay(app, event, host.registration_id, block_id, occupancy=2, roommate_email="mate@example.org")
    with app.app_context():
        lodging.answer_roommate(db.session.get(Event, event.id), db.session.get(Registration, mate.registration_id),
                                request_id, accept=True)
    confirm_stay(app, event, request_id)
    return host, mate, block_id, request_id


def test_the_roommate_of_a_guest_who_cancels_keeps_the_room_alone_and_is_told(app, event, mailbox):  # noqa: F811
    host, mate, block_id, request_id = _shared_stay(app, event)
    submit(_guest_client(app, host.id), f"/e/{event.slug}/me/cancel", {})
    with app.app_context():
        request = db.session.get(LodgingRequest, request_id)
        assert request.registration_id == mate.registration_id and request.roommate_id is None
        assert request.state == "confirmed" and request.occupancy == 1 and request.review_reason == "roommate-left"
    assert nights_taken(app, block_id) == [0, 1, 1, 0]
    _deliver(app)
    assert "Hilda Host is no longer coming" in _text(mailbox.to("mate@example.org")[-1])
    trip = _guest_client(app, mate.id).get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "you keep this room on your own" in trip


def test_when_the_roommate_cancels_the_host_stays_alone_flagged_for_the_coordinators(app, event, mailbox):  # noqa: F811
    host, mate, _, request_id = _shared_stay(app, event)
    submit(_guest_client(app, mate.id), f"/e/{event.slug}/me/cancel", {})
    with app.app_context():
        request = db.session.get(LodgingRequest, request_id)
        assert request.registration_id == host.registration_id and request.roommate_id is None
        assert request.occupancy == 1 and request.review_reason == "roommate-left" and request.state == "confirmed"
    _deliver(app)
    assert "Max Mate is no longer coming" in _text(mailbox.to("host@example.org")[-1])


def test_a_staff_decline_withdraws_the_pending_requests(app, client, auth, event, make_staff):  # noqa: F811
    _set(app, Event, event.id, approval_required=True)
    guest = register(app, event, "pending@example.org")
    block_id = make_small_block(app, event)
    request_id = file_stay(app, event, guest.registration_id, block_id)
    auth.login_as(make_staff("boss@example.org", event, roles=("organizer",)))
    url = f"/staff/e/{event.slug}/guests/{guest.registration_id}"
    assert submit(client, f"{url}/decline", {"decline-reason": "Ministers only."}, page=url).status_code == 303
    assert state_of(app, guest.registration_id) == "declined"
    with app.app_context():
        assert db.session.get(LodgingRequest, request_id).state == "cancelled"


# ---------------------------------------------------------------- 2. freed rooms go somewhere


@pytest.mark.parametrize("mode, expected", [("offer", "requested"), ("confirm", "confirmed")])
def test_freed_nights_go_to_the_waiting_requests_in_order_and_the_coordinator_is_told(
        app, event, make_staff, mailbox, mode, expected):  # noqa: F811
    _set(app, Event, event.id, freed_rooms=mode)
    make_staff("coord@example.org", event, roles=("lodging",))
    holder = register(app, event, "holder@example.org")
    first, second = register(app, event, "first@example.org"), register(app, event, "second@example.org")
    block_id = make_small_block(app, event, rooms=1)
    held = file_stay(app, event, holder.registration_id, block_id)
    confirm_stay(app, event, held)
    waiting = []
    for guest in (first, second):
        request_id = file_stay(app, event, guest.registration_id, block_id)
        with app.app_context():
            lodging.waitlist(db.session.get(Event, event.id), request_id, None, "Full")
        waiting.append(request_id)
    submit(_guest_client(app, holder.id), f"/e/{event.slug}/me/cancel", {})
    with app.app_context():
        states = [db.session.get(LodgingRequest, r).state for r in waiting]
    assert states == [expected, "waitlisted"]
    assert nights_taken(app, block_id) == ([0, 1, 1, 0] if mode == "confirm" else [0, 0, 0, 0])
    _deliver(app)
    (told,) = mailbox.to("coord@example.org")
    assert "First" in _text(told) and "Second" not in _text(told)


# ---------------------------------------------------------------- 3. reinstate


def test_staff_reinstate_a_cancelled_guest_confirmed_if_free_else_waitlisted(app, client, auth, make_event,
                                                                             make_staff):
    event = make_event(capacity=1)
    first = register(app, event, "first@example.org")
    submit(_guest_client(app, first.id), f"/e/{event.slug}/me/cancel", {})
    auth.login_as(make_staff("boss@example.org", event, roles=("organizer",)))
    url = f"/staff/e/{event.slug}/guests/{first.registration_id}"
    assert "Reinstate this registration" in client.get(url).get_data(as_text=True)
    refused = submit(client, f"{url}/reinstate", {"reinstate-reason": " "}, page=url)
    assert refused.status_code == 422 and "Give a reason for reinstating." in refused.get_data(as_text=True)
    assert state_of(app, first.registration_id) == "cancelled"
    assert submit(client, f"{url}/reinstate", {"reinstate-reason": "Cancelled by mistake"}, page=url).status_code == 303
    assert state_of(app, first.registration_id) == "confirmed"

    # Now full: a second cancelled guest comes back to the waiting list.
    _set(app, Event, event.id, capacity=2)
    second = register(app, event, "second@example.org")
    submit(_guest_client(app, second.id), f"/e/{event.slug}/me/cancel", {})
    register(app, event, "third@example.org")
    url = f"/staff/e/{event.slug}/guests/{second.registration_id}"
    submit(client, f"{url}/reinstate", {"reinstate-reason": "Phoned us"}, page=url)
    assert state_of(app, second.registration_id) == "waitlisted"
    with app.app_context():
        steps = db.session.scalars(select(RegistrationChange.to_state).where(
            RegistrationChange.registration_id == second.registration_id).order_by(RegistrationChange.id)).all()
        assert steps == ["confirmed", "cancelled", "waitlisted"]
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.reinstate"))


def test_a_declined_guest_can_be_reinstated_but_not_approved(app, client, auth, make_event, make_staff):
    event = make_event(approval_required=True)
    guest = register(app, event, "minister@example.org")
    auth.login_as(make_staff("boss@example.org", event, roles=("organizer",)))
    url = f"/staff/e/{event.slug}/guests/{guest.registration_id}"
    submit(client, f"{url}/decline", {"decline-reason": "Mistake"}, page=url)
    submit(client, f"{url}/reinstate", {"reinstate-reason": "Declined the wrong guest"}, page=url)
    assert state_of(app, guest.registration_id) == "confirmed"


# ---------------------------------------------------------------- 4. admit and reserve


def test_an_organizer_admits_a_chosen_guest_over_the_capacity_and_the_report_shows_it(
        app, client, auth, make_event, make_staff):
    event = make_event(capacity=1)
    register(app, event, "first@example.org")
    minister = register(app, event, "minister@example.org", category="vip", name="Minister Ma")
    assert state_of(app, minister.registration_id) == "waitlisted"
    auth.login_as(make_staff("boss@example.org", event, roles=("organizer",)))
    url = f"/staff/e/{event.slug}/guests/{minister.registration_id}"
    refused = submit(client, f"{url}/admit", {"admit-reason": ""}, page=url)
    assert refused.status_code == 422
    assert submit(client, f"{url}/admit", {"admit-reason": "Head of delegation"}, page=url).status_code == 303
    with app.app_context():
        registration = db.session.get(Registration, minister.registration_id)
        assert registration.state == "confirmed" and registration.admitted_over_capacity
        assert db.session.scalar(select(AuditEntry.detail).where(
            AuditEntry.action == "registration.admit_over_capacity")) == "Head of delegation"
    report = client.get(f"/staff/e/{event.slug}/report").get_data(as_text=True)
    assert "Minister Ma" in report and "Head of delegation" in report


def test_only_a_confirmed_registration_may_be_over_the_capacity_in_the_database(app, make_event):
    event = make_event()
    guest = register(app, event, "g@example.org")
    with app.app_context():
        registration = db.session.get(Registration, guest.registration_id)
        registration.state, registration.admitted_over_capacity = "cancelled", True
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        category = db.session.scalar(select(Category).where(Category.event_id == event.id))
        category.reserved_places = -1
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_reserved_places_are_closed_to_other_categories_until_released(app, client, auth, make_event, make_staff):
    event = make_event(capacity=3)
    auth.login_as(make_staff("boss@example.org", event, roles=("organizer",)))
    with app.app_context():
        vip = db.session.scalar(select(Category).where(Category.event_id == event.id, Category.code == "vip"))
        vip_id = vip.id
    edit = f"/staff/e/{event.slug}/categories/{vip_id}"
    too_many = send(client, edit, replace(form_as_shown(client, edit), "reserved_places", "4"))
    assert too_many.status_code == 422 and "cannot reserve more" in too_many.get_data(as_text=True)
    assert send(client, edit, replace(form_as_shown(client, edit), "reserved_places", "2")).status_code == 303

    delegates = [register(app, event, f"d{i}@example.org") for i in range(3)]
    assert [state_of(app, d.registration_id) for d in delegates] == ["confirmed", "waitlisted", "waitlisted"]
    vip_guest = register(app, event, "vip@example.org", category="vip")
    assert state_of(app, vip_guest.registration_id) == "confirmed"
    page = client.get(f"/staff/e/{event.slug}/categories").get_data(as_text=True)
    assert "1 of 2 used" in page
    assert submit(client, f"/staff/e/{event.slug}/categories/{vip_id}/release", {},
                  page=f"/staff/e/{event.slug}/categories").status_code == 303
    # The one unused VIP place goes to the first delegate waiting, in order.
    assert [state_of(app, d.registration_id) for d in delegates] == ["confirmed", "confirmed", "waitlisted"]


def test_raising_the_capacity_promotes_in_order_and_keeps_the_reservation(app, client, auth, make_event,
                                                                          make_staff):
    event = make_event(capacity=1)
    _set(app, Category, _category_id(app, event, "vip"), reserved_places=1)
    delegate_a, delegate_b = register(app, event, "a@example.org"), register(app, event, "b@example.org")
    assert state_of(app, delegate_a.registration_id) == "waitlisted"  # the one place is the VIPs'
    auth.login_as(make_staff("boss@example.org", event, roles=("organizer",)))
    settings = f"/staff/e/{event.slug}/settings"
    assert send(client, settings, replace(form_as_shown(client, settings), "capacity", "2")).status_code == 303
    assert [state_of(app, g.registration_id) for g in (delegate_a, delegate_b)] == ["confirmed", "waitlisted"]
    # One delegate is in and one place is kept for VIPs: two places at least.
    lowered = send(client, settings, replace(form_as_shown(client, settings), "capacity", "1"))
    assert lowered.status_code == 422 and "cannot be lower" in lowered.get_data(as_text=True)


def _category_id(app, event, code):
    with app.app_context():
        return db.session.scalar(select(Category.id).where(Category.event_id == event.id, Category.code == code))


def test_the_waiting_list_shows_each_guests_position_to_the_guest_and_to_staff(app, client, auth, make_event,
                                                                               make_staff):
    event = make_event(capacity=1)
    register(app, event, "in@example.org")
    waiting = [register(app, event, f"w{i}@example.org") for i in range(3)]
    page = _guest_client(app, waiting[2].id).get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "You are number 3 on the waiting list." in page
    auth.login_as(make_staff("boss@example.org", event, roles=("organizer",)))
    page = client.get(f"/staff/e/{event.slug}/guests/{waiting[1].registration_id}").get_data(as_text=True)
    assert "Number 2 on the waiting list" in page


def test_the_check_in_desk_lets_a_waitlisted_guest_in_at_the_door(app, client, auth, make_event, make_staff):
    event = make_event(capacity=1)
    register(app, event, "in@example.org")
    vip = register(app, event, "vip@example.org", category="vip", name="Vera Vip")
    auth.login_as(make_staff("desk@example.org", event, roles=("helpdesk",)))
    desk = f"/staff/e/{event.slug}/check-in?q=Vera"
    assert "Let Vera Vip in and check in" in client.get(desk).get_data(as_text=True)
    response = submit(client, f"/staff/e/{event.slug}/check-in/{vip.registration_id}/admit",
                      {"reason": "Minister's delegation", "q": "Vera"}, page=desk)
    assert response.status_code == 303
    with app.app_context():
        registration = db.session.get(Registration, vip.registration_id)
        assert registration.state == "confirmed" and registration.admitted_over_capacity
    assert "Undo the check-in of Vera Vip" in client.get(desk).get_data(as_text=True)


@pytest.mark.parametrize("path", ["reinstate", "admit"])
def test_only_organizers_reinstate_or_admit(app, client, auth, make_event, make_staff, path):
    event = make_event(capacity=1)
    register(app, event, "in@example.org")
    guest = register(app, event, "w@example.org")
    auth.login_as(make_staff("desk@example.org", event, roles=("helpdesk",)))
    url = f"/staff/e/{event.slug}/guests/{guest.registration_id}"
    response = submit(client, f"{url}/{path}", {f"{path}-reason": "please"}, page=url)
    assert response.status_code == 403
    assert state_of(app, guest.registration_id) == "waitlisted"


# ---------------------------------------------------------------- 5. declining an invitation


def _invite(app, event, email="guest@example.org"):
    with app.app_context():
        from portal.guests import services as guest_services

        invitation, token = guest_services.create_invitation(db.session.get(Event, event.id), email, "Gao Guest",
                                                             None, "en")
        guest_services.send_invitation(db.session.get(Event, event.id), invitation, token)
        db.session.commit()
        return invitation.id, token


def test_an_invitee_declines_from_the_personal_link_and_may_still_accept(app, client, make_event, make_staff,
                                                                         mailbox):
    event = make_event(reply_by=date.today() + timedelta(days=10))
    invitation_id, token = _invite(app, event)
    _deliver(app)
    text = _text(mailbox.to("guest@example.org")[0])
    assert "Please answer by" in text and f"/e/{event.slug}/register/{token}/decline" in text
    link = f"/e/{event.slug}/register/{token}"
    assert "I cannot attend" in client.get(link).get_data(as_text=True)
    assert submit(client, f"{link}/decline", {}).status_code == 303
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).declined_at is not None
    assert "We have noted that you cannot attend" in client.get(f"{link}/decline").get_data(as_text=True)
    assert "You told us you cannot attend" in client.get(link).get_data(as_text=True)
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    sign_in(client, organizer.id)
    assert "Declined" in client.get(f"/staff/e/{event.slug}/invitations").get_data(as_text=True)


def test_an_invitation_sent_during_the_event_does_not_read_as_if_it_were_to_come(app, make_event, mailbox):
    event = make_event(starts_on=date.today() - timedelta(days=1), ends_on=date.today() + timedelta(days=1))
    _invite(app, event)
    _deliver(app)
    assert "is under way" in _text(mailbox.to("guest@example.org")[0])


# ---------------------------------------------------------------- 6. edits change only what changed


@pytest.fixture
def held_session(app, client, auth, make_event, make_staff, mailbox):
    event = make_event()
    rooms = make_room(app, event, "Lotus Hall"), make_room(app, event, "Peony Room")
    speakers = make_speaker(app, event, "Ada Lovelace"), make_speaker(app, event, "Grace Hopper")
    session_id = make_session(app, event, "Future of trade", at(event, 0, 10), room=rooms[0], speakers=speakers,
                              capacity=50, visibility="categories", categories=["vip"])
    holder = register(app, event, "holder@example.org", category="vip")
    with app.app_context():
        db.session.add(AgendaEntry(registration_id=holder.registration_id, session_id=session_id))
        db.session.commit()
    _deliver(app)
    mailbox.messages.clear()
    auth.login_as(make_staff("olivia@example.org", event, roles=("organizer",)))
    return event, session_id, rooms, speakers


def test_the_edit_form_pre_selects_the_saved_speakers_and_categories_and_an_unchanged_save_changes_nothing(
        app, client, held_session, mailbox):
    event, session_id, _, speakers = held_session
    url = f"/staff/e/{event.slug}/agenda/sessions/{session_id}"
    fields = form_as_shown(client, url)
    assert sorted(int(v) for k, v in fields if k == "speakers") == sorted(speakers)
    assert [int(v) for k, v in fields if k == "categories"] == [_category_id(app, event, "vip")]
    with app.app_context():
        before = db.session.get(Session, session_id).updated_at
    assert send(client, url, fields).status_code == 303
    _deliver(app)
    assert mailbox.messages == []
    with app.app_context():
        session = db.session.get(Session, session_id)
        assert sorted(s.id for s in session.speakers) == sorted(speakers) and session.updated_at == before
        assert db.session.scalar(select(SessionChange.id)) is None
        assert db.session.scalar(select(ScheduleNotice.id)) is None


EDITS = {  # form field → (new value(s), the field the notice names, or None when guests are not told)
    "starts_at": (lambda e, r, s: [at(e, 0, 14).strftime("%Y-%m-%dT%H:%M")], "time"),
    "room": (lambda e, r, s: [str(r[1])], "room"),
    "speakers": (lambda e, r, s: [str(s[0])], "speakers"),
    "status": (lambda e, r, s: ["cancelled"], "status"),
    "title_en": (lambda e, r, s: ["The future of trade"], None),
    "description_en": (lambda e, r, s: ["A new description"], None),
    "kind": (lambda e, r, s: ["workshop"], None),
    "capacity": (lambda e, r, s: ["60"], None),
}


@pytest.mark.parametrize("name", EDITS)
def test_editing_one_field_alone_tells_holders_about_exactly_that_field(app, client, held_session, mailbox, name):
    event, session_id, rooms, speakers = held_session
    url = f"/staff/e/{event.slug}/agenda/sessions/{session_id}"
    values, told = EDITS[name]
    fields = replace(form_as_shown(client, url), name, *values(event, rooms, speakers))
    if name == "starts_at":
        fields = replace(fields, "ends_at", at(event, 0, 15).strftime("%Y-%m-%dT%H:%M"))
    assert send(client, url, fields).status_code == 303
    with app.app_context():
        changes = db.session.scalars(select(SessionChange.changes)).all()
    if told is None:
        assert changes == []
    else:
        assert [sorted(json.loads(c)) for c in changes] == [[told]]
        _deliver(app)
        assert len(mailbox.to("holder@example.org")) == 1


# ---------------------------------------------------------------- 7. roommate and note


def test_the_roommate_sees_the_host_as_the_person_they_share_with(app, event):  # noqa: F811
    host = register(app, event, "host@example.org", name="Hilda Host")
    mate = register(app, event, "mate@example.org", name="Max Mate")
    block_id = make_small_block(app, event)
    file_stay(app, event, host.registration_id, block_id, occupancy=2, roommate_email="mate@example.org")
    client = _guest_client(app, mate.id)
    with app.app_context():
        request_id = db.session.scalar(select(LodgingRequest.id))
    submit(client, f"/e/{event.slug}/me/lodging/shares/{request_id}", {"answer": "accept"},
           page=f"/e/{event.slug}/me")
    page = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    sharing = page.split('data-testid="sharing-with">', 1)[1].split("<", 1)[0]
    assert sharing == "Hilda Host"


def test_the_coordinators_note_survives_confirmation_to_the_mail_and_my_trip(app, client, auth, event, make_staff,
                                                                            mailbox):  # noqa: F811
    guest = register(app, event, "guest@example.org")
    request_id = file_stay(app, event, guest.registration_id, make_small_block(app, event))
    auth.login_as(make_staff("coord@example.org", event, roles=("lodging",)))
    queue = f"/staff/e/{event.slug}/lodging/requests"
    response = submit(client, f"{queue}/{request_id}/decide", {
        f"r{request_id}-confirmation_number": "LH-1", f"r{request_id}-room_number": "808",
        f"r{request_id}-note": "Late check-in arranged until 2 a.m.", "action": "confirm"}, page=queue)
    assert response.status_code == 303
    _deliver(app)
    assert "Late check-in arranged" in _text(mailbox.to("guest@example.org")[-1])
    trip = _guest_client(app, guest.id).get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Late check-in arranged" in trip


# ---------------------------------------------------------------- 8. surveys after the event


def test_a_survey_opens_before_the_event_ends_only_when_the_organizer_confirms(app, client, auth, make_event,
                                                                               make_staff, mailbox):
    from tests.factories import add_survey
    from tests.factories import RATING_AND_TEXT

    event = make_event()
    register(app, event, "guest@example.org")
    _deliver(app)
    mailbox.messages.clear()
    survey = add_survey(app, event, RATING_AND_TEXT, open_=False, invited=False)
    auth.login_as(make_staff("boss@example.org", event, roles=("organizer",)))
    base = f"/staff/e/{event.slug}/surveys/{survey['id']}"
    asked = submit(client, f"{base}/open", {}, page=base)
    assert asked.status_code == 200 and "normally opens after the last day" in asked.get_data(as_text=True)
    _deliver(app)
    assert mailbox.messages == []
    assert submit(client, f"{base}/open", {"early": "yes"}, page=base).status_code == 303
    _deliver(app)
    text = _text(mailbox.to("guest@example.org")[0])
    assert "Thank you for attending" not in text and "Before Future Summit begins" in text
    fields = replace(form_as_shown(client, base), "opens_at", event.ends_on.strftime("%Y-%m-%dT09:00"))
    refused = send(client, base, fields)
    assert refused.status_code == 422 and "A survey opens after the event" in refused.get_data(as_text=True)


def test_cancellations_and_confirmations_at_once_keep_the_nights_true(app, event):  # noqa: F811
    """Guests leave while a coordinator confirms waiting stays in the same block: no night is lost or doubled."""
    from portal import lifecycle

    _set(app, Event, event.id, freed_rooms="confirm")
    block_id = make_small_block(app, event, rooms=3)
    holders = [register(app, event, f"holder{n}@example.org") for n in range(3)]
    for guest in holders:
        confirm_stay(app, event, file_stay(app, event, guest.registration_id, block_id))
    waiting = []
    for n in range(3):
        guest = register(app, event, f"waiting{n}@example.org")
        request_id = file_stay(app, event, guest.registration_id, block_id)
        with app.app_context():
            lodging.waitlist(db.session.get(Event, event.id), request_id, None, "Full")
        waiting.append(request_id)
    start = threading.Barrier(6)

    def leave(guest):
        with app.app_context():
            registration = db.session.get(Registration, guest.registration_id)
            db.session.commit()
            start.wait(timeout=30)
            lifecycle.cancel(registration, actor=registration.user)

    def confirm(request_id):
        with app.app_context():
            start.wait(timeout=30)
            try:
                lodging.confirm(db.session.get(Event, event.id), request_id, None, "H-9")
            except RuleRefused:
                db.session.rollback()

    with ThreadPoolExecutor(max_workers=6) as pool:
        for future in [pool.submit(leave, g) for g in holders] + [pool.submit(confirm, r) for r in waiting]:
            future.result()
    with app.app_context():
        stays = db.session.scalars(select(LodgingRequest).where(LodgingRequest.block_id == block_id)).all()
        assert sorted(s.state for s in stays) == ["cancelled"] * 3 + ["confirmed"] * 3
        assert all(s.holds_rooms == (s.state == "confirmed") for s in stays)
    assert nights_taken(app, block_id) == [0, 3, 3, 0]
