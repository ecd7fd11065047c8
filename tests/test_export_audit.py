"""Exports that carry accessibility flags or the notes needs hide in are audited like the needs exports."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry
from tests.factories import add_needs_guest, confirm_stay, file_stay, make_block, make_vehicle
from tests.sessions import sign_in


def test_lodging_and_transport_exports_are_in_the_audit_log(app, make_event, make_staff):
    event = make_event()
    _user, registration_id = add_needs_guest(app, event, email="amira@example.org", name="Amira Haddad")
    block = make_block(app, event)
    confirm_stay(app, event, file_stay(app, event, registration_id, block, accessible=True, notes="Step-free"))
    vehicle = make_vehicle(app, event)
    coordinator = make_staff("coord@example.org", event, roles=("lodging", "transport"))
    client = app.test_client()
    sign_in(client, coordinator.id)

    requests = client.get("/staff/e/summit/lodging/requests.csv")
    assert requests.status_code == 200
    text = requests.get_data(as_text=True)
    assert "Accessible room" in text and "Amira Haddad" in text and "Step-free" in text
    for url in ("/staff/e/summit/lodging/rooming.xlsx", "/staff/e/summit/transport/legs.csv?direction=arrival",
                f"/staff/e/summit/transport/vehicles/{vehicle}/manifest.csv"):
        assert client.get(url).status_code == 200, url

    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sensitive.export")
                                     .order_by(AuditEntry.id)).all()
        assert [(e.subject, e.detail, e.actor_id) for e in entries] == [
            ("lodging requests", "csv, accessibility, notes", coordinator.id),
            ("rooming list", "xlsx, accessibility, notes", coordinator.id),
            ("transport arrivals", "csv, notes", coordinator.id),
            (f"manifest vehicle:{vehicle}", "csv, notes", coordinator.id),
        ]
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    sign_in(client, organizer.id)
    log = client.get("/staff/e/summit/audit", query_string={"action": "sensitive.export"}).get_data(as_text=True)
    assert "rooming list" in log and "lodging requests" in log
