"""Who reads needs: least access per role, the medical permission, the audit log, and the purge."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter

from portal.extensions import db
from portal.models import AuditEntry, DietaryNeeds, MedicalNotes, NeedsConsent, Registration, StaffPermission
from tests.factories import add_needs_guest, give_consent, MEDICAL_NOTE, needs_form, stored_counts, submit
from tests.sessions import sign_in

ACCESS_NOTE = "Needs a ramp to the stage"


@pytest.fixture
def guest_with_needs(app, summit):
    """A guest who consented and stated every need, through the real forms."""
    user, registration_id = add_needs_guest(app, summit, email="amira@example.org", name="Amira Haddad")
    client = app.test_client()
    sign_in(client, user.id)
    give_consent(client)
    assert submit(client, "/e/summit/me/needs/edit",
                  needs_form(accessibility_other=ACCESS_NOTE)).status_code == 303
    return registration_id


def _staff_urls(app, event_slug: str, registration_id: int):
    """Every staff GET URL of the event, with this guest's id wherever a route takes an id."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        access_rule = getattr(view, "access_rule", None)
        if access_rule is None or access_rule.kind != "staff" or "GET" not in rule.methods:
            continue
        if "slug" not in rule.arguments:
            continue
        values = {}
        for name in rule.arguments:
            converter = rule._converters[name]
            if name == "slug":
                values[name] = event_slug
            elif isinstance(converter, IntegerConverter):
                values[name] = registration_id
            elif isinstance(converter, AnyConverter):
                values[name] = sorted(rule._converters[name].items)[0]
            else:
                values[name] = None
        if any(v is None for v in values.values()):
            # A free text part (a list name and a format): try what the app serves.
            for list_name in ("counts", "guests"):
                for fmt in ("csv", "xlsx"):
                    yield rule.rule, _fill(rule.rule, {**values, "list_name": list_name, "fmt": fmt})
            continue
        yield rule.rule, _fill(rule.rule, values)


def _fill(pattern: str, values: dict) -> str:
    url = pattern
    for name, value in values.items():
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), url)
    return url


def _every_staff_page(app, client, registration_id):
    seen = 0
    for rule, url in _staff_urls(app, "summit", registration_id):
        response = client.get(url)
        body = response.get_data()
        if response.status_code == 200 and url.endswith(".xlsx"):
            from openpyxl import load_workbook
            import io
            sheet = load_workbook(io.BytesIO(body)).active
            body = "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row).encode()
        seen += response.status_code == 200
        yield url, response.status_code, body.decode("utf-8", "replace")
    assert seen > 5


def test_a_coordinator_without_the_medical_permission_never_sees_medical_notes(
        app, client, auth, make_staff, summit, guest_with_needs):
    coordinator = make_staff("cora@example.org", summit, roles=("lodging", "transport", "catering"))
    auth.login_as(coordinator)
    pages = list(_every_staff_page(app, client, guest_with_needs))
    for url, status, body in pages:
        assert MEDICAL_NOTE not in body, url
        assert "Li Na" not in body and "+86 139 1111 2222" not in body, url
    by_url = {url: (status, body) for url, status, body in pages}
    # What the coordinator does see: diet, allergens and accessibility on the guest page, the catering board.
    status, guest_page = by_url[f"/staff/e/summit/guests/{guest_with_needs}"]
    assert status == 200 and "Halal" in guest_page and "Peanuts (Anaphylactic)" in guest_page
    assert ACCESS_NOTE in guest_page
    assert "Amira Haddad" in by_url["/staff/e/summit/catering"][1]
    assert "Peanuts (Anaphylactic)" in by_url["/staff/e/summit/catering/guests.csv"][1]


@pytest.mark.parametrize(("role", "diet", "accessibility", "catering_board"), [
    ("catering", True, False, 200), ("lodging", False, True, 403), ("transport", False, True, 403)])
def test_each_coordinator_reads_only_the_needs_of_their_area(app, client, auth, make_staff, summit, guest_with_needs,
                                                             role, diet, accessibility, catering_board):
    auth.login_as(make_staff("cora@example.org", summit, roles=(role,)))
    page = client.get(f"/staff/e/summit/guests/{guest_with_needs}").get_data(as_text=True)
    assert ("Peanuts (Anaphylactic)" in page) == diet
    assert (ACCESS_NOTE in page) == accessibility
    assert MEDICAL_NOTE not in page
    assert client.get("/staff/e/summit/catering").status_code == catering_board


def _set_team_roles(client, member, roles, medical):
    form = {f"m{member.id}-roles": list(roles)}
    if medical:
        form[f"m{member.id}-medical"] = "y"
    return submit(client, f"/staff/e/summit/team/{member.id}", form, page="/staff/e/summit/team")


def test_the_medical_permission_opens_medical_notes_and_is_audited(app, client, auth, make_staff, summit,
                                                                   guest_with_needs):
    organizer = make_staff("olivia@example.org", summit, roles=("organizer",))
    coordinator = make_staff("cora@example.org", summit, roles=("lodging",))
    auth.login_as(organizer)
    assert MEDICAL_NOTE in client.get(f"/staff/e/summit/guests/{guest_with_needs}").get_data(as_text=True)
    # The old page's address leads to the Team page, where the permission is given.
    moved = client.get("/staff/e/summit/medical-access")
    assert moved.status_code == 303 and moved.headers["Location"] == "/staff/e/summit/team#medical"
    page = client.get("/staff/e/summit/team").get_data(as_text=True)
    assert "cora@example.org" in page and 'id="medical"' in page
    assert _set_team_roles(client, coordinator, ["lodging"], medical=True).status_code == 303
    assert "cora" in re.search(r'id="medical".*?</section>', client.get("/staff/e/summit/team")
                               .get_data(as_text=True), re.S).group(0)

    auth.login_as(coordinator)
    assert MEDICAL_NOTE in client.get(f"/staff/e/summit/guests/{guest_with_needs}").get_data(as_text=True)
    # The coordinator cannot hand the permission on.
    assert client.get("/staff/e/summit/team").status_code == 403
    assert client.get("/staff/e/summit/medical-access").status_code == 403

    auth.login_as(organizer)
    _set_team_roles(client, coordinator, ["lodging"], medical=False)
    auth.login_as(coordinator)
    assert MEDICAL_NOTE not in client.get(f"/staff/e/summit/guests/{guest_with_needs}").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("permission.%"))
                                     .order_by(AuditEntry.id)).all()
        assert actions == ["permission.grant", "permission.revoke"]
        assert db.session.scalar(select(func.count()).select_from(StaffPermission)) == 0


def test_the_help_desk_sees_no_needs_at_all(app, client, auth, make_staff, summit, guest_with_needs):
    desk = make_staff("hal@example.org", summit, roles=("helpdesk",))
    auth.login_as(desk)
    page = client.get(f"/staff/e/summit/guests/{guest_with_needs}").get_data(as_text=True)
    assert "Amira Haddad" in page
    assert "Halal" not in page and "Peanuts" not in page and ACCESS_NOTE not in page and MEDICAL_NOTE not in page
    assert client.get("/staff/e/summit/catering").status_code == 403
    assert client.get("/staff/e/summit/catering/counts.csv").status_code == 403
    assert client.get("/staff/e/summit/audit").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action.like("sensitive.%"))) == 0


def test_a_guest_never_sees_another_guests_needs(app, client, auth, summit, guest_with_needs):
    other, _ = add_needs_guest(app, summit, email="bo@example.org", name="Bo Berg")
    auth.login_as(other)
    for url in ("/e/summit/me", "/e/summit/me/needs", "/e/summit/me/needs/edit", "/e/summit/me/needs/withdraw",
                "/e/summit/me/needs/consent", "/e/summit/me/data"):
        body = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert MEDICAL_NOTE not in body and "Peanuts (Anaphylactic)" not in body and ACCESS_NOTE not in body, url
    data = client.get("/e/summit/me/data.json").get_data(as_text=True)
    assert MEDICAL_NOTE not in data and "amira@example.org" not in data
    # Nor can they reach the staff side.
    assert client.get(f"/staff/e/summit/guests/{guest_with_needs}").status_code == 403


def test_every_sensitive_view_and_export_is_in_the_audit_log(app, client, auth, make_staff, summit,
                                                             guest_with_needs):
    organizer = make_staff("olivia@example.org", summit, roles=("organizer",))
    auth.login_as(organizer)
    client.get(f"/staff/e/summit/guests/{guest_with_needs}")
    client.get("/staff/e/summit/catering")
    client.get("/staff/e/summit/catering/counts.csv")
    client.get("/staff/e/summit/catering/guests.xlsx")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("sensitive.%"))
                                     .order_by(AuditEntry.id)).all()
        assert [(e.action, e.subject, e.actor_id) for e in entries] == [
            ("sensitive.view", f"guest {guest_with_needs}", organizer.id),
            ("sensitive.view", "catering board", organizer.id),
            ("sensitive.export", "catering counts", organizer.id),
            ("sensitive.export", "catering guests", organizer.id),
        ]
        assert entries[0].detail == "diet, accessibility, medical"

    log = client.get("/staff/e/summit/audit").get_data(as_text=True)
    assert log.count("sensitive.export") >= 2 and "catering board" in log
    filtered = client.get("/staff/e/summit/audit", query_string={"action": "sensitive.export"}).get_data(as_text=True)
    assert "catering board" not in filtered and "catering counts" in filtered
    # A guest with nothing stored: no sensitive data shown, nothing to audit.
    _, quiet_id = add_needs_guest(app, summit, email="q@example.org", name="Quiet Guest")
    client.get(f"/staff/e/summit/guests/{quiet_id}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.subject == f"guest {quiet_id}")) == 0


def test_the_audit_log_is_the_organizers_and_pages(app, client, auth, make_staff, summit):
    coordinator = make_staff("cora@example.org", summit, roles=("lodging",))
    organizer = make_staff("olivia@example.org", summit, roles=("organizer",))
    auth.login_as(coordinator)
    assert client.get("/staff/e/summit/audit").status_code == 403
    with app.app_context():
        for i in range(60):
            db.session.add(AuditEntry(event_id=summit.id, action="test.entry", subject=f"entry {i:02d}"))
        db.session.commit()
    auth.login_as(organizer)
    first = client.get("/staff/e/summit/audit").get_data(as_text=True)
    assert "entry 59" in first and "entry 00" not in first and 'rel="next"' in first
    last = client.get("/staff/e/summit/audit?page=2").get_data(as_text=True)
    assert "entry 00" in last
    # An unknown action in the URL is ignored, never an error.
    assert client.get("/staff/e/summit/audit?action=%3Cscript%3E").status_code == 200


def test_purge_sensitive_erases_after_the_event_and_reports(app, runner, make_event, summit, guest_with_needs):
    past = make_event(slug="past", starts_on=date.today() - timedelta(days=10),
                      ends_on=date.today() - timedelta(days=8))
    user, past_registration = add_needs_guest(app, past, email="old@example.org", name="Old Timer")
    client = app.test_client()
    sign_in(client, user.id)
    with app.app_context():
        db.session.add(NeedsConsent(registration_id=past_registration, notice_version="x", notice_text="n"))
        db.session.add(DietaryNeeds(registration_id=past_registration, diet="vegan"))
        db.session.add(MedicalNotes(registration_id=past_registration, notes="asthma"))
        db.session.commit()

    refused = runner.invoke(args=["purge-sensitive", "--event", "summit"])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert stored_counts(app)["medical_notes"] == 2

    result = runner.invoke(args=["purge-sensitive", "--event", "past"])
    assert result.exit_code == 0, result.output
    assert "1 dietary" in result.output and "1 medical" in result.output and "1 consents" in result.output
    assert "0 allergies" in result.output
    counts = stored_counts(app)
    # The other event's needs are untouched, and so are the registrations.
    assert counts == {"dietary_needs": 1, "allergy": 2, "accessibility_needs": 1, "medical_notes": 1,
                      "needs_consent": 1}
    with app.app_context():
        assert db.session.get(Registration, past_registration).name_latin == "Old Timer"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sensitive.purge"))
        assert entry.event_id == past.id and "medical 1" in entry.detail

    forced = runner.invoke(args=["purge-sensitive", "--event", "summit", "--force"])
    assert forced.exit_code == 0 and "2 allergies" in forced.output
    assert all(count == 0 for count in stored_counts(app).values())
    assert runner.invoke(args=["purge-sensitive", "--event", "nope"]).exit_code != 0


def test_the_team_page_names_each_role_in_the_readers_language(client, auth, make_staff, summit):
    organizer = make_staff("olivia@example.org", summit, roles=("organizer",))
    make_staff("cora@example.org", summit, roles=("lodging", "helpdesk"))
    auth.login_as(organizer)
    with client.session_transaction() as cookie:
        cookie["lang"] = "zh_Hans"
    answer = client.get("/staff/e/summit/medical-access", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert answer.request.path == "/staff/e/summit/team"
    assert "住宿协调员" in page and "服务台" in page
    assert "lodging, helpdesk" not in page
