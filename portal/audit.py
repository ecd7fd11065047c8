"""The audit log: staff actions and every staff view or export of sensitive data.

`record` adds an entry to the current transaction, so it lands with the change
it records. `record_read` audits a read of sensitive data, kept whatever the
page does next.

Entries keep a stable code ("role.grant"); organizers read it in words through
ACTION_LABELS. An action recorded anywhere needs its label here
(tests/test_audit_labels.py reads the source to make sure).
"""

from flask import has_request_context, request
from sqlalchemy.orm import Session

from portal.database import READ_ONLY_METHODS
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import AuditEntry

ACTION_LABELS = {
    "agenda.room.delete": _l("Meeting room deleted"),
    "agenda.room.save": _l("Meeting room saved"),
    "agenda.session.create": _l("Session added"),
    "agenda.session.update": _l("Session changed"),
    "agenda.speaker.delete": _l("Speaker deleted"),
    "agenda.speaker.save": _l("Speaker saved"),
    "agenda.track.delete": _l("Track deleted"),
    "agenda.track.save": _l("Track saved"),
    "announcement.end": _l("Announcement ended"),
    "announcement.post": _l("Announcement posted"),
    "archive.download": _l("Event archive downloaded"),
    "budget.line": _l("Budget line added"),
    "budget.line_changed": _l("Budget line changed"),
    "budget.line_removed": _l("Budget line removed"),
    "budget.meal_rates": _l("Meal rates changed"),
    "catering.meal": _l("Reception added"),
    "catering.meal_changed": _l("Reception changed"),
    "catering.meal_removed": _l("Reception removed"),
    "catering.meal_time": _l("Meal time changed"),
    "category.delete": _l("Guest category removed"),
    "category.reserve": _l("Reserved places changed"),
    "category.save": _l("Guest category saved"),
    "checkin.create": _l("Guest checked in"),
    "checkin.refused": _l("Check-in refused"),
    "checkin.undo": _l("Check-in undone"),
    "event.create": _l("Event created"),
    "event.look": _l("Look and practical information changed"),
    "event.update": _l("Event settings changed"),
    "guests.export": _l("Guest list downloaded"),
    "helpdesk.canned_reply": _l("Canned reply saved"),
    "helpdesk.canned_reply_deleted": _l("Canned reply deleted"),
    "helpdesk.erased": _l("Help desk request erased"),
    "helpdesk.targets": _l("Response targets changed"),
    "invitation.decline": _l("Invitation declined"),
    "invitation.import": _l("Invitations imported"),
    "invitation.resend": _l("Invitation resent"),
    "kiosk.create": _l("Kiosk added"),
    "kiosk.offline_off": _l("Kiosk no longer checks in offline"),
    "kiosk.offline_on": _l("Kiosk allowed to check in offline"),
    "kiosk.pair": _l("Kiosk paired"),
    "kiosk.pairing_code": _l("Kiosk pairing code made"),
    "kiosk.revoke": _l("Kiosk revoked"),
    "lodging.block": _l("Room block saved"),
    "lodging.cancel": _l("Lodging cancelled"),
    "lodging.change": _l("Lodging changed"),
    "lodging.confirm": _l("Lodging confirmed"),
    "lodging.declined": _l("Lodging request declined"),
    "lodging.erased": _l("Lodging request erased"),
    "lodging.hotel": _l("Hotel saved"),
    "lodging.inventory": _l("Rooms per night changed"),
    "lodging.offer": _l("Freed room offered"),
    "lodging.on_behalf": _l("Lodging requested for a guest"),
    "lodging.roommate_erased": _l("Roommate erased from a lodging request"),
    "lodging.waitlisted": _l("Lodging request put on the waiting list"),
    "mail.bulk": _l("Mail sent to guests"),
    "mail.retry": _l("Failed mail sent again"),
    "needs.consent_withdrawn": _l("Consent for needs withdrawn"),
    "needs.on_behalf": _l("Needs entered for a guest"),
    "permission.grant": _l("Access to medical notes given"),
    "permission.revoke": _l("Access to medical notes taken away"),
    "privacy.download": _l("Guest downloaded their data"),
    "privacy.erase": _l("Guest erased their account"),
    "registration.admit": _l("Guest admitted"),
    "registration.admit_over_capacity": _l("Guest admitted over the capacity"),
    "registration.approve": _l("Registration approved"),
    "registration.cancel": _l("Registration cancelled"),
    "registration.decline": _l("Registration declined"),
    "registration.edit": _l("Registration details corrected"),
    "registration.on_behalf": _l("Guest registered by staff"),
    "registration.reinstate": _l("Registration reinstated"),
    "registration.resend": _l("Registration mail resent"),
    "role.grant": _l("Role given"),
    "role.revoke": _l("Role taken away"),
    "sensitive.export": _l("Sensitive data downloaded"),
    "sensitive.purge": _l("Sensitive data purged"),
    "sensitive.view": _l("Sensitive data viewed"),
    "survey.close": _l("Survey closed"),
    "survey.create": _l("Survey created"),
    "survey.export_waiting": _l("Guests yet to answer downloaded"),
    "survey.invite": _l("Guests invited to a survey"),
    "survey.open": _l("Survey opened"),
    "survey.question": _l("Survey question saved"),
    "survey.question.delete": _l("Survey question deleted"),
    "survey.remind": _l("Survey reminder sent"),
    "survey.update": _l("Survey changed"),
    "team.invite": _l("Team member invited"),
    "ticket.category": _l("Help desk request category changed"),
    "transport.buffers": _l("Transport buffers changed"),
    "transport.complete": _l("Pickup done"),
    "transport.erased": _l("Transport request erased"),
    "transport.on_behalf": _l("Transport requested for a guest"),
    "transport.schedule": _l("Guest seated in a vehicle"),
    "transport.station": _l("Airport or station saved"),
    "transport.station_removed": _l("Airport or station removed"),
    "transport.unschedule": _l("Guest taken out of a vehicle"),
    "transport.vehicle": _l("Vehicle saved"),
}


def action_label(action: str) -> str:
    """An action in the reader's words; a code with no label (from an older release) as itself."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _entry(event, actor, action: str, subject: str, detail: str) -> AuditEntry:
    return AuditEntry(
        event_id=event.id if event is not None else None,
        actor_id=actor.id if actor is not None else None,
        action=action, subject=subject[:200], detail=detail,
    )


def record(event, actor, action: str, subject: str = "", detail: str = "") -> None:
    """Add an entry to the current transaction; it lands with the change it records."""
    db.session.add(_entry(event, actor, action, subject, detail))


def record_read(event, actor, action: str, subject: str = "", detail: str = "") -> None:
    """Audit a read of sensitive data, committed at once in a read-only request.

    A read-only request holds a read transaction (on SQLite a deferred BEGIN that
    must not turn into a write), so the entry goes through its own short
    transaction. Inside a write request it joins the request's transaction.
    """
    if not (has_request_context() and request.method in READ_ONLY_METHODS):
        record(event, actor, action, subject, detail)
        return
    with Session(db.engine) as session:
        session.add(_entry(event, actor, action, subject, detail))
        session.commit()
