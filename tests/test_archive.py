"""The event archive: one ZIP of CSV, JSON and the report; sensitive needs only when ticked; the choice audited."""

import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.checkin import services as checkin
from portal.extensions import db
from portal.models import Announcement, AuditEntry, Event, Registration, RegistrationChange, User, Vehicle
from tests.factories import build_dataset, submit
from tests.factories import organizer_client

LISTS = ("registrations", "invitations", "agenda", "check_ins", "lodging", "transport", "session_ratings", "tickets")
SENSITIVE = ("dietary", "allergies", "accessibility", "medical")


def _download(staff, event, **data):
    response = submit(staff, f"/staff/e/{event.slug}/archive", data)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{event.slug}-archive.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def _audit(app):
    with app.app_context():
        return [(e.action, e.detail) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(("archive.download", "sensitive.export")))
            .order_by(AuditEntry.id))]


def test_the_archive_leaves_sensitive_needs_out_by_default(app, make_event, make_staff):
    event = make_event(starts_on=date.today() - timedelta(days=3), ends_on=date.today() - timedelta(days=1))
    ids = build_dataset(app, event)
    staff = organizer_client(app, event, make_staff)
    assert "Include dietary, accessibility and medical needs" in staff.get(
        f"/staff/e/{event.slug}/archive").get_data(as_text=True)

    files = _download(staff, event)
    for name in LISTS:
        assert f"csv/{name}.csv" in files and f"json/{name}.json" in files, name
    survey = ids["survey"]
    assert f"csv/survey_{survey}_answers.csv" in files and f"json/survey_{survey}_summary.json" in files
    assert not any(name.endswith(f"/{kind}.csv") for name in files for kind in SENSITIVE)
    manifest = json.loads(files["manifest.json"])
    assert manifest["sensitive_needs_included"] is False and "report.html" in manifest["files"]

    registrations = json.loads(files["json/registrations.json"])
    assert {r["email"] for r in registrations} == {f"{n}@example.org" for n in ("ana", "ben", "cai", "dee", "eve")}
    assert "ticket_code" not in registrations[0]
    assert "Ana Vip" in files["csv/registrations.csv"].decode("utf-8-sig")
    lodging = json.loads(files["json/lodging.json"])
    assert sorted((r["nights"], r["nightly_rate"], r["state"]) for r in lodging)[0] == (2, "150.00", "confirmed")
    tickets = json.loads(files["json/tickets.json"])
    assert [t["subject"] for t in tickets] == ["Late check-in", "Extra pillow", ""]  # the medical one withheld
    # The lists name no one's needs (the report counts diets, naming no one).
    everything = b"".join(data for name, data in files.items() if name != "report.html").decode("utf-8", "replace")
    for secret in ("asthma", "Insulin", "halal", "vegan"):
        assert secret not in everything, secret
    report = files["report.html"].decode("utf-8")
    assert "Post-event report" in report and 'data-figure="confirmed">3<' in report
    answers = files[f"csv/survey_{survey}_answers.csv"].decode("utf-8-sig")
    assert "Splendid" in answers

    assert _audit(app) == [("archive.download", "sensitive needs left out")]


def test_ticking_the_box_adds_sensitive_needs_and_says_so_in_the_audit_log(app, make_event, make_staff):
    event = make_event(starts_on=date.today() - timedelta(days=3), ends_on=date.today() - timedelta(days=1))
    build_dataset(app, event)
    staff = organizer_client(app, event, make_staff)
    files = _download(staff, event, include_sensitive="y")
    for kind in SENSITIVE:
        assert f"csv/{kind}.csv" in files and f"json/{kind}.json" in files
    medical = json.loads(files["json/medical.json"])
    assert medical == [{"registration_id": medical[0]["registration_id"], "guest": "Ana Vip",
                        "notes": "Severe asthma, inhaler in bag", "emergency_name": "", "emergency_phone": "",
                        "emergency_relation": ""}]
    assert sorted(d["diet"] for d in json.loads(files["json/dietary.json"])) == ["halal", "kosher", "vegan", "vegan"]
    assert json.loads(files["json/tickets.json"])[2]["subject"] == "Insulin must be kept cold"
    assert json.loads(files["manifest.json"])["sensitive_needs_included"] is True
    assert _audit(app) == [("archive.download", "sensitive needs included"), ("sensitive.export", "zip")]


def test_an_anonymous_survey_stays_anonymous_in_the_archive(app, make_event, make_staff):
    from tests.factories import add_guest, add_survey
    from tests.sessions import sign_in

    event = make_event()
    survey = add_survey(app, event, [("long_text", "Say anything", {})], anonymous=True)
    user_id, _ = add_guest(app, event, "secret.person@example.org", name="Secret Person")
    client = app.test_client()
    sign_in(client, user_id)
    submit(client, f"/e/{event.slug}/me/survey", {f"q{survey['questions'][0]}": "Loved it", "action": "submit"})
    files = _download(organizer_client(app, event, make_staff), event)
    answers = files[f"csv/survey_{survey['id']}_answers.csv"].decode("utf-8-sig")
    assert "Loved it" in answers
    assert "Secret Person" not in answers and "secret.person" not in answers
    assert "Delegate" not in answers  # a group of one is never named


def test_a_forged_or_expired_form_downloads_nothing(app, make_event, make_staff):
    event = make_event()
    staff = organizer_client(app, event, make_staff)
    response = staff.post(f"/staff/e/{event.slug}/archive", data={"include_sensitive": "y"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert _audit(app) == []


def test_the_archive_holds_the_event_files_and_never_a_guests_code(app, make_event, make_staff):
    event = make_event(starts_on=date.today() - timedelta(days=3), ends_on=date.today() - timedelta(days=1))
    ids = build_dataset(app, event)
    staff = organizer_client(app, event, make_staff)
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        cai = db.session.get(Registration, ids["cai"][1])
        # A desk check-in: the audit log names the guest by their confirmation code.
        checkin.check_in(db.session.get(Event, event.id), cai.id, staff=boss)
        cai = db.session.get(Registration, ids["cai"][1])
        cai.changes.append(RegistrationChange(from_state="waitlisted", to_state="confirmed", actor_id=boss.id,
                                              reason=f"Phoned in, code {cai.confirmation_code.lower()}"))
        db.session.add(Announcement(event_id=event.id, level="emergency", text_en="Shuttle 3 is late",
                                    text_zh="3号班车晚点", created_by_id=boss.id))
        db.session.scalar(select(Vehicle).where(Vehicle.event_id == event.id)).rate = Decimal("650.00")
        db.session.commit()
        codes = [c for row in db.session.execute(select(Registration.confirmation_code, Registration.ticket_code)
                                                 .where(Registration.event_id == event.id)) for c in row]
        cai_id = cai.id

    files = _download(staff, event)
    for name in ("announcements", "audit_log", "registration_history", "hotels", "room_blocks", "vehicles",
                 "survey_questions", "costs"):
        assert f"csv/{name}.csv" in files and f"json/{name}.json" in files, name
    manifest = json.loads(files["manifest.json"])
    assert "csv/audit_log.csv" in manifest["files"]

    announcement, = json.loads(files["json/announcements.json"])
    assert (announcement["level"], announcement["text_zh"], announcement["by"]) == (
        "emergency", "3号班车晚点", "boss")
    audit = json.loads(files["json/audit_log.json"])
    assert {"action": "checkin.create", "subject": f"guest {cai_id}"}.items() <= next(
        e for e in audit if e["action"] == "checkin.create").items()
    history = [h for h in json.loads(files["json/registration_history.json"]) if h["registration_id"] == cai_id]
    assert history[-1]["reason"] == f"Phoned in, code guest {cai_id}"
    hotel, = json.loads(files["json/hotels.json"])
    assert hotel["name_zh"] == "湖畔"
    assert sorted((b["room_type_en"], b["nightly_rate"], b["payer"]) for b in json.loads(
        files["json/room_blocks.json"])) == [("King", "800.00", "organizer"), ("Twin", "150.00", "guest")]
    van, = json.loads(files["json/vehicles.json"])
    assert (van["label"], van["rate"], van["passengers"]) == ("Van 1", "650.00", 3)
    questions = json.loads(files["json/survey_questions.json"])
    assert [q["text_en"] for q in questions] == ["The venue", "The shuttles", "Recommend us?", "One word"]
    # 800 × (3 + 2) organizer-paid nights; the van at 650; no budget entered.
    assert {(c["category"], c["actual"], c["difference"]) for c in json.loads(files["json/costs.json"])} >= {
        ("lodging", "4000.00", "-4000.00"), ("transport", "650.00", "-650.00")}
    assert "Confirmation code" not in files["csv/registrations.csv"].decode("utf-8-sig")

    everything = b"\n".join(files.values()).decode("utf-8", "replace").upper()
    for code in codes:
        assert code.upper() not in everything, code


def test_a_request_moved_out_of_medical_keeps_its_subject_out_of_the_archive(app, make_event, make_staff):
    event = make_event(starts_on=date.today() - timedelta(days=3), ends_on=date.today() - timedelta(days=1))
    build_dataset(app, event)
    staff = organizer_client(app, event, make_staff)
    page = staff.get(f"/staff/e/{event.slug}/helpdesk/3").get_data(as_text=True)
    assert "Insulin must be kept cold" in page
    assert submit(staff, f"/staff/e/{event.slug}/helpdesk/3/category", {"category": "other"},
                  page=f"/staff/e/{event.slug}/helpdesk/3").status_code == 303

    tickets = json.loads(_download(staff, event)["json/tickets.json"])
    assert [(t["category"], t["subject"]) for t in tickets][2] == ("other", "")
    assert "Insulin" not in _download(staff, event)["csv/tickets.csv"].decode("utf-8-sig")
