"""The audit log: who did what in an event, for its organizers.

/staff/e/<slug>/audit                    audit_log        organizer (filter by action, paginated)

Actions show in the reader's words (portal/audit.py ACTION_LABELS); the filter's values stay codes.
"""

from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import access
from portal.audit import action_label
from portal.countries import reading_order
from portal.extensions import db
from portal.i18n import current_language
from portal.models import AuditEntry, Event
from portal.rendering import render
from portal.web import query_int
from portal.staff import bp
from portal.staff.routes import PERMISSIONS

AUDIT_ROLES = PERMISSIONS["audit"]


@bp.get("/e/<slug>/audit")
@access.staff(*AUDIT_ROLES)
def audit_log(event: Event):
    """Who did what in this event, newest first, filtered by action."""
    codes = db.session.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event.id).distinct())
    key = reading_order(current_language())
    actions = sorted(((code, action_label(code)) for code in codes), key=lambda action: key(action[1]))
    wanted = request.args.get("action", "")
    if wanted not in {code for code, _label in actions}:
        wanted = ""
    query = (select(AuditEntry).where(AuditEntry.event_id == event.id).options(joinedload(AuditEntry.actor))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if wanted:
        query = query.where(AuditEntry.action == wanted)
    page = query_int("page", 1, minimum=1)
    results = db.paginate(query, page=page, per_page=current_app.config["GUESTS_PER_PAGE"], error_out=False)
    return render("staff/audit/index.html", event=event, results=results, actions=actions, wanted=wanted,
                  action_label=action_label)
