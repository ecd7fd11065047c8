"""Routes under /staff/."""

from flask_login import current_user
from sqlalchemy import select

from portal import access
from portal.extensions import db
from portal.models import Event, StaffRole
from portal.rendering import render
from portal.staff import bp


@bp.get("/")
@access.staff()
def index():
    """The events this staff member works on."""
    query = select(Event).order_by(Event.starts_on.desc())
    if not current_user.is_admin:
        query = query.where(Event.id.in_(select(StaffRole.event_id).where(StaffRole.user_id == current_user.id)))
    events = db.session.scalars(query).all()
    return render("staff/index.html", events=events)
