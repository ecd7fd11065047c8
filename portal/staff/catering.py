"""The catering board: what the kitchen cooks each meal day, and for whom.

/staff/e/<slug>/catering                       catering          organizer, coordinator (?day=YYYY-MM-DD)
/staff/e/<slug>/catering/<list>.<fmt>          catering_export   organizer, coordinator; list counts|guests, fmt csv|xlsx

Diet and allergens only (see portal/needs/services.py for why); every view and
every export is written to the audit log.
"""

from datetime import date

from flask import abort, request
from flask_login import current_user

from portal import access, audit, exports
from portal.i18n import gettext as _
from portal.models import Event
from portal.needs import services as needs
from portal.rendering import render
from portal.staff import bp
from portal.staff.routes import PERMISSIONS

CATERING_ROLES = PERMISSIONS["catering"]
LISTS = ("counts", "guests")


def _chosen_day(event: Event, days: list[date]) -> date:
    """The day in the query, else today during the event, else its first day."""
    try:
        wanted = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        wanted = None
    if wanted in days:
        return wanted
    from portal.database import utcnow

    today = utcnow().astimezone(event.zone).date()
    return today if today in days else days[0]


@bp.get("/e/<slug>/catering")
@access.staff(*CATERING_ROLES)
def catering(event: Event):
    """Counts per diet and per allergen for one meal day, with the guests behind each count."""
    days = needs.catering_days(event)
    chosen = _chosen_day(event, [d.day for d in days])
    audit.record_read(event, current_user, "sensitive.view", subject="catering board", detail=chosen.isoformat())
    board = next(d for d in days if d.day == chosen)
    return render("staff/catering/index.html", event=event, days=[d.day for d in days], board=board)


@bp.get("/e/<slug>/catering/<list_name>.<fmt>")
@access.staff(*CATERING_ROLES)
def catering_export(event: Event, list_name: str, fmt: str):
    """The catering counts, or the guests with their diet and allergies, for every meal day as CSV or Excel."""
    if list_name not in LISTS or fmt not in exports.FORMATS:
        abort(404)
    days = needs.catering_days(event)
    if list_name == "counts":
        columns, rows, title = _count_columns(), _count_rows(days), _("Catering counts")
    else:
        columns, rows, title = _guest_columns(), [(d.day, diner) for d in days for diner in d.diners], _("Diets and allergies")
    audit.record_read(event, current_user, "sensitive.export", subject=f"catering {list_name}", detail=fmt)
    return exports.download(fmt, f"{event.slug}-catering-{list_name}", columns, rows, title=title)


def _count_rows(days) -> list[dict]:
    rows = []
    for day in days:
        for code, diners in day.by_diet.items():
            rows.append({"day": day.day, "kind": _("Diet"), "item": needs.diet_label(code), "severity": "",
                         "diners": diners})
        for (allergen, severity), diners in day.by_allergen.items():
            rows.append({"day": day.day, "kind": _("Allergy"), "item": str(needs.ALLERGEN_LABELS[allergen]),
                         "severity": str(needs.SEVERITY_LABELS[severity]), "diners": diners})
    return rows


def _count_columns() -> list[exports.Column]:
    return [
        exports.Column(_("Day"), lambda r: r["day"]),
        exports.Column(_("Kind"), lambda r: r["kind"]),
        exports.Column(_("Diet or allergen"), lambda r: r["item"]),
        exports.Column(_("Severity"), lambda r: r["severity"]),
        exports.Column(_("Guests"), lambda r: len(r["diners"])),
        exports.Column(_("Names"), lambda r: "; ".join(d.name for d in r["diners"])),
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
