"""The organizer purges an event's sensitive data from the console: refused until the event has ended,
confirmed by typing the event's short name against the count of what will go, and audited."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import AuditEntry, Event, MedicalNotes, NeedsConsent
from tests.factories import MEDICAL_NOTE, csrf_token, add_needs_guest, give_consent, needs_form, submit
from tests.sessions import sign_in

URL = "/staff/e/summit/purge"


def _guest_with_needs(app, event):
    user, registration_id = add_needs_guest(app, event, email="amira@example.org", name="Amira Haddad")
    guest = app.test_client()
    sign_in(guest, user.id)
    give_consent(guest)
    assert submit(guest, "/e/summit/me/needs/edit", needs_form()).status_code == 303
    return registration_id


def _end(app):
    with app.app_context():
        db.session.execute(update(Event).values(starts_on=date.today() - timedelta(days=5),
                                                ends_on=date.today() - timedelta(days=3)))
        db.session.commit()


def _medical_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MedicalNotes))


def _purges(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "sensitive.purge")).all()


def test_the_purge_is_refused_before_the_event_has_ended(app, client, make_event, make_staff):
    event = make_event()
    _guest_with_needs(app, event)
    sign_in(client, make_staff("boss@example.org", event, roles=("organizer",)).id)
    page = client.get(URL).get_data(as_text=True)
    assert "needs are still in use" in page and "Purge the sensitive data" not in page
    response = client.post(URL, data={"csrf_token": csrf_token(client, "/staff/e/summit/archive"), "slug": "summit"})
    assert response.status_code == 422
    assert "still in use" in response.get_data(as_text=True)
    assert _medical_rows(app) == 1 and _purges(app) == []


def test_the_organizer_confirms_with_the_slug_and_the_purge_is_audited(app, client, make_event, make_staff):
    event = make_event()
    _guest_with_needs(app, event)
    _end(app)
    sign_in(client, make_staff("boss@example.org", event, roles=("organizer",)).id)
    page = client.get(URL).get_data(as_text=True)
    # Diet, two allergies, accessibility, medical notes and the consent.
    assert "6 records will be cleared." in page

    wrong = submit(client, URL, {"slug": "Summit2"}, page=URL)
    assert wrong.status_code == 422
    body = wrong.get_data(as_text=True)
    assert 'id="slug-error"' in body and "Type summit exactly" in body and 'value="Summit2"' in body
    assert _medical_rows(app) == 1 and _purges(app) == []

    done = submit(client, URL, {"slug": "summit"}, page=URL)
    assert done.status_code == 303
    assert "6 records cleared" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert _medical_rows(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NeedsConsent)) == 0
        assert MEDICAL_NOTE not in str(db.session.scalars(select(MedicalNotes.notes)).all())
    [detail] = _purges(app)
    assert "medical 1" in detail and "consents 1" in detail
    assert "0 records will be cleared." in client.get(URL).get_data(as_text=True)


@pytest.mark.parametrize("role", ["lodging", "transport", "catering", "helpdesk"])
def test_only_the_organizer_may_purge(app, client, make_event, make_staff, role):
    event = make_event()
    _guest_with_needs(app, event)
    _end(app)
    sign_in(client, make_staff(f"{role}@example.org", event, roles=(role,)).id)
    assert client.post(URL, data={"slug": "summit"}).status_code in (400, 403)
    assert _medical_rows(app) == 1
