"""Who may read guests' medical notes: organizers grant and revoke the "medical" permission.

/staff/e/<slug>/medical-access           medical_access   organizer
"""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from portal import access, audit
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Event, StaffPermission, StaffRole, User
from portal.privacy.forms import PermissionForm
from portal.rendering import render
from portal.staff import bp
from portal.staff.routes import PERMISSIONS
from portal.staff.team_forms import ROLE_LABELS

AUDIT_ROLES = PERMISSIONS["audit"]
MEDICAL = "medical"


@bp.route("/e/<slug>/medical-access", methods=["GET", "POST"])
@access.staff(*AUDIT_ROLES)
def medical_access(event: Event):
    """Grant or revoke the permission to read medical notes, staff member by staff member."""
    form = PermissionForm()
    if request.method == "POST":
        if form.validate_on_submit():
            member = _staff_member(event, form.user_id.data)
            _set_medical(event, member, grant=form.grant.data == "1")
            flash(_("Medical access for %(name)s is granted.", name=member.display_name or member.email)
                  if form.grant.data == "1" else
                  _("Medical access for %(name)s is revoked.", name=member.display_name or member.email), "success")
        return redirect(url_for("staff.medical_access", slug=event.slug), 303)
    members = db.session.scalars(
        select(User).join(StaffRole, StaffRole.user_id == User.id).where(StaffRole.event_id == event.id)
        .options(joinedload(User.roles)).order_by(User.display_name, User.email)).unique().all()
    holders = set(db.session.scalars(select(StaffPermission.user_id).where(
        StaffPermission.event_id == event.id, StaffPermission.permission == MEDICAL)))
    return render("staff/medical_access.html", event=event, members=members, holders=holders, form=form,
                  role_labels=ROLE_LABELS)


def _staff_member(event: Event, user_id: int) -> User:
    member = db.session.scalar(select(User).join(StaffRole, StaffRole.user_id == User.id)
                               .where(User.id == user_id, StaffRole.event_id == event.id))
    if member is None:
        abort(404)
    return member


def _set_medical(event: Event, member: User, grant: bool) -> None:
    held = db.session.scalar(select(StaffPermission).where(
        StaffPermission.user_id == member.id, StaffPermission.event_id == event.id,
        StaffPermission.permission == MEDICAL))
    if grant and held is None:
        db.session.add(StaffPermission(user_id=member.id, event_id=event.id, permission=MEDICAL,
                                       granted_by_id=current_user.id))
        audit.record(event, current_user, "permission.grant", subject=member.email, detail=MEDICAL)
    elif not grant and held is not None:
        db.session.execute(delete(StaffPermission).where(StaffPermission.id == held.id))
        audit.record(event, current_user, "permission.revoke", subject=member.email, detail=MEDICAL)
    db.session.commit()
