"""Routes for an event's team and, for admins, the organizers of every event.

/staff/e/<slug>/team                      team             organizer (who holds what, last sign-in)
/staff/e/<slug>/team/invite               invite_member    organizer (new colleague: roles and a set-password mail)
/staff/e/<slug>/team/<user_id>            change_member    organizer (give and take roles, medical permission)
(the old /staff/e/<slug>/medical-access leads here: portal/staff/medical_access.py)
/staff/organizers                         organizers       admins (organizers of every event; appoint one)
"""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import access
from portal.extensions import db
from portal.i18n import current_language, gettext as _
from portal.models import Event
from portal.rendering import INVALID, render
from portal.staff import bp, staffing
from portal.staff.routes import PERMISSIONS
from portal.staff.team_forms import ROLE_LABELS, AppointForm, InviteForm, RolesForm

TEAM_ROLES = PERMISSIONS["team"]

TEAM_ERRORS = {
    "last-organizer": lambda: _("An event keeps at least one organizer: make someone else organizer first."),
}


def _team_page(event: Event, status: int = 200, invite_form=None, failed_member=None, failed_form=None):
    members = staffing.members(event)
    forms = {}
    for member in members:
        if failed_member is not None and member.user.id == failed_member:
            forms[member.user.id] = failed_form
        else:
            forms[member.user.id] = RolesForm(formdata=None, prefix=f"m{member.user.id}",
                                              roles=sorted(member.roles), medical=member.medical)
    if invite_form is None:
        invite_form = InviteForm(formdata=None, language=current_language(), prefix="invite")
    # Organizers read medical notes by their role; the permission matters for everyone else.
    medical_holders = [m for m in members if m.medical and "organizer" not in m.roles]
    return render("staff/team/index.html", event=event, members=members, forms=forms, invite_form=invite_form,
                  role_labels=ROLE_LABELS, medical_holders=medical_holders, status=status)


@bp.get("/e/<slug>/team")
@access.staff(*TEAM_ROLES)
def team(event: Event):
    """Who works on this event, in which roles, and when each last signed in."""
    return _team_page(event)


@bp.route("/e/<slug>/team/invite", methods=["GET", "POST"])
@access.staff(*TEAM_ROLES)
def invite_member(event: Event):
    """Invite a colleague by e-mail: their roles now, and a link to set their password."""
    form = InviteForm(prefix="invite")
    if request.method == "GET":
        return redirect(url_for("staff.team", slug=event.slug, _anchor="invite"))
    if not form.validate_on_submit():
        return _team_page(event, status=INVALID, invite_form=form)
    user = staffing.invite(event, form.email.data, form.display_name.data, form.language.data,
                           set(form.roles.data), form.medical.data, current_user)
    flash(_("%(email)s is on the team; an invitation to set a password is on its way.", email=user.email),
          "success")
    return redirect(url_for("staff.team", slug=event.slug), 303)


@bp.post("/e/<slug>/team/<int:user_id>")
@access.staff(*TEAM_ROLES)
def change_member(event: Event, user_id: int):
    """Give and take one colleague's roles and medical permission; no role left takes them off the team."""
    member = staffing.member(event, user_id)
    if member is None:
        abort(404)
    form = RolesForm(prefix=f"m{member.id}")
    if not form.validate_on_submit():
        return _team_page(event, status=INVALID, failed_member=member.id, failed_form=form)
    name = member.display_name or member.email
    try:
        changed = staffing.set_roles(event, member, set(form.roles.data), form.medical.data, current_user)
    except staffing.TeamError as error:
        db.session.rollback()
        form.roles.errors.append(TEAM_ERRORS[error.code]())
        return _team_page(event, status=INVALID, failed_member=member.id, failed_form=form)
    db.session.commit()
    if not changed:
        flash(_("Nothing was changed."), "info")
    elif form.roles.data:
        flash(_("The roles of %(name)s are saved.", name=name), "success")
    else:
        flash(_("%(name)s is no longer on the team.", name=name), "success")
    return redirect(url_for("staff.team", slug=event.slug), 303)


@bp.route("/organizers", methods=["GET", "POST"])
@access.staff("admin")
def organizers():
    """Every event and its organizers; appoint an organizer by e-mail (invited if new)."""
    pairs = staffing.organizers_by_event()
    form = AppointForm(language=current_language())
    form.event.choices = [(event.id, f"{event.name} ({event.slug})") for event, _people in pairs]
    if request.method == "POST":
        if form.validate_on_submit():
            event = db.session.get(Event, form.event.data)
            user = staffing.invite(event, form.email.data, form.display_name.data, form.language.data,
                                   {"organizer"}, False, current_user)
            flash(_("%(email)s is an organizer of %(event)s.", email=user.email, event=event.name), "success")
            return redirect(url_for("staff.organizers"), 303)
        return render("staff/team/organizers.html", pairs=pairs, form=form, status=INVALID)
    return render("staff/team/organizers.html", pairs=pairs, form=form)
