"""The help-desk console under /staff/e/<slug>/helpdesk.

/staff/e/<slug>/helpdesk                          helpdesk_queue        organizer, helpdesk
/staff/e/<slug>/helpdesk/<number>                 helpdesk_ticket       organizer, helpdesk
/staff/e/<slug>/helpdesk/<number>/take            take_ticket (POST)    organizer, helpdesk
/staff/e/<slug>/helpdesk/<number>/assign          assign_ticket (POST)  organizer, helpdesk
/staff/e/<slug>/helpdesk/<number>/reply           reply_ticket (POST)   organizer, helpdesk
/staff/e/<slug>/helpdesk/<number>/state           ticket_state (POST)   organizer, helpdesk
/staff/e/<slug>/helpdesk/<number>/priority        ticket_priority (POST)  organizer, helpdesk
/staff/e/<slug>/helpdesk/<number>/category        ticket_category (POST)  organizer, helpdesk (out of
                                                  "medical": organizer, or with the medical-data permission)
/staff/e/<slug>/helpdesk/canned[/<id>][/delete]   canned_replies, edit_canned_reply, delete_canned_reply  organizer
/staff/e/<slug>/helpdesk/targets                  response_targets      organizer
/staff/e/<slug>/helpdesk/metrics[.<fmt>]          helpdesk_metrics, helpdesk_metrics_export  organizer

The desk sees of a guest only what the ticket holds (name and how to reach
them); nothing here reads a registration's other fields. What a request that is or
was medical says (subject, thread, notes) shows only to those who may read medical
notes (portal/privacy/discretion.py); the rest of the desk sees its number.
"""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import access, exports
from portal.database import utcnow
from portal.helpdesk import metrics, queue, services, settings
from portal.helpdesk.forms import (
    CATEGORY_LABELS, PRIORITY_LABELS, STAFF_STATE_LABELS, AssignForm, CannedReplyForm, CategoryForm, PriorityForm, StaffReplyForm,
    StateForm, TargetsForm,
)
from portal.helpdesk.routes import error_message
from portal.helpdesk.tickets import TicketError, clock, targets_for
from portal.i18n import gettext as _
from portal.models import CannedReply, Event, Ticket
from portal.models.helpdesk import CATEGORIES, PRIORITIES, STATES
from portal.privacy import discretion
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.staff.forms import ActionForm
from portal.staff.routes import PERMISSIONS

DESK = PERMISSIONS["helpdesk"]
ADMIN = PERMISSIONS["helpdesk_admin"]


@bp.context_processor
def helpdesk_helpers():
    return {"category_labels": CATEGORY_LABELS, "priority_labels": PRIORITY_LABELS,
            "ticket_state_labels": STAFF_STATE_LABELS, "duration": duration}


def duration(seconds: int | None) -> str:
    """Seconds as staff read them: "4 min", "2 h 05 min"."""
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(minutes)d min", minutes=minutes)
    return _("%(hours)d h %(minutes)02d min", hours=minutes // 60, minutes=minutes % 60)


def clock_labels() -> dict[str, str]:
    """The clock's wordings with their placeholders left in, for the queue's script to fill as time passes."""
    # Without variables gettext hands back the translation as it stands, placeholders and all.
    return {"left": _("%(time)s left"), "overdue": _("overdue by %(time)s"),
            "minutes": _("%(minutes)d min"), "hours": _("%(hours)d h %(minutes)02d min")}


def _ticket(event: Event, number: int) -> Ticket:
    found = services.event_ticket(event, number)
    if found is None:
        abort(404)
    return found


def _filters() -> queue.Filters:
    # A filter that is not one of the choices (a hand-edited URL) is ignored rather than refused.
    state = request.args.get("state", "active")
    category = request.args.get("category", "")
    priority = request.args.get("priority", "")
    assignee = request.args.get("assignee", "")
    return queue.Filters(
        state=state if state in ("active", "all", *STATES) else "active",
        category=category if category in CATEGORIES else "",
        priority=priority if priority in PRIORITIES else "",
        assignee=assignee if assignee in ("me", "none") or (assignee.isascii() and assignee.isdigit() and len(assignee) < 10) else "",
    )


# -- The queue -----------------------------------------------------------------------------------

@bp.get("/e/<slug>/helpdesk")
@access.staff(*DESK)
def helpdesk_queue(event: Event):
    """The live queue: htmx polls it every few seconds and swaps in the fresh one."""
    filters = _filters()
    since = request.args.get("since", type=int)
    tickets = queue.queue(event, filters, current_user)
    targets, now = targets_for(event), utcnow()
    rows = [(ticket, clock(ticket, targets, now)) for ticket in tickets]
    newest = max((t.id for t in tickets), default=since or 0)
    # Announced once: the next poll asks "since" the newest ticket this one showed.
    announce = [t for t in tickets if since is not None and t.id > since and t.priority == "urgent"]
    return render(
        "staff/helpdesk/queue.html", fragment="staff/helpdesk/_queue.html", event=event, filters=filters,
        rows=rows, announce=announce, staff=services.desk_staff(event), rendered_at=int(now.timestamp()),
        clock_labels=clock_labels(), hidden=discretion.hidden_from(current_user, event, [t.number for t in tickets]),
        poll_url=url_for("staff.helpdesk_queue", slug=event.slug, since=max(newest, since or 0),
                         **_filter_args(filters)))


def _filter_args(filters: queue.Filters) -> dict:
    return {k: v for k, v in vars(filters).items() if v and not (k == "state" and v == "active")}


# -- One ticket ----------------------------------------------------------------------------------

@bp.get("/e/<slug>/helpdesk/<int:number>")
@access.staff(*DESK)
def helpdesk_ticket(event: Event, number: int):
    """A ticket with its whole thread, internal notes included, its history and what can be done."""
    return _ticket_page(event, _ticket(event, number))


def _ticket_page(event: Event, ticket: Ticket, status: int = 200, reply_form: StaffReplyForm | None = None):
    canned = settings.canned_replies(event)
    staff = services.desk_staff(event)
    state_form = StateForm(formdata=None, state=ticket.state)
    state_form.state.choices = [c for c in state_form.state.choices if ticket.can_become(c.value)]
    assign_form = AssignForm(formdata=None, staff=staff, assignee=ticket.assignee_id or 0)
    return render(
        "staff/helpdesk/ticket.html", event=event, ticket=ticket, status=status,
        confidential=not discretion.may_read(current_user, ticket),
        clock=clock(ticket, targets_for(event)),
        reply_form=reply_form or StaffReplyForm(formdata=None, canned_replies=canned),
        state_form=state_form, assign_form=assign_form,
        priority_form=PriorityForm(formdata=None, priority=ticket.priority),
        category_form=CategoryForm(formdata=None, category=ticket.category),
        may_change_category=services.may_change_category(ticket, current_user))


@bp.post("/e/<slug>/helpdesk/<int:number>/take")
@access.staff(*DESK)
def take_ticket(event: Event, number: int):
    """Take an unassigned ticket in one click; if someone was quicker, say who."""
    ticket = _ticket(event, number)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("staff.helpdesk_queue", slug=event.slug), 303)
    try:
        services.take(ticket, current_user)
    except TicketError as error:
        holder = error.holder.display_name if error.holder else ""
        flash(_("%(number)s was just taken by %(name)s.", number=ticket.reference, name=holder) if holder
              else error_message(error), "error")
        return redirect(url_for("staff.helpdesk_queue", slug=event.slug), 303)
    flash(_("%(number)s is yours.", number=ticket.reference), "success")
    return redirect(url_for("staff.helpdesk_ticket", slug=event.slug, number=number), 303)


@bp.post("/e/<slug>/helpdesk/<int:number>/assign")
@access.staff(*DESK)
def assign_ticket(event: Event, number: int):
    """Give the ticket to someone else on the desk (or to nobody)."""
    ticket = _ticket(event, number)
    staff = services.desk_staff(event)
    form = AssignForm(staff=staff)
    if form.validate_on_submit():
        chosen = next((u for u in staff if u.id == form.assignee.data), None)
        try:
            services.assign(ticket, chosen, current_user)
        except TicketError as error:
            flash(error_message(error), "error")
        else:
            flash(_("%(number)s is assigned.", number=ticket.reference), "success")
    return redirect(url_for("staff.helpdesk_ticket", slug=event.slug, number=number), 303)


@bp.post("/e/<slug>/helpdesk/<int:number>/reply")
@access.staff(*DESK)
def reply_ticket(event: Event, number: int):
    """A public reply (mailed to the guest, shown in their portal) or an internal note."""
    ticket = _ticket(event, number)
    canned = settings.canned_replies(event)
    form = StaffReplyForm(canned_replies=canned)
    internal = request.form.get("kind") == "internal"
    if form.validate_on_submit():
        body = (form.message.data or "").strip()
        chosen = next((c for c in canned if c.id == form.canned.data), None)
        if not body and chosen is not None:
            body = chosen.body_in(ticket.language)
        try:
            services.reply(ticket, current_user, body, internal=internal, then=form.then.data or None)
        except TicketError as error:
            form.message.errors.append(
                _("Write a message or choose a canned reply.") if str(error) == "empty-message"
                else error_message(error))
        else:
            flash(_("The note is added; the guest does not see it.") if internal
                  else _("The reply is sent to the guest."), "success")
            return redirect(url_for("staff.helpdesk_ticket", slug=event.slug, number=number), 303)
    return _ticket_page(event, ticket, status=INVALID, reply_form=form)


@bp.post("/e/<slug>/helpdesk/<int:number>/state")
@access.staff(*DESK)
def ticket_state(event: Event, number: int):
    """Move a ticket along its lifecycle (resolving mails the guest a rating link)."""
    ticket = _ticket(event, number)
    form = StateForm()
    if form.validate_on_submit():
        try:
            services.change_state(ticket, form.state.data, current_user)
        except TicketError as error:
            flash(error_message(error), "error")
        else:
            flash(_("%(number)s is now: %(state)s.", number=ticket.reference,
                    state=STAFF_STATE_LABELS[ticket.state]), "success")
    return redirect(url_for("staff.helpdesk_ticket", slug=event.slug, number=number), 303)


@bp.post("/e/<slug>/helpdesk/<int:number>/priority")
@access.staff(*DESK)
def ticket_priority(event: Event, number: int):
    """Raise or lower a ticket's priority."""
    ticket = _ticket(event, number)
    form = PriorityForm()
    if form.validate_on_submit():
        services.set_priority(ticket, form.priority.data, current_user)
        flash(_("The priority is saved."), "success")
    return redirect(url_for("staff.helpdesk_ticket", slug=event.slug, number=number), 303)


@bp.post("/e/<slug>/helpdesk/<int:number>/category")
@access.staff(*DESK)
def ticket_category(event: Event, number: int):
    """Put a ticket in another category; one that becomes medical alerts the desk as a new one would."""
    ticket = _ticket(event, number)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            services.set_category(ticket, form.category.data, current_user)
        except TicketError as error:
            flash(error_message(error), "error")
        else:
            flash(_("The category is saved."), "success")
    else:
        flash(_("Choose a category."), "error")
    return redirect(url_for("staff.helpdesk_ticket", slug=event.slug, number=number), 303)


# -- Canned replies and response targets ---------------------------------------------------------

@bp.route("/e/<slug>/helpdesk/canned", methods=["GET", "POST"])
@access.staff(*ADMIN)
def canned_replies(event: Event):
    """The organizer's canned replies, and a form to add one."""
    form = CannedReplyForm()
    if form.validate_on_submit():
        settings.save_canned_reply(event, None, form.values(), current_user)
        flash(_("The canned reply is saved."), "success")
        return redirect(url_for("staff.canned_replies", slug=event.slug), 303)
    return render("staff/helpdesk/canned.html", event=event, form=form, replies=settings.canned_replies(event),
                  editing=None, status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/helpdesk/canned/<int:canned_id>", methods=["GET", "POST"])
@access.staff(*ADMIN)
def edit_canned_reply(event: Event, canned_id: int):
    """Edit a canned reply."""
    canned = access.in_event(CannedReply, canned_id, event)
    form = CannedReplyForm(obj=canned)
    if form.validate_on_submit():
        settings.save_canned_reply(event, canned, form.values(), current_user)
        flash(_("The canned reply is saved."), "success")
        return redirect(url_for("staff.canned_replies", slug=event.slug), 303)
    return render("staff/helpdesk/canned.html", event=event, form=form, replies=settings.canned_replies(event),
                  editing=canned, status=INVALID if form.errors else 200)


@bp.post("/e/<slug>/helpdesk/canned/<int:canned_id>/delete")
@access.staff(*ADMIN)
def delete_canned_reply(event: Event, canned_id: int):
    """Delete a canned reply; replies already sent keep their text."""
    canned = access.in_event(CannedReply, canned_id, event)
    if ActionForm().validate_on_submit():
        settings.delete_canned_reply(event, canned, current_user)
        flash(_("The canned reply is deleted."), "success")
    return redirect(url_for("staff.canned_replies", slug=event.slug), 303)


@bp.route("/e/<slug>/helpdesk/targets", methods=["GET", "POST"])
@access.staff(*ADMIN)
def response_targets(event: Event):
    """How fast each priority should get its first response."""
    form = TargetsForm(data=targets_for(event) if request.method == "GET" else None)
    if form.validate_on_submit():
        settings.save_targets(event, form.minutes(), current_user)
        flash(_("The response targets are saved."), "success")
        return redirect(url_for("staff.response_targets", slug=event.slug), 303)
    return render("staff/helpdesk/targets.html", event=event, form=form, status=INVALID if form.errors else 200)


# -- Metrics -------------------------------------------------------------------------------------

@bp.get("/e/<slug>/helpdesk/metrics")
@access.staff(*ADMIN)
def helpdesk_metrics(event: Event):
    """How fast the desk works: by category and by staff member."""
    return render("staff/helpdesk/metrics.html", event=event,
                  report=metrics.report(event, {k: str(v) for k, v in CATEGORY_LABELS.items()}))


@bp.get("/e/<slug>/helpdesk/metrics.<fmt>")
@access.staff(*ADMIN)
def helpdesk_metrics_export(event: Event, fmt: str):
    """The metrics report as CSV or Excel: figures only, never a message."""
    report = metrics.report(event, {k: str(v) for k, v in CATEGORY_LABELS.items()})
    rows = ([(_("All"), report.total)] + [(_("Category"), line) for line in report.by_category]
            + [(_("Staff"), line) for line in report.by_staff])

    def minutes(value):
        return round(value / 60, 1) if value is not None else None

    columns = [
        exports.Column(_("Group"), lambda r: r[0]),
        exports.Column(_("Name"), lambda r: r[1].label),
        exports.Column(_("Requests"), lambda r: r[1].tickets),
        exports.Column(_("First response, median (min)"), lambda r: minutes(r[1].first_response_median)),
        exports.Column(_("First response, 90th percentile (min)"), lambda r: minutes(r[1].first_response_p90)),
        exports.Column(_("Resolution, median (min)"), lambda r: minutes(r[1].resolution_median)),
        exports.Column(_("Resolution, 90th percentile (min)"), lambda r: minutes(r[1].resolution_p90)),
        exports.Column(_("Ratings"), lambda r: len(r[1].scores)),
        exports.Column(_("Average rating"), lambda r: r[1].satisfaction),
    ]
    return exports.download(fmt, f"{event.slug}-helpdesk", columns, rows, title=_("Help desk"))
