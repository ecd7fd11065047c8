"""Who may reach each view. Every route declares exactly one rule from here.

The rules load what they guard and pass it on, so a view never looks up an
event or a registration by itself: a guest's pages are always the signed-in
guest's own (no registration id ever appears in a guest URL), and a staff page
for an event is reachable only with a role for that event.
"""

from dataclasses import dataclass
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import and_, select

from portal.checkin.credential import device_for_request
from portal.extensions import db
from portal.models import Event, Registration


@dataclass(frozen=True)
class Rule:
    kind: str  # "anonymous", "signed_in", "guest", "staff", "kiosk"
    roles: tuple[str, ...] = ()


def _mark(view, rule: Rule):
    view.access_rule = rule
    return view


def _to_sign_in():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def load_visible_event(slug: str) -> Event:
    """The event for a public or guest URL; drafts are visible to their staff only."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    if event.status == "draft" and not _holds_any_role(event):
        abort(404)
    return event


def in_event(model, object_id: int, event: Event, *options):
    """The `model` row `object_id` if it belongs to `event`, else 404.

    Staff URLs name an event and then a row; loading through here means a role
    for one event never reaches another event's rows by changing the number.
    """
    found = db.session.scalar(
        select(model).where(model.id == object_id, model.event_id == event.id).options(*options)
    )
    if found is None:
        abort(404)
    return found


def _holds_any_role(event: Event, roles: tuple[str, ...] = ()) -> bool:
    if not current_user.is_authenticated:
        return False
    if current_user.is_admin:
        return True
    held = current_user.roles_for(event.id)
    return bool(held & set(roles)) if roles else bool(held)


def anonymous(view):
    """Anyone, signed in or not."""
    return _mark(view, Rule("anonymous"))


def signed_in(view):
    """Any signed-in account, guest or staff."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _to_sign_in()
        return view(*args, **kwargs)

    return _mark(wrapped, Rule("signed_in"))


def load_visible_event_and_registration(slug: str) -> tuple[Event, Registration | None]:
    """load_visible_event, with the signed-in visitor's registration in it (None for anyone else)."""
    if not current_user.is_authenticated:
        return load_visible_event(slug), None
    # The event and the visitor's registration in it, in one statement.
    found = db.session.execute(
        select(Event, Registration).outerjoin(
            Registration, and_(Registration.event_id == Event.id, Registration.user_id == current_user.id)
        ).where(Event.slug == slug)
    ).first()
    if found is None:
        abort(404)
    event, registration = found
    if event.status == "draft" and not _holds_any_role(event):
        abort(404)
    return event, registration


def guest(view):
    """The signed-in guest's own registration for the event in the URL.

    The view receives `event` and `registration` in place of `slug`.
    """

    @wraps(view)
    def wrapped(slug, *args, **kwargs):
        # An unknown event is a 404 before it is a sign-in.
        event, registration = load_visible_event_and_registration(slug)
        if not current_user.is_authenticated:
            return _to_sign_in()
        if registration is None:
            return redirect(url_for("guests.register", slug=slug))
        return view(*args, event=event, registration=registration, **kwargs)

    return _mark(wrapped, Rule("guest"))


def staff(*roles: str):
    """Staff holding one of `roles` for the event in the URL (any role when none named).

    Views under an event receive `event` in place of `slug`; views without a
    slug need the person to hold some staff role anywhere.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_sign_in()
            if "slug" in kwargs:
                event = db.session.scalar(select(Event).where(Event.slug == kwargs.pop("slug")))
                if event is None:
                    abort(404)
                if not _holds_any_role(event, roles):
                    abort(403)
                kwargs["event"] = event
            elif not current_user.is_staff or (roles == ("admin",) and not current_user.is_admin):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapped, Rule("staff", roles))

    return decorate


def kiosk_device(view):
    """A kiosk device enrolled by staff and not revoked; a kiosk is never a signed-in person.

    The view receives `device` and its `event`. Any other browser gets 403.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        device = device_for_request(request)
        if device is None:
            abort(403)
        return view(*args, device=device, event=device.event, **kwargs)

    return _mark(wrapped, Rule("kiosk"))
