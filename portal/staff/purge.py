"""Purging an event's sensitive data from the console, under /staff/e/<slug>/purge (organizer).

/staff/e/<slug>/purge    purge_sensitive    GET the counts and the confirmation; POST purges

The same service as `flask purge-sensitive` (portal/needs/services.py purge_event): dietary,
accessibility and medical needs, consents, and the free text they hide in (portal/privacy/purge.py).
Refused until the event has ended; the organizer confirms by typing the event's short name.
"""

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from portal import access
from portal.i18n import gettext as _, lazy_gettext as _l
from portal.models import Event
from portal.needs import services as needs
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.staff.routes import PERMISSIONS


def count_labels() -> dict[str, str]:
    """Names for the kinds of record a purge clears, as the service counts them."""
    return {"dietary": _("dietary needs"), "allergies": _("allergies"), "accessibility": _("accessibility needs"),
            "medical": _("medical notes"), "consents": _("consents to sensitive data"),
            "lodging notes": _("lodging requests with notes"), "transport notes": _("journeys with notes"),
            "help requests": _("medical and dietary help requests"), "mails": _("mails about those requests")}


class PurgeForm(FlaskForm):
    """The organizer types the event's short name: a purge cannot be undone."""

    slug = StringField(_l("The event's short name"))

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def validate_slug(self, field):
        if (field.data or "").strip() != self.event.slug:
            raise ValidationError(_("Type %(slug)s exactly, to confirm the purge.", slug=self.event.slug))


@bp.route("/e/<slug>/purge", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["purge"])
def purge_sensitive(event: Event):
    """Erase the event's sensitive data once it has ended, after the organizer confirms the count."""
    form = PurgeForm(event=event)
    ended = event.has_ended()
    if ended and form.validate_on_submit():
        counts = needs.purge_event(event, current_user)
        flash(_("The sensitive data of %(event)s is purged: %(count)d records cleared.",
                event=event.name, count=sum(counts.values())), "success")
        return redirect(url_for("staff.purge_sensitive", slug=event.slug), 303)
    counts = needs.purge_counts(event)
    refused = form.is_submitted() and not ended
    return render("staff/report/purge.html", event=event, form=form, ended=ended, counts=counts,
                  labels=count_labels(), total=sum(counts.values()),
                  status=INVALID if form.errors or refused else 200)
