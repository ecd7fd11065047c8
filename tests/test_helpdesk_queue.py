"""The staff side of the help desk: the live queue, taking, assigning, replying, notes,
canned replies, response targets, permissions and what the desk may see of a guest."""

import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from portal import outbox
from portal.database import utcnow
from portal.extensions import db
from portal.helpdesk import services
from portal.helpdesk.tickets import TicketError, targets_for
from portal.models import CannedReply, Event, StaffRole, Ticket, TicketChange, TicketMessage, User
from tests.factories import make_registration, queries_for, raise_ticket, submit

NOTE = "Internal: guest seemed unwell, check on him at lunch"


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def as_desk(client, auth, desk):
    auth.login_staff(desk.email)
    return client


def taken_by(app, event, person_id: int) -> int:
    """A ticket raised, then taken by this person through the service; its number."""
    [number] = raise_ticket(app, event)
    with app.test_request_context(method="POST"):
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        services.take(ticket, db.session.get(User, person_id))
    return number


def reference(number: int) -> str:
    return f"H-{number:03d}"


# -- Who may see the desk ------------------------------------------------------------------------

@pytest.mark.parametrize("roles, status", [(("helpdesk",), 200), (("organizer",), 200), (("lodging", "transport", "catering"), 403)])
def test_the_queue_is_for_the_desk_and_organizers(app, client, auth, make_staff, event, roles, status):
    person = make_staff("someone@example.org", event, roles=roles)
    auth.login_staff(person.email)
    assert client.get("/staff/e/summit/helpdesk").status_code == status
    assert ("Help desk" in client.get("/staff/e/summit/").get_data(as_text=True)) == (status == 200)


def test_canned_replies_targets_and_metrics_are_the_organizers(as_desk):
    for url in ("/staff/e/summit/helpdesk/canned", "/staff/e/summit/helpdesk/targets",
                "/staff/e/summit/helpdesk/metrics", "/staff/e/summit/helpdesk/metrics.csv"):
        assert as_desk.get(url).status_code == 403, url


def test_the_desk_sees_no_more_of_a_guest_than_the_ticket_holds(app, as_desk, event):
    guest = make_registration(app, event, organization="Secret Holdings", job_title="Minister of Things")
    [number] = raise_ticket(app, event, guest=guest)
    for url in ("/staff/e/summit/helpdesk", f"/staff/e/summit/helpdesk/{number}"):
        page = as_desk.get(url).get_data(as_text=True)
        assert "Wang Xiaoming" in page
        assert "Secret Holdings" not in page and "Minister of Things" not in page and guest["code"] not in page


def test_a_ticket_number_of_another_event_is_not_found(app, as_desk, event, make_event):
    other = make_event(slug="other", name_en="Other", name_zh="其他")
    raise_ticket(app, other, subject="Elsewhere")
    assert as_desk.get("/staff/e/summit/helpdesk/1").status_code == 404
    assert as_desk.get("/staff/e/other/helpdesk/1").status_code == 403
    assert submit(as_desk, "/staff/e/summit/helpdesk/1/take", {}, page="/staff/e/summit/helpdesk").status_code == 404


# -- The queue -----------------------------------------------------------------------------------

def test_the_queue_lists_and_filters_urgent_first(app, as_desk, event):
    raise_ticket(app, event, subject="Lost umbrella", category="lost_found")
    raise_ticket(app, event, subject="Chest pain", category="medical")
    page = as_desk.get("/staff/e/summit/helpdesk").get_data(as_text=True)
    # The medical request comes first; its subject is for those who may read medical notes.
    assert page.index('data-ticket="H-002"') < page.index('data-ticket="H-001"')
    assert "Lost umbrella" in page and "Chest pain" not in page
    assert 'class="ticket-row priority-urgent' in page
    assert 'hx-trigger="every 5s"' in page and "Refresh now" in page and 'aria-live="assertive"' in page
    medical = as_desk.get("/staff/e/summit/helpdesk?category=medical").get_data(as_text=True)
    assert 'data-ticket="H-002"' in medical and "Lost umbrella" not in medical
    low = as_desk.get("/staff/e/summit/helpdesk?priority=low").get_data(as_text=True)
    assert "No requests match." in low
    assert as_desk.get("/staff/e/summit/helpdesk?state=bogus&assignee=<x>&category=%00").status_code in (200, 400)
    mine = as_desk.get("/staff/e/summit/helpdesk?assignee=me").get_data(as_text=True)
    assert 'data-ticket="H-002"' not in mine and "No requests match." in mine


def test_an_overdue_ticket_stands_out_and_time_left_shows(app, as_desk, event):
    [late] = raise_ticket(app, event, subject="Waiting forever")
    raise_ticket(app, event, subject="Just now")
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == late))
        ticket.created_at = utcnow() - timedelta(minutes=90)
        db.session.commit()
    page = as_desk.get("/staff/e/summit/helpdesk").get_data(as_text=True)
    assert "ticket-overdue" in page and "overdue by 30 min" in page
    assert "1 h 00 min left" in page or "59 min left" in page


def test_the_poll_gets_the_queue_alone_with_every_change(app, as_desk, event):
    raise_ticket(app, event)
    first = as_desk.get("/staff/e/summit/helpdesk", headers=POLL)
    assert first.status_code == 200 and 'id="helpdesk-queue"' in first.get_data(as_text=True)
    assert "<html" not in first.get_data(as_text=True)
    raise_ticket(app, event, subject="Another")
    changed = as_desk.get("/staff/e/summit/helpdesk", headers=POLL)
    assert changed.status_code == 200 and "Another" in changed.get_data(as_text=True)


POLL = {"HX-Request": "true"}
SECONDS_LEFT = re.compile(r'data-seconds-left="(-?\d+)"')


def test_the_poll_shows_the_clocks_moved_on(app, as_desk, event, monkeypatch):
    raise_ticket(app, event, subject="Lost badge")
    first = as_desk.get("/staff/e/summit/helpdesk", headers=POLL)
    assert "1 h 00 min left" in first.get_data(as_text=True)
    now = utcnow()
    monkeypatch.setattr("portal.staff.helpdesk.utcnow", lambda: now + timedelta(minutes=3))
    assert "57 min left" in as_desk.get("/staff/e/summit/helpdesk", headers=POLL).get_data(as_text=True)


def test_new_response_targets_show_on_the_next_poll(app, as_organizer, event):
    raise_ticket(app, event)
    assert "1 h 00 min left" in as_organizer.get("/staff/e/summit/helpdesk", headers=POLL).get_data(as_text=True)
    targets = {"urgent": "5", "high": "15", "normal": "30", "low": "240"}
    assert submit(as_organizer, "/staff/e/summit/helpdesk/targets", targets).status_code == 303
    assert "30 min left" in as_organizer.get("/staff/e/summit/helpdesk", headers=POLL).get_data(as_text=True)


def test_a_ticket_taken_shows_on_the_next_poll(app, as_desk, desk, event):
    [number] = raise_ticket(app, event)
    assert "Take H-" in as_desk.get("/staff/e/summit/helpdesk", headers=POLL).get_data(as_text=True)
    with app.test_request_context(method="POST"):
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        services.take(ticket, db.session.get(User, desk.id))
    changed = as_desk.get("/staff/e/summit/helpdesk", headers=POLL).get_data(as_text=True)
    assert "desk" in changed and "Take H-" not in changed


def test_a_desk_member_renamed_shows_renamed(app, as_desk, desk, event):
    taken_by(app, event, desk.id)
    assert "Ana Lima" not in as_desk.get("/staff/e/summit/helpdesk", headers=POLL).get_data(as_text=True)
    renamed = submit(as_desk, "/account", {"display_name": "Ana Lima", "language": "en", "new_password": ""})
    assert renamed.status_code == 303
    assert "Ana Lima" in as_desk.get("/staff/e/summit/helpdesk", headers=POLL).get_data(as_text=True)


def test_an_assignee_who_left_the_desk_and_was_renamed_is_shown_renamed(app, as_organizer, desk, event):
    taken_by(app, event, desk.id)
    with app.app_context():
        db.session.execute(delete(StaffRole).where(StaffRole.user_id == desk.id))
        db.session.commit()
    as_organizer.get("/staff/e/summit/helpdesk", headers=POLL)
    with app.app_context():
        db.session.get(User, desk.id).display_name = "Ana Lima"
        db.session.commit()
    assert "Ana Lima" in as_organizer.get("/staff/e/summit/helpdesk", headers=POLL).get_data(as_text=True)


def test_someone_joining_the_desk_is_offered_in_the_assignee_filter(app, as_desk, make_staff, event):
    raise_ticket(app, event)
    as_desk.get("/staff/e/summit/helpdesk")
    newcomer = make_staff("bruno@example.org", event, roles=("helpdesk",))
    page = as_desk.get("/staff/e/summit/helpdesk")
    assert page.status_code == 200
    assert f'<option value="{newcomer.id}">bruno</option>' in page.get_data(as_text=True)


def test_a_page_with_a_flash_to_show_shows_it_once(app, as_desk, event):
    raise_ticket(app, event)
    with as_desk.session_transaction() as session:
        session["_flashes"] = [("error", "H-001 was just taken by Ana.")]
    page = as_desk.get("/staff/e/summit/helpdesk")
    assert page.status_code == 200 and "H-001 was just taken by Ana." in page.get_data(as_text=True)
    assert "H-001 was just taken by Ana." not in as_desk.get("/staff/e/summit/helpdesk").get_data(as_text=True)


def test_the_queue_script_loads_on_staff_pages_only(app, as_desk, event):
    script = "/static/js/helpdesk-queue.js"
    assert script in as_desk.get("/staff/e/summit/helpdesk").get_data(as_text=True)
    assert script in as_desk.get("/staff/").get_data(as_text=True)
    assert script not in as_desk.get("/e/summit/").get_data(as_text=True)
    assert script not in app.test_client().get("/login").get_data(as_text=True)


@pytest.mark.parametrize("language, labels", [
    ("en", ("%(time)s left", "overdue by %(time)s", "%(minutes)d min", "%(hours)d h %(minutes)02d min")),
    ("zh_Hans", ("剩余 %(time)s", "已超时 %(time)s", "%(minutes)d 分钟", "%(hours)d 小时 %(minutes)02d 分钟")),
])
def test_a_moving_clock_carries_its_seconds_left_and_the_queue_its_wordings(app, as_desk, event, language, labels):
    raise_ticket(app, event, subject="Running")
    [late] = raise_ticket(app, event, subject="Late")
    [waiting] = raise_ticket(app, event, subject="Waiting on the guest")
    with as_desk.session_transaction() as session:
        session["lang"] = language  # as the language switch leaves it
    with app.app_context():
        tickets = {t.number: t for t in db.session.scalars(select(Ticket))}
        tickets[late].created_at = utcnow() - timedelta(minutes=90)
        tickets[waiting].state, tickets[waiting].pending_since = "pending", utcnow()
        db.session.commit()
    page = as_desk.get("/staff/e/summit/helpdesk").get_data(as_text=True)
    rows = {row.split('"')[1]: row for row in page.split('data-ticket=')[1:]}
    [running] = SECONDS_LEFT.findall(rows[reference(1)])
    [overdue] = SECONDS_LEFT.findall(rows[reference(late)])
    assert 3590 <= int(running) <= 3600 and -30 * 60 - 10 <= int(overdue) <= -30 * 60
    assert 'class="ticket-overdue-label" data-seconds-left=' in rows[reference(late)]
    # A stopped clock does not move, so it carries nothing to count down.
    assert not SECONDS_LEFT.findall(rows[reference(waiting)])
    left, overdue_by, minutes, hours = labels
    assert (f'data-clock-left="{left}" data-clock-overdue="{overdue_by}"' in page
            and f'data-clock-minutes="{minutes}" data-clock-hours="{hours}"' in page)
    rendered_at = int(re.search(r'data-rendered-at="(\d+)"', page).group(1))
    assert abs(rendered_at - time.time()) < 60


def test_a_new_urgent_ticket_is_announced_once(app, as_desk, event):
    page = as_desk.get("/staff/e/summit/helpdesk", headers={"HX-Request": "true"}).get_data(as_text=True)
    [number] = raise_ticket(app, event, subject="Stuck in the lift in hall B", priority="urgent")
    import re
    poll = re.search(r'hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    fresh = as_desk.get(poll, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="queue-announce" hx-swap-oob="innerHTML"' in fresh
    assert f"New urgent request {reference(number)}: Stuck in the lift in hall B" in fresh
    poll = re.search(r'hx-get="([^"]+)"', fresh).group(1).replace("&amp;", "&")
    assert "queue-announce" not in as_desk.get(poll, headers={"HX-Request": "true"}).get_data(as_text=True)


def test_the_queue_costs_the_same_queries_for_3_or_40_tickets(app, client, auth, make_staff, event):
    people = [make_staff(f"desk{i}@example.org", event, roles=("helpdesk",)) for i in range(3)]
    auth.login_staff(people[0].email)
    raise_ticket(app, event, number_of=3)
    few = queries_for(app, client, "/staff/e/summit/helpdesk?state=all")
    raise_ticket(app, event, number_of=37, category="medical")
    with app.app_context():
        for i, ticket in enumerate(db.session.scalars(select(Ticket))):
            ticket.assignee_id = people[i % 3].id
        db.session.commit()
    many = queries_for(app, client, "/staff/e/summit/helpdesk?state=all")
    assert client.get("/staff/e/summit/helpdesk?state=all").get_data(as_text=True).count('class="ticket-row') == 40
    assert len(few) == len(many), (few, many)


# -- Taking and assigning ------------------------------------------------------------------------

def test_take_in_one_click_and_the_slower_colleague_is_told(app, client, as_desk, make_staff, event):
    [number] = raise_ticket(app, event)
    colleague = app.test_client()
    other = make_staff("other@example.org", event, roles=("helpdesk",))
    submit(colleague, "/login", {"email": other.email, "password": "correct horse battery"})
    queue_page = "/staff/e/summit/helpdesk"
    response = submit(as_desk, f"/staff/e/summit/helpdesk/{number}/take", {}, page=queue_page)
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/e/summit/helpdesk/{number}"
    late = submit(colleague, f"/staff/e/summit/helpdesk/{number}/take", {}, page=queue_page, follow_redirects=True)
    assert "was just taken by desk" in late.get_data(as_text=True)
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.assignee.email == "desk@example.org" and ticket.state == "open"
        assert [(c.what, c.new) for c in ticket.changes] == [("assignee", "desk"), ("state", "open")]


def test_two_staff_taking_at_once_exactly_one_gets_it(app, make_staff, event):
    [number] = raise_ticket(app, event)
    people = [make_staff(f"racer{i}@example.org", event, roles=("helpdesk",)) for i in range(6)]
    barrier = threading.Barrier(len(people))
    outcomes = []

    def take(person_id):
        with app.test_request_context(method="POST"):
            try:
                ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
                person = db.session.get(User, person_id)
                db.session.commit()  # end the read transaction before waiting (SQLite locks at BEGIN)
                barrier.wait()
                services.take(ticket, person)
                outcomes.append(("took", person_id))
            except TicketError as error:
                outcomes.append((str(error), error.holder.id if error.holder else None))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take, args=(p.id,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [who for what, who in outcomes if what == "took"]
    assert len(winners) == 1 and len(outcomes) == len(people)
    assert all(what == "already-taken" and who == winners[0] for what, who in outcomes if what != "took")
    with app.app_context():
        assert db.session.scalar(select(Ticket.assignee_id)) == winners[0]
        assert db.session.scalar(select(func.count()).select_from(TicketChange).where(TicketChange.what == "assignee")) == 1


def test_assign_to_a_colleague(app, as_desk, make_staff, event):
    colleague = make_staff("colleague@example.org", event, roles=("helpdesk",))
    [number] = raise_ticket(app, event)
    url = f"/staff/e/summit/helpdesk/{number}"
    response = submit(as_desk, url + "/assign", {"assignee": str(colleague.id)}, page=url)
    assert response.status_code == 303
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.assignee_id == colleague.id and ticket.state == "open"
    # Someone who is not on the desk cannot be chosen.
    outsider = make_staff("outsider@example.org")
    submit(as_desk, url + "/assign", {"assignee": str(outsider.id)}, page=url)
    with app.app_context():
        assert db.session.scalar(select(Ticket.assignee_id)) == colleague.id


# -- Replies, notes and states -------------------------------------------------------------------

def test_reply_mails_the_guest_and_a_note_stays_inside(app, as_desk, event, mailbox):
    guest = make_registration(app, event, language="zh_Hans")
    [number] = raise_ticket(app, event, guest=guest)
    url = f"/staff/e/summit/helpdesk/{number}"
    assert submit(as_desk, url + "/reply", {"message": NOTE, "kind": "internal", "canned": "0"}, page=url).status_code == 303
    assert submit(as_desk, url + "/reply", {"message": "We are on it.", "kind": "public", "canned": "0",
                                            "then": "pending"}, page=url).status_code == 303
    with app.app_context():
        outbox.deliver()
        ticket = db.session.scalar(select(Ticket))
        assert ticket.state == "pending" and ticket.first_response_at is not None
        assert [m.kind for m in ticket.messages] == ["guest", "internal", "public"]
    replies = [m for m in mailbox.to(guest["email"]) if reference(number) in m["Subject"] and "答复" in m["Subject"] or "We are on it." in m.get_body(("plain",)).get_content()]
    assert len(replies) == 1
    for mail in mailbox.messages:
        assert "seemed unwell" not in mail.as_string()
    page = as_desk.get(url).get_data(as_text=True)
    assert NOTE in page and "Internal note" in page


@pytest.mark.parametrize("message, expected", [
    ("", "Write a message or choose a canned reply."), ("x" * 5001, "At most 5000 characters.")])
def test_an_empty_or_oversized_staff_reply_is_refused(app, as_desk, event, message, expected):
    [number] = raise_ticket(app, event)
    url = f"/staff/e/summit/helpdesk/{number}"
    response = submit(as_desk, url + "/reply", {"message": message, "kind": "public", "canned": "0"}, page=url)
    assert response.status_code == 422 and expected in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TicketMessage)) == 1


def test_states_follow_the_table(app, as_desk, event):
    [number] = raise_ticket(app, event)
    url = f"/staff/e/summit/helpdesk/{number}"
    assert submit(as_desk, url + "/state", {"state": "closed"}, page=url).status_code == 303
    response = submit(as_desk, url + "/state", {"state": "open"}, page="/staff/e/summit/helpdesk",
                      follow_redirects=True)
    assert "cannot be changed that way" in response.get_data(as_text=True) or "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Ticket.state)) == "closed"


def test_a_medical_ticket_may_be_lowered(app, as_desk, event):
    [number] = raise_ticket(app, event, category="medical")
    url = f"/staff/e/summit/helpdesk/{number}"
    submit(as_desk, url + "/priority", {"priority": "normal"}, page=url)
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        assert ticket.priority == "normal"
        assert [(c.what, c.old, c.new) for c in ticket.changes] == [("priority", "urgent", "normal")]


# -- Canned replies and targets ------------------------------------------------------------------

@pytest.fixture
def as_organizer(client, auth, make_staff, event):
    boss = make_staff("boss@example.org", event, roles=("organizer",))
    auth.login_staff(boss.email)
    return client


def test_canned_replies_are_sent_in_the_guests_language(app, as_organizer, event, mailbox):
    url = "/staff/e/summit/helpdesk/canned"
    bad = submit(as_organizer, url, {"title_en": "", "body_en": "x"})
    assert bad.status_code == 422 and "Enter a title." in bad.get_data(as_text=True)
    assert submit(as_organizer, url, {"title_en": "Shuttle times", "title_zh": "班车时间",
                                      "body_en": "Shuttles leave every 20 minutes.",
                                      "body_zh": "班车每20分钟一班。"}).status_code == 303
    with app.app_context():
        canned_id = db.session.scalar(select(CannedReply.id))
    guest = make_registration(app, event, language="zh_Hans")
    [number] = raise_ticket(app, event, guest=guest)
    ticket_url = f"/staff/e/summit/helpdesk/{number}"
    assert "Shuttle times" in as_organizer.get(ticket_url).get_data(as_text=True)
    submit(as_organizer, ticket_url + "/reply", {"message": "", "canned": str(canned_id), "kind": "public"},
           page=ticket_url)
    with app.app_context():
        outbox.deliver()
        assert db.session.scalar(select(TicketMessage.body).where(TicketMessage.kind == "public")) == "班车每20分钟一班。"
    edit = f"{url}/{canned_id}"
    assert submit(as_organizer, edit, {"title_en": "Shuttles", "body_en": "Every 15 minutes."}).status_code == 303
    assert "Every 15 minutes." in as_organizer.get(url).get_data(as_text=True)
    assert submit(as_organizer, edit + "/delete", {}, page=url).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CannedReply)) == 0


def test_response_targets_are_the_organizers_to_set(app, as_organizer, event):
    url = "/staff/e/summit/helpdesk/targets"
    assert 'value="5"' in as_organizer.get(url).get_data(as_text=True)
    bad = submit(as_organizer, url, {"urgent": "0", "high": "15", "normal": "60", "low": "abc"})
    assert bad.status_code == 422
    assert submit(as_organizer, url, {"urgent": "3", "high": "10", "normal": "45", "low": "120"}).status_code == 303
    with app.app_context():
        assert targets_for(db.session.get(Event, event.id)) == {"urgent": 3, "high": 10, "normal": 45, "low": 120}
