"""The post-event report and the event archive, under /staff/e/<slug>/ (organizer).

/staff/e/<slug>/report      report    the figures on one printable page
/staff/e/<slug>/archive     archive   GET the choice; POST downloads the ZIP (the choice is audited)
"""

import re

from flask import Response, render_template
from flask_login import current_user

from portal import access, audit
from portal.database import utcnow
from portal.extensions import db
from portal.helpdesk.forms import CATEGORY_LABELS
from portal.lodging.forms import PAYER_LABELS
from portal.models import Event
from portal.needs.services import DIET_LABELS
from portal.reporting import archive as archives, figures
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.staff.routes import PERMISSIONS
from portal.surveys.forms import AREA_LABELS, ArchiveForm

REPORT_ROLES = PERMISSIONS["report"]


def _labels() -> dict:
    """Names for the codes the report shows."""
    return {"area_labels": AREA_LABELS, "diet_labels": DIET_LABELS, "payer_labels": PAYER_LABELS,
            "ticket_categories": CATEGORY_LABELS}


def _report_context(event: Event) -> dict:
    return {"event": event, "report": figures.build(event), "generated_at": utcnow(), **_labels()}


@bp.get("/e/<slug>/report")
@access.staff(*REPORT_ROLES)
def report(event: Event):
    """Attendance, needs fulfilled, the help desk, satisfaction, cost: one page to print for the board."""
    return render("staff/report/report.html", **_report_context(event))


@bp.route("/e/<slug>/archive", methods=["GET", "POST"])
@access.staff(*REPORT_ROLES)
def archive(event: Event):
    """Download the whole event as one ZIP; sensitive needs only when ticked, and the choice is logged."""
    form = ArchiveForm()
    if not form.validate_on_submit():
        return render("staff/report/archive.html", event=event, form=form, status=INVALID if form.errors else 200)
    include = bool(form.include_sensitive.data)
    report_html = render_template("staff/report/standalone.html", **_report_context(event))
    body = archives.build_zip(event, report_html, include)
    audit.record(event, current_user, "archive.download", subject="event archive",
                 detail="sensitive needs included" if include else "sensitive needs left out")
    if include:
        audit.record_read(event, current_user, "sensitive.export", subject="event archive", detail="zip")
    db.session.commit()
    response = Response(body, mimetype="application/zip")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", event.slug) or "event"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-archive.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


