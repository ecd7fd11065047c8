"""Bulk mail to a group of guests, under /staff/e/<slug>/mail (organizer).

/staff/e/<slug>/mail     bulk_mail   the form (GET); preview with the count, then send (POST, step=preview|send)
"""

from flask import flash, redirect, request, url_for
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from portal import access
from portal.extensions import db
from portal.i18n import gettext as _
from portal.mailing import bulk
from portal.mailing.forms import BulkMailForm
from portal.models import Event, Hotel, Session
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.staff.forms import STATE_LABELS
from portal.staff.routes import PERMISSIONS

# Every guest's inbox: the organizer's, like the outbox.
MAIL_ROLES = PERMISSIONS["outbox"]


def _form(event: Event) -> BulkMailForm:
    hotels = db.session.scalars(select(Hotel).where(Hotel.event_id == event.id).order_by(Hotel.name_en)).all()
    sessions = db.session.scalars(select(Session).where(Session.event_id == event.id)
                                  .order_by(Session.starts_at, Session.id)).all()
    return BulkMailForm(event=event, categories=event.categories, hotels=hotels, sessions=sessions,
                        state_labels={code: str(label) for code, label in STATE_LABELS.items()})


@bp.route("/e/<slug>/mail", methods=["GET", "POST"])
@access.staff(*MAIL_ROLES)
def bulk_mail(event: Event):
    """Write a mail to a group; preview it for real guests with the count, then confirm to send."""
    form = _form(event)
    if request.method == "GET":
        form.state.data = "confirmed"
        return render("staff/mail/compose.html", event=event, form=form, preview=None)
    if not form.validate_on_submit():
        return render("staff/mail/compose.html", event=event, form=form, preview=None, status=INVALID)
    group, text = form.group(), form.text()
    if request.form.get("step") == "send":
        try:
            sent = bulk.send(event, group, text, current_user, confirmed=form.confirmed.data or 0,
                             previewed=form.previewed.data or "")
        except bulk.BulkMailError as error:
            db.session.rollback()
            if str(error) == "sent":
                flash(_("This mail was already sent to this group; it is not sent twice."), "error")
                return redirect(url_for("staff.outbox", slug=event.slug), 303)
            message = (_("The group changed since the preview. Check the new count and confirm again.")
                       if str(error) == "count" else
                       _("The mail changed since the preview. Check the preview again, then send."))
            return _preview(event, form, group, text, message)
        flash(ngettext("The mail is on its way to %(num)d guest.", "The mail is on its way to %(num)d guests.", sent),
              "success")
        return redirect(url_for("staff.outbox", slug=event.slug), 303)
    return _preview(event, form, group, text)


def _preview(event: Event, form: BulkMailForm, group: bulk.Group, text: bulk.Text, message: str = ""):
    """The form again, with the mail as real guests of the group get it and the count to confirm."""
    total = bulk.count(event, group)
    form.confirmed.data = total
    form.previewed.data = bulk.fingerprint(group, text)
    rendered = [bulk.render_for(event, text, guest) for guest in bulk.samples(event, group)]
    return render("staff/mail/compose.html", event=event, form=form, message=message,
                  preview={"count": total, "mails": rendered}, status=INVALID if message else 200)
