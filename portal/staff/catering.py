"""The catering board: what the kitchen cooks at each meal of each day, and for whom.

/staff/e/<slug>/catering                        catering          organizer, catering coordinator (?day=YYYY-MM-DD)
/staff/e/<slug>/catering/<list>.<fmt>           catering_export   organizer, catering coordinator; list counts|guests, fmt csv|xlsx
/staff/e/<slug>/catering/<day>/<meal>.<fmt>     meal_export       organizer, catering coordinator; one meal's counts and names
/staff/e/<slug>/catering/meals                  meals             organizer (the daily meals' times, the receptions; add one)
/staff/e/<slug>/catering/meals/times            meal_times        organizer (POST: when breakfast, lunch and dinner are served)
/staff/e/<slug>/catering/meals/<id>             edit_meal         organizer (a reception's day, time and name)
/staff/e/<slug>/catering/meals/<id>/delete      delete_meal       organizer (POST)

Diet and allergens only (see portal/needs/services.py for why); every view and
every export is written to the audit log. Who is present at which meal is
decided in portal/needs/meals.py.
"""

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import access, audit, exports
from portal.database import utcnow
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Event, Meal
from portal.needs import meals as meal_service, services as needs
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.needs.forms import DailyMealTimesForm, MealForm
from portal.staff.forms import ActionForm
from portal.staff.routes import PERMISSIONS

CATERING_ROLES = PERMISSIONS["catering"]
# Receptions are part of the programme the organizer sets.
MEAL_ROLES = PERMISSIONS["settings"]
LISTS = ("counts", "guests")


def _chosen_day(event: Event, days: list[date]) -> date:
    """The day in the query, else today during the event, else its first day."""
    try:
        wanted = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        wanted = None
    if wanted in days:
        return wanted
    today = utcnow().astimezone(event.zone).date()
    return today if today in days else days[0]


@bp.get("/e/<slug>/catering")
@access.staff(*CATERING_ROLES)
def catering(event: Event):
    """Counts per diet and per allergen for each meal of one day, with the guests behind each count."""
    days = meal_service.meal_board(event)
    chosen = _chosen_day(event, [d.day for d in days])
    audit.record_read(event, current_user, "sensitive.view", subject="catering board", detail=chosen.isoformat())
    board = next(d for d in days if d.day == chosen)
    return render("staff/catering/index.html", event=event, days=[d.day for d in days], board=board)


@bp.get("/e/<slug>/catering/<list_name>.<fmt>")
@access.staff(*CATERING_ROLES)
def catering_export(event: Event, list_name: str, fmt: str):
    """Every meal's counts, or the guests eating each day with their diet and allergies, as CSV or Excel."""
    if list_name not in LISTS or fmt not in exports.FORMATS:
        abort(404)
    days = meal_service.meal_board(event)
    if list_name == "counts":
        columns, rows, title = _count_columns(), _count_rows(m for d in days for m in d.meals), _("Catering counts")
    else:
        columns, rows, title = _guest_columns(), [(d.day, diner) for d in days for diner in d.diners], _("Diets and allergies")
    audit.record_read(event, current_user, "sensitive.export", subject=f"catering {list_name}", detail=fmt)
    return exports.download(fmt, f"{event.slug}-catering-{list_name}", columns, rows, title=title)


@bp.get("/e/<slug>/catering/<day>/<meal>.<fmt>")
@access.staff(*CATERING_ROLES)
def meal_export(event: Event, day: str, meal: str, fmt: str):
    """One meal's counts per diet and allergen, with the names, as CSV or Excel for the kitchen."""
    if fmt not in exports.FORMATS:
        abort(404)
    found = next((m for d in meal_service.meal_board(event) if d.day.isoformat() == day for m in d.meals
                  if m.key == meal), None)
    if found is None:
        abort(404)
    audit.record_read(event, current_user, "sensitive.export", subject=f"catering {day} {meal}", detail=fmt)
    return exports.download(fmt, f"{event.slug}-{day}-{meal}", _count_columns(), _count_rows([found]),
                            title=f"{found.name} {day}")


def _count_rows(meals) -> list[dict]:
    rows = []
    for meal in meals:
        base = {"day": meal.day, "meal": meal.name, "time": meal.served_at.strftime("%H:%M")}
        rows.append({**base, "kind": _("All guests"), "item": "", "severity": "", "diners": meal.diners,
                     "names": False})
        for code, diners in meal.by_diet.items():
            rows.append({**base, "kind": _("Diet"), "item": needs.diet_label(code), "severity": "",
                         "diners": diners, "names": True})
        for (allergen, severity), diners in meal.by_allergen.items():
            rows.append({**base, "kind": _("Allergy"), "item": str(needs.ALLERGEN_LABELS[allergen]),
                         "severity": str(needs.SEVERITY_LABELS[severity]), "diners": diners, "names": True})
    return rows


def _names(row) -> str:
    # The meal's total is a number of covers; the names are behind each diet and allergy.
    return "; ".join(d.name for d in row["diners"]) if row["names"] else ""


def _count_columns() -> list[exports.Column]:
    return [
        exports.Column(_("Day"), lambda r: r["day"]),
        exports.Column(_("Meal"), lambda r: r["meal"]),
        exports.Column(_("Served at"), lambda r: r["time"]),
        exports.Column(_("Kind"), lambda r: r["kind"]),
        exports.Column(_("Diet or allergen"), lambda r: r["item"]),
        exports.Column(_("Severity"), lambda r: r["severity"]),
        exports.Column(_("Guests"), lambda r: len(r["diners"])),
        exports.Column(_("Names"), _names),
    ]


def _guest_columns() -> list[exports.Column]:
    return [
        exports.Column(_("Day"), lambda r: r[0]),
        exports.Column(_("Guest"), lambda r: r[1].registration.name_latin),
        exports.Column(_("Name in own script"), lambda r: r[1].registration.name_original),
        exports.Column(_("Diet"), lambda r: needs.diet_label(r[1].diet)),
        exports.Column(_("Diet details"), lambda r: r[1].diet_detail),
        exports.Column(_("Allergies"), lambda r: "; ".join(needs.allergy_text(a) for a in r[1].allergies)),
    ]


# -- Meal times and receptions ---------------------------------------------------------------------

def _times_form(event: Event, formdata=None) -> DailyMealTimesForm:
    if formdata is not None:
        return DailyMealTimesForm(formdata, prefix="times")
    return DailyMealTimesForm(formdata=None, prefix="times",
                              data={key: at for key, at, _name in meal_service.daily_meals(event)})


def _meals_page(event: Event, form: MealForm, times_form: DailyMealTimesForm | None = None, status: int = 200):
    return render("staff/catering/meals.html", event=event, form=form, receptions=meal_service.receptions_of(event),
                  times_form=times_form or _times_form(event), action_form=ActionForm(), status=status)


def _name_taken(event: Event, form: MealForm, meal_id: int | None = None) -> bool:
    name_en = " ".join(form.name_en.data.split())
    clash = db.session.scalar(select(Meal.id).where(Meal.event_id == event.id, Meal.day == form.chosen_day,
                                                    Meal.name_en == name_en, Meal.id != (meal_id or 0)))
    if clash is not None:
        form.name_en.errors = list(form.name_en.errors) + [_("That day already has a meal of this name.")]
    return clash is not None


@bp.route("/e/<slug>/catering/meals", methods=["GET", "POST"])
@access.staff(*MEAL_ROLES)
def meals(event: Event):
    """The meals served each day and their times, the receptions added to them, and a form to add one."""
    form = MealForm(event=event)
    if form.validate_on_submit() and not _name_taken(event, form):
        meal = Meal(event_id=event.id, day=form.chosen_day, served_at=form.served_at.data,
                    name_en=" ".join(form.name_en.data.split()), name_zh=" ".join((form.name_zh.data or "").split()))
        db.session.add(meal)
        db.session.flush()
        audit.record(event, current_user, "catering.meal", f"meal:{meal.id}", f"{meal.day} {meal.name_en}")
        db.session.commit()
        flash(_("The reception is added to the catering board."), "success")
        return redirect(url_for("staff.meals", slug=event.slug), 303)
    return _meals_page(event, form, status=INVALID if form.errors else 200)


@bp.post("/e/<slug>/catering/meals/times")
@access.staff(*MEAL_ROLES)
def meal_times(event: Event):
    """Set when breakfast, lunch and dinner are served; the counts follow the new times."""
    times_form = _times_form(event, request.form)
    if not times_form.validate_on_submit():
        return _meals_page(event, MealForm(formdata=None, event=event), times_form, status=INVALID)
    changed = meal_service.set_daily_times(
        event, {key: getattr(times_form, key).data for key in meal_service.STANDARD_KEYS})
    for key in changed:
        audit.record(event, current_user, "catering.meal_time", key,
                     getattr(times_form, key).data.strftime("%H:%M"))
    db.session.commit()
    flash(_("The meal times are saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
    return redirect(url_for("staff.meals", slug=event.slug), 303)


@bp.route("/e/<slug>/catering/meals/<int:meal_id>", methods=["GET", "POST"])
@access.staff(*MEAL_ROLES)
def edit_meal(event: Event, meal_id: int):
    """Change a reception's day, time or name."""
    meal = access.in_event(Meal, meal_id, event)
    if request.method == "GET":
        form = MealForm(formdata=None, event=event, data={"day": meal.day.isoformat(), "served_at": meal.served_at,
                                                          "name_en": meal.name_en, "name_zh": meal.name_zh})
    else:
        form = MealForm(event=event)
        if form.validate_on_submit() and not _name_taken(event, form, meal.id):
            meal.day, meal.served_at = form.chosen_day, form.served_at.data
            meal.name_en = " ".join(form.name_en.data.split())
            meal.name_zh = " ".join((form.name_zh.data or "").split())
            audit.record(event, current_user, "catering.meal_changed", f"meal:{meal.id}",
                         f"{meal.day} {meal.served_at:%H:%M} {meal.name_en}")
            db.session.commit()
            flash(_("The reception is saved."), "success")
            return redirect(url_for("staff.meals", slug=event.slug), 303)
    return render("staff/catering/edit_meal.html", event=event, meal=meal, form=form,
                  status=INVALID if form.errors else 200)


@bp.post("/e/<slug>/catering/meals/<int:meal_id>/delete")
@access.staff(*MEAL_ROLES)
def delete_meal(event: Event, meal_id: int):
    """Take a reception off the programme and the catering board."""
    meal = access.in_event(Meal, meal_id, event)
    if ActionForm().validate_on_submit():
        audit.record(event, current_user, "catering.meal_removed", f"meal:{meal.id}", f"{meal.day} {meal.name_en}")
        db.session.delete(meal)
        db.session.commit()
        flash(_("The reception is removed."), "success")
    return redirect(url_for("staff.meals", slug=event.slug), 303)
