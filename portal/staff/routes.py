"""Routes under /staff/: events, their settings and guests.

/staff/                                   index            any staff
/staff/events/new                         new_event        admins
/staff/e/<slug>/                          overview         any role for the event
/staff/e/<slug>/settings                  settings         organizer
/staff/e/<slug>/guests                    guests           any role
/staff/e/<slug>/guests.<fmt>              export_guests    organizer, helpdesk (the list's rows, as filtered)
/staff/e/<slug>/guests/<id>               guest            any role
/staff/e/<slug>/guests/<id>/edit          edit_guest       organizer, helpdesk
/staff/e/<slug>/guests/<id>/resend        resend_confirmation  organizer, helpdesk
/staff/e/<slug>/guests/<id>/approve       approve          organizer
/staff/e/<slug>/guests/<id>/decline       decline          organizer
/staff/e/<slug>/guests/<id>/cancel        cancel           organizer
(reinstate and admit: portal/staff/lifecycle.py; invitations and the outbox: portal/staff/mailings.py)
"""

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal import access, audit, exports, lifecycle
from portal.extensions import db
from portal.countries import country_name
from portal.i18n import gettext as _, language_name
from portal.guests.services import RegistrationError, resend_confirmation as resend_state_mail
from portal.lifecycle import decide
from portal.models import Event, OutboundMail, Registration, RegistrationChange, StaffRole
from portal.needs import services as needs_services
from portal.rendering import INVALID, render
from portal.privacy import discretion
from portal.web import query_int
from portal.staff import bp, services
from portal.staff.guest_file import guest_file
from portal.needs.services import ACCESSIBILITY, DIET, MEDICAL, reader_scope
from portal.staff.forms import (
    STATE_LABELS, STATUS_LABELS, ActionForm, AdmitForm, CancelByStaffForm, EventSettingsForm, GuestEditForm, GuestSearchForm,
    NewEventForm, ReasonForm, ReinstateForm, RequiredReasonForm,
)

# Who may do what in an event's console; the decorators and the templates both read this.
# Coordinators and the help desk look guests up; the help desk also fixes a misspelt
# name or a contact detail and resends a lost confirmation at the desk. Each coordinator
# works only in their own area: rooms (lodging), cars (transport), the kitchen (catering).
# Decisions that change who comes or how (approve, decline, cancel, a guest's category),
# invitations, settings and the outbox (every guest's mail) are the organizer's.
PERMISSIONS = {
    "view_guests": ("organizer", "lodging", "transport", "catering", "helpdesk"),
    # The guest list as a file (names, addresses, phones): the organizer's and the desk's.
    "export_guests": ("organizer", "helpdesk"),
    "edit_guests": ("organizer", "helpdesk"),
    # Registering a guest for them (a walk-in at the desk, a VIP office on the phone).
    "register_for": ("organizer", "helpdesk"),
    "change_category": ("organizer",),
    "resend_confirmation": ("organizer", "helpdesk"),
    "decide": ("organizer",),
    "cancel": ("organizer",),
    "settings": ("organizer",),
    "invite": ("organizer",),
    "outbox": ("organizer",),
    "agenda": ("organizer",),
    "kiosks": ("organizer",),
    "check_in": ("organizer", "helpdesk"),
    # Who has arrived at the venue: the desk, and the coordinators whose rooms, cars and meals wait for them.
    "arrivals": ("organizer", "lodging", "transport", "catering", "helpdesk"),
    # Hotels, room blocks and rooms; cars and pickups: each their own coordinators' work.
    "lodging": ("organizer", "lodging"),
    "transport": ("organizer", "transport"),
    # Diet and allergens for the kitchen; who reads which sensitive field is in portal/needs/services.py.
    "catering": ("organizer", "catering"),
    "audit": ("organizer",),
    # The event's team: who holds which role, invitations of colleagues, the medical permission.
    "team": ("organizer",),
    # The ticket queue; coordinators are not on the desk (a ticket may hold a medical request).
    "helpdesk": ("organizer", "helpdesk"),
    # Canned replies, response targets and the desk's metrics.
    "helpdesk_admin": ("organizer",),
    # Surveys and their results; the post-event report and the archive of the event.
    "surveys": ("organizer",),
    "report": ("organizer",),
    "purge": ("organizer",),
}

ERRORS = {
    "transition-not-allowed": lambda: _("This registration cannot be changed that way from its current state."),
    "changes-closed": lambda: _("Changes are closed for this event."),
    "already-registered": lambda: _("This guest is already registered."),
    "invitation-accepted": lambda: _("This invitation was already accepted; there is nothing to resend."),
}


CAPACITY_ERRORS = {
    "below-confirmed": lambda d: _("%(count)d guests are confirmed within the capacity; it cannot be lower.",
                                   count=d["confirmed"]),
    "below-reserved": lambda d: _("%(count)d places are taken or kept for categories; the capacity cannot be "
                                  "lower.", count=d["reserved"]),
    "reserved-over-capacity": lambda d: _("All categories together cannot reserve more than the %(count)d places "
                                          "of the capacity.", count=d["capacity"]),
}


def capacity_message(error: lifecycle.CapacityError) -> str:
    return CAPACITY_ERRORS[error.code](error.detail)


def error_message(error: RegistrationError) -> str:
    message = ERRORS.get(str(error))
    return message() if message else _("That change is not allowed.")


def can(event: Event, permission: str) -> bool:
    """Whether the signed-in person may do `permission` in `event`'s console."""
    if current_user.is_admin:
        return True
    return bool(current_user.roles_for(event.id) & set(PERMISSIONS[permission]))


@bp.context_processor
def console_helpers():
    return {"can": can, "page_url": page_url, "country_name": country_name,
            "state_labels": STATE_LABELS, "status_labels": STATUS_LABELS}


def page_url(page: int) -> str:
    """This page's URL with the same query, on another page of results."""
    return url_for(request.endpoint, **{**request.args.to_dict(), **request.view_args, "page": page})


def page_number() -> int:
    return query_int("page", 1, minimum=1)


def _registration(event: Event, registration_id: int) -> Registration:
    """A registration of this event only: another event's id answers 404."""
    return access.in_event(Registration, registration_id, event, joinedload(Registration.category))


# -- Events --------------------------------------------------------------------------------------

@bp.get("/")
@access.staff()
def index():
    """The events this staff member works on."""
    query = select(Event).order_by(Event.starts_on.desc())
    if not current_user.is_admin:
        query = query.where(Event.id.in_(select(StaffRole.event_id).where(StaffRole.user_id == current_user.id)))
    events = db.session.scalars(query).all()
    return render("staff/index.html", events=events)


@bp.route("/events/new", methods=["GET", "POST"])
@access.staff("admin")
def new_event():
    """Create an event; its creator becomes its organizer."""
    form = NewEventForm()
    if form.validate_on_submit():
        slug_taken = db.session.scalar(select(Event.id).where(Event.slug == form.slug.data))
        if slug_taken is None:
            try:
                event = services.create_event(form.values(), current_user)
            except IntegrityError:
                db.session.rollback()
            else:
                flash(_("The event is created. You are its organizer."), "success")
                return redirect(url_for("staff.overview", slug=event.slug), 303)
        form.slug.errors.append(_("Another event already uses this short name."))
    return render("staff/new_event.html", form=form, status=INVALID if form.errors else 200)


@bp.get("/e/<slug>/")
@access.staff(*PERMISSIONS["view_guests"])
def overview(event: Event):
    """An event at a glance: registrations by state."""
    counts = services.state_counts(event)
    return render("staff/overview.html", event=event, counts=counts, total=sum(counts.values()),
                  open_invitations=services.open_invitation_count(event))


@bp.route("/e/<slug>/settings", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["settings"])
def settings(event: Event):
    """Edit an event's settings."""
    form = EventSettingsForm(obj=event, event=event)
    if form.validate_on_submit():
        try:
            changed = services.update_event(event, form.values(), current_user)
        except lifecycle.CapacityError as error:
            db.session.rollback()
            form.capacity.errors.append(capacity_message(error))
        else:
            flash(_("The settings are saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("staff.settings", slug=event.slug), 303)
    return render("staff/settings.html", event=event, form=form, status=INVALID if form.errors else 200)


# -- Guests --------------------------------------------------------------------------------------

@bp.get("/e/<slug>/guests")
@access.staff(*PERMISSIONS["view_guests"])
def guests(event: Event):
    """Search and filter the event's guests; htmx asks for the result rows alone."""
    categories = services.category_labels(event)
    form = GuestSearchForm(request.args, categories=categories)
    form.validate()
    search, state, category = form.filters()
    query = services.guest_rows_query(event, search, state, category)
    results = services.paginate_guests(query, page_number(), current_app.config["GUESTS_PER_PAGE"])
    return render("staff/guests.html", fragment="staff/_guest_rows.html", event=event, form=form,
                  results=results, filtered=bool(search or state or category),
                  category_names={c.id: c.name for c in categories})


@bp.get("/e/<slug>/guests.<any(csv, xlsx):fmt>")
@access.staff(*PERMISSIONS["export_guests"])
def export_guests(event: Event, fmt: str):
    """The guests the list shows with the same search and filters, every page of them, as CSV or Excel."""
    categories = services.category_labels(event)
    form = GuestSearchForm(request.args, categories=categories)
    form.validate()
    search, state, category = form.filters()
    rows = db.session.execute(services.guest_rows_query(
        event, search, state, category, columns=services.GUEST_EXPORT_COLUMNS)).all()
    filters = ", ".join(f"{name}={value}" for name, value in (("q", search), ("state", state),
                                                              ("category", category)) if value)
    audit.record_read(event, current_user, "guests.export", subject=filters or "all guests",
                      detail=f"{fmt}, {len(rows)} rows")
    names = {c.id: c.name for c in categories}
    return exports.download(fmt, f"{event.slug}-guests", _guest_export_columns(event, names), rows,
                            title=_("Guests"))


def _guest_export_columns(event: Event, category_names: dict) -> list[exports.Column]:
    def venue_time(value):
        return value.astimezone(event.zone).replace(tzinfo=None) if value else None
    return [
        exports.Column(_("Name (Latin)"), lambda r: r.name_latin),
        exports.Column(_("Name (original script)"), lambda r: r.name_original),
        exports.Column(_("Honorific"), lambda r: r.honorific),
        exports.Column(_("Family name"), lambda r: r.surname),
        exports.Column(_("Organization"), lambda r: r.organization),
        exports.Column(_("Job title"), lambda r: r.job_title),
        exports.Column(_("Country or region"), lambda r: country_name(r.country)),
        exports.Column(_("E-mail"), lambda r: r.email),
        exports.Column(_("Phone"), lambda r: r.phone),
        exports.Column(_("Language"), lambda r: language_name(r.language)),
        exports.Column(_("Category"), lambda r: category_names.get(r.category_id, "")),
        exports.Column(_("State"), lambda r: STATE_LABELS.get(r.state, r.state)),
        exports.Column(_("Registered on"), lambda r: venue_time(r.created_at)),
        exports.Column(_("Confirmed"), lambda r: venue_time(r.confirmed_at)),
        exports.Column(_("Waiting-list position"), lambda r: r.position),
    ]


@bp.get("/e/<slug>/guests/<int:registration_id>")
@access.staff(*PERMISSIONS["view_guests"])
def guest(event: Event, registration_id: int):
    """One guest: profile, state, history and the mail sent to them."""
    return _guest_page(event, _registration(event, registration_id))


def _guest_page(event: Event, registration: Registration, status: int = 200, **forms):
    history = db.session.scalars(
        select(RegistrationChange).where(RegistrationChange.registration_id == registration.id)
        .options(joinedload(RegistrationChange.actor))
        .order_by(RegistrationChange.at, RegistrationChange.id)
    ).all()
    mails = db.session.scalars(
        select(OutboundMail).where(OutboundMail.event_id == event.id, OutboundMail.recipient == registration.email)
        .order_by(OutboundMail.created_at.desc(), OutboundMail.id.desc()).limit(50)
    ).all()
    forms.setdefault("approve_form", ReasonForm(prefix="approve", formdata=None))
    forms.setdefault("decline_form", RequiredReasonForm(prefix="decline", formdata=None))
    forms.setdefault("cancel_form", CancelByStaffForm(prefix="cancel", formdata=None))
    forms.setdefault("reinstate_form", ReinstateForm(prefix="reinstate", formdata=None))
    forms.setdefault("admit_form", AdmitForm(prefix="admit", formdata=None))
    parts = {part for part in ("lodging", "transport", "helpdesk") if can(event, part)}
    file = guest_file(registration, parts)
    # A request once medical: neither its subject nor the mails about it for those who may not read it;
    # and no request's mails for those who do not see the guest's requests at all.
    hidden = discretion.hidden_from(current_user, event, [t.number for t in file.tickets])
    return render("staff/guest.html", event=event, registration=registration, history=history, mails=mails,
                  hidden_tickets=hidden,
                  hidden_mails=discretion.hidden_mails(current_user, event, mails, on_desk="helpdesk" in parts),
                  waitlist_position=lifecycle.waitlist_position(registration), status=status,
                  needs=needs_services.staff_view(event, registration, current_user),
                  file=file,
                  may_enter_needs=reader_scope(current_user, event) == {DIET, ACCESSIBILITY, MEDICAL}, **forms)


@bp.route("/e/<slug>/guests/<int:registration_id>/edit", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["edit_guests"])
def edit_guest(event: Event, registration_id: int):
    """Correct a guest's details, and their category if the role may."""
    registration = _registration(event, registration_id)
    form = GuestEditForm(obj=registration, categories=event.categories)
    if not can(event, "change_category"):
        # The help desk fixes details; a guest's category (VIP or not) is the organizer's decision.
        del form.category
    elif not form.is_submitted():
        form.category.data = registration.category_id
    if form.validate_on_submit():
        category = next(c for c in event.categories if c.id == form.category.data) if "category" in form else None
        changed = services.update_guest(registration, form.profile(), category, current_user)
        flash(_("The guest's details are saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("staff.guest", slug=event.slug, registration_id=registration.id), 303)
    return render("staff/edit_guest.html", event=event, registration=registration, form=form,
                  status=INVALID if form.errors else 200)


@bp.post("/e/<slug>/guests/<int:registration_id>/resend")
@access.staff(*PERMISSIONS["resend_confirmation"])
def resend_confirmation(event: Event, registration_id: int):
    """Mail the guest the message for their current state again."""
    registration = _registration(event, registration_id)
    if ActionForm().validate_on_submit():
        resend_state_mail(registration, current_user)
        flash(_("The mail is on its way to %(email)s.", email=registration.email), "success")
    return redirect(url_for("staff.guest", slug=event.slug, registration_id=registration.id), 303)


@bp.post("/e/<slug>/guests/<int:registration_id>/approve")
@access.staff(*PERMISSIONS["decide"])
def approve(event: Event, registration_id: int):
    """Approve a registration: confirmed, or waitlisted when the event is full."""
    return _decide(event, registration_id, approve=True, form=ReasonForm(prefix="approve"))


@bp.post("/e/<slug>/guests/<int:registration_id>/decline")
@access.staff(*PERMISSIONS["decide"])
def decline(event: Event, registration_id: int):
    """Decline a registration, with a reason the guest is told."""
    return _decide(event, registration_id, approve=False, form=RequiredReasonForm(prefix="decline"))


def _decide(event: Event, registration_id: int, approve: bool, form):
    registration = _registration(event, registration_id)
    if not form.validate():
        key = "approve_form" if approve else "decline_form"
        return _guest_page(event, registration, status=INVALID, **{key: form})
    try:
        decide(registration, approve=approve, actor=current_user, reason=(form.reason.data or "").strip())
    except RegistrationError as error:
        db.session.rollback()
        flash(error_message(error), "error")
    else:
        flash(_("The registration is now: %(state)s.", state=STATE_LABELS[registration.state]), "success")
    return redirect(url_for("staff.guest", slug=event.slug, registration_id=registration_id), 303)


@bp.post("/e/<slug>/guests/<int:registration_id>/cancel")
@access.staff(*PERMISSIONS["cancel"])
def cancel(event: Event, registration_id: int):
    """Cancel a registration for the guest; a freed place goes to the waiting list."""
    registration = _registration(event, registration_id)
    form = CancelByStaffForm(prefix="cancel")
    if not form.validate():
        return _guest_page(event, registration, status=INVALID, cancel_form=form)
    try:
        services.cancel_registration(registration, current_user, form.reason.data.strip())
    except RegistrationError as error:
        db.session.rollback()
        flash(error_message(error), "error")
    else:
        flash(_("The registration is cancelled and the guest is told."), "success")
    return redirect(url_for("staff.guest", slug=event.slug, registration_id=registration_id), 303)
