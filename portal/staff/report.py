"""The post-event report and the event archive, under /staff/e/<slug>/ (organizer).

/staff/e/<slug>/report      report    the figures on one printable page
/staff/e/<slug>/archive     archive   GET the choice; POST downloads the ZIP (the choice is audited)
/staff/e/<slug>/costs       costs     budget against actual cost; POST adds a budget line
/staff/e/<slug>/costs/lines/<id>          edit_budget_line   GET the line in the form; POST changes it
/staff/e/<slug>/costs/lines/<id>/delete   delete_budget_line
/staff/e/<slug>/costs/meal-rates          meal_rates   POST the per-head rates of the meals
"""

import re

from decimal import Decimal

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import access, audit
from portal.database import utcnow
from portal.extensions import db
from portal.helpdesk.forms import CATEGORY_LABELS
from portal.lodging.forms import PAYER_LABELS
from portal.i18n import gettext as _
from portal.models import BudgetLine, Event, MealRate
from portal.needs import meals as meal_service
from portal.needs.services import DIET_LABELS
from portal.reporting import archive as archives, costs as cost_view, figures
from portal.reporting.forms import BUDGET_CATEGORY_LABELS, BudgetLineForm, meal_rates_form
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.staff.forms import ActionForm
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


# -- The cost view ---------------------------------------------------------------------------------

def _rates_form(event: Event, receptions, posted: bool = False):
    """The meal rates form: what was posted to it, or else the stored rates."""
    form = meal_rates_form(receptions, prefix="rates", **({} if posted else {"formdata": None}))
    if not posted:
        rates = cost_view.meal_rates(event)
        for key in meal_service.STANDARD_KEYS:
            if key in rates:
                getattr(form, key).data = rates[key].per_head
        for meal in receptions:
            getattr(form, f"reception_{meal.id}").data = meal.per_head
        known = [r.currency for r in rates.values()] + [m.currency for m in receptions if m.per_head is not None]
        form.currency.data = known[0] if known else "CNY"
    return form


def _costs_page(event: Event, form: BudgetLineForm, rates_form=None, status: int = 200, line=None):
    receptions = meal_service.receptions_of(event)
    rates_form = rates_form or _rates_form(event, receptions)
    return render("staff/report/costs.html", event=event, form=form, rates_form=rates_form, line=line,
                  costs=cost_view.build(event), lines=cost_view.budget_lines(event),
                  category_labels=BUDGET_CATEGORY_LABELS,
                  action_form=ActionForm(), status=status)


@bp.route("/e/<slug>/costs", methods=["GET", "POST"])
@access.staff(*REPORT_ROLES)
def costs(event: Event):
    """Budget lines against what lodging, transport and catering cost; a form to add a line."""
    form = BudgetLineForm()
    if form.validate_on_submit():
        line = BudgetLine(event_id=event.id, **form.values())
        db.session.add(line)
        db.session.flush()
        audit.record(event, current_user, "budget.line", f"budget:{line.id}",
                     f"{line.category} {line.label}: {line.amount} {line.currency}")
        db.session.commit()
        flash(_("The budget line is added."), "success")
        return redirect(url_for("staff.costs", slug=event.slug), 303)
    return _costs_page(event, form, status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/costs/lines/<int:line_id>", methods=["GET", "POST"])
@access.staff(*REPORT_ROLES)
def edit_budget_line(event: Event, line_id: int):
    """Change a budget line's category, label or amount."""
    line = access.in_event(BudgetLine, line_id, event)
    form = BudgetLineForm(obj=line)
    if form.validate_on_submit():
        for name, value in form.values().items():
            setattr(line, name, value)
        audit.record(event, current_user, "budget.line_changed", f"budget:{line.id}",
                     f"{line.category} {line.label}: {line.amount} {line.currency}")
        db.session.commit()
        flash(_("The budget line is saved."), "success")
        return redirect(url_for("staff.costs", slug=event.slug), 303)
    return _costs_page(event, form, status=INVALID if form.errors else 200, line=line)


@bp.post("/e/<slug>/costs/lines/<int:line_id>/delete")
@access.staff(*REPORT_ROLES)
def delete_budget_line(event: Event, line_id: int):
    """Take a line off the budget."""
    line = access.in_event(BudgetLine, line_id, event)
    if ActionForm().validate_on_submit():
        audit.record(event, current_user, "budget.line_removed", f"budget:{line.id}",
                     f"{line.category} {line.label}: {line.amount} {line.currency}")
        db.session.delete(line)
        db.session.commit()
        flash(_("The budget line is removed."), "success")
    return redirect(url_for("staff.costs", slug=event.slug), 303)


@bp.post("/e/<slug>/costs/meal-rates")
@access.staff(*REPORT_ROLES)
def meal_rates(event: Event):
    """Save what the caterer charges per guest for each meal; an empty field means not known."""
    receptions = meal_service.receptions_of(event)
    form = _rates_form(event, receptions, posted=True)
    if not form.validate_on_submit():
        return _costs_page(event, BudgetLineForm(formdata=None), form, status=INVALID)
    currency = form.currency.data.strip().upper()
    stored = cost_view.meal_rates(event)
    for key in meal_service.STANDARD_KEYS:
        value: Decimal | None = getattr(form, key).data
        if value is None:
            if key in stored:
                db.session.delete(stored[key])
        elif key in stored:
            stored[key].per_head, stored[key].currency = value, currency
        else:
            db.session.add(MealRate(event_id=event.id, meal=key, per_head=value, currency=currency))
    for meal in receptions:
        meal.per_head = getattr(form, f"reception_{meal.id}").data
        meal.currency = currency
    audit.record(event, current_user, "budget.meal_rates", event.slug, currency)
    db.session.commit()
    flash(_("The meal rates are saved."), "success")
    return redirect(url_for("staff.costs", slug=event.slug), 303)
