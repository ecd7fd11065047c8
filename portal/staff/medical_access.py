"""The old page for the medical-data permission, now part of the Team page.

/staff/e/<slug>/medical-access           medical_access   organizer (redirects to the Team page)

The permission is given and taken with a colleague's roles on the Team page
(portal/staff/team.py); this URL stays so bookmarks and old links still land there.
"""

from flask import redirect, url_for

from portal import access
from portal.models import Event
from portal.staff import bp
from portal.staff.routes import PERMISSIONS

TEAM_ROLES = PERMISSIONS["team"]


@bp.route("/e/<slug>/medical-access", methods=["GET", "POST"])
@access.staff(*TEAM_ROLES)
def medical_access(event: Event):
    """Who may read medical notes is shown and changed on the Team page: go there."""
    # 303 for both: a form posted to the old address must not be posted again to the new one.
    return redirect(url_for("staff.team", slug=event.slug, _anchor="medical"), 303)
