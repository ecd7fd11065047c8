"""Survey reminders: as many as the organizer wants, each confirmed for the number it goes to; the list
of guests who have not answered, exported."""

import csv
import io

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Survey
from tests.factories import form_as_shown, send
from tests.sessions import sign_in
from tests.factories import add_guest, add_survey
from tests.factories import RATING_AND_TEXT


def _setup(app, make_event, make_staff, anonymous=False):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    survey = add_survey(app, event, RATING_AND_TEXT, anonymous=anonymous)
    add_guest(app, event, "ann@example.org", name="Ann Lee")
    add_guest(app, event, "wang@example.org", name="Wang Wei", language="zh_Hans")
    staff = app.test_client()
    sign_in(staff, organizer.id)
    return event, survey, staff, f"/staff/e/{event.slug}/surveys/{survey['id']}"


def _remind(staff, base):
    response = send(staff, f"{base}/remind", form_as_shown(staff, f"{base}/remind"))
    response.close()  # the mails leave once the response is done, as on the server
    return response


def test_each_reminder_is_confirmed_for_its_count_and_sent_again_only_when_asked(app, make_event, make_staff,
                                                                              mailbox):
    event, survey, staff, base = _setup(app, make_event, make_staff)
    assert "Send the reminder to 2 guests" in staff.get(f"{base}/remind").get_data(as_text=True)
    assert not mailbox.messages
    assert _remind(staff, base).status_code == 303
    assert sorted(m["To"] for m in mailbox.messages) == ["ann@example.org", "wang@example.org"]
    assert any(m["Subject"].startswith("提醒") or "问卷" in m["Subject"] for m in mailbox.to("wang@example.org"))

    # A second reminder, confirmed again; then one more guest is asked before the third is sent.
    mailbox.messages.clear()
    assert _remind(staff, base).status_code == 303
    assert len(mailbox.messages) == 2
    confirm_page = form_as_shown(staff, f"{base}/remind")
    add_guest(app, event, "late@example.org", name="Lou Late")
    mailbox.messages.clear()
    stale = send(staff, f"{base}/remind", confirm_page)
    assert stale.status_code == 422
    assert "changed" in stale.get_data(as_text=True) and "Send the reminder to 3 guests" in stale.get_data(as_text=True)
    assert not mailbox.messages
    # The same confirmation posted twice (a double click) sends one reminder.
    confirm_page = form_as_shown(staff, f"{base}/remind")
    assert send(staff, f"{base}/remind", confirm_page).status_code == 303
    twice = send(staff, f"{base}/remind", confirm_page)
    assert twice.status_code == 422 and "meanwhile" in twice.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Survey, survey["id"]).reminders_sent == 3
        details = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "survey.remind")
                                     .order_by(AuditEntry.id)).all()
    assert details == ["reminder 1: 2", "reminder 2: 2", "reminder 3: 3"]
    assert "3 reminders sent" in staff.get(base).get_data(as_text=True)


def test_the_list_of_guests_who_have_not_answered_downloads_as_csv(app, make_event, make_staff):
    event, survey, staff, base = _setup(app, make_event, make_staff)
    waiting = staff.get(f"{base}/waiting").get_data(as_text=True)
    assert f"{base}/waiting.csv" in waiting
    response = staff.get(f"{base}/waiting.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["Guest", "Name in own script"]
    assert sorted(r[4] for r in rows[1:]) == ["ann@example.org", "wang@example.org"]
    assert sorted((r[4], r[6]) for r in rows[1:]) == [("ann@example.org", "English"), ("wang@example.org", "Chinese")]
    assert staff.get(f"{base}/waiting.xlsx").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "survey.export_waiting")) == 2


def test_an_anonymous_survey_never_exports_who_has_not_answered(app, make_event, make_staff):
    _event, _survey, staff, base = _setup(app, make_event, make_staff, anonymous=True)
    assert staff.get(f"{base}/waiting.csv").status_code == 404
    assert "waiting.csv" not in staff.get(f"{base}/waiting").get_data(as_text=True)


def test_a_coordinator_neither_reminds_nor_exports(app, make_event, make_staff):
    event, _survey, _staff, base = _setup(app, make_event, make_staff)
    coordinator = make_staff("coord@example.org", event, roles=("lodging",))
    client = app.test_client()
    sign_in(client, coordinator.id)
    assert client.get(f"{base}/remind").status_code == 403
    assert client.get(f"{base}/waiting.csv").status_code == 403


def test_a_chinese_colon_is_not_followed_by_a_space(app, make_event, make_staff):
    event, survey, staff, base = _setup(app, make_event, make_staff)
    with staff.session_transaction() as session:
        session["lang"] = "zh_Hans"
    page = " ".join(staff.get(base).get_data(as_text=True).split())
    assert "状态：开放" in page and "状态： " not in page
    waiting = " ".join(staff.get(f"{base}/waiting").get_data(as_text=True).split())
    assert "下载名单：<a" in waiting


def test_a_survey_open_by_its_date_before_the_invitations_went_out_invites_on_one_click(
        app, make_event, make_staff, mailbox):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    survey = add_survey(app, event, RATING_AND_TEXT, invited=False)
    add_guest(app, event, "ann@example.org", name="Ann Lee")
    staff = app.test_client()
    sign_in(staff, organizer.id)
    base = f"/staff/e/{event.slug}/surveys/{survey['id']}"
    page = staff.get(base).get_data(as_text=True)
    assert "No invitation has gone out yet." in page and "when the survey opens" not in page
    response = send(staff, f"{base}/open", form_as_shown(staff, base, action=f"{base}/open"))
    response.close()
    assert response.status_code == 303
    assert [m["To"] for m in mailbox.messages] == ["ann@example.org"]
    page = staff.get(base).get_data(as_text=True)
    assert "Invitations sent" in page
    assert "Invite the guests now" not in page
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "survey.invite")) == "1"
