"""Routes under /staff/e/<slug>/categories: the organizer's own kinds of guest."""

from flask import flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal import access, audit, lifecycle
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Category, Event, Invitation, Registration
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.staff.forms import ActionForm, CategoryForm
from portal.guests.services import places_of
from portal.staff.routes import PERMISSIONS, capacity_message


def _code_taken(event: Event, code: str, category: Category | None) -> bool:
    clash = select(Category.id).where(Category.event_id == event.id, Category.code == code)
    if category is not None:
        clash = clash.where(Category.id != category.id)
    return db.session.scalar(clash) is not None


def _in_use(category: Category) -> bool:
    used = select(func.count()).where(or_(
        select(Registration.id).where(Registration.category_id == category.id).exists(),
        select(Invitation.id).where(Invitation.category_id == category.id).exists(),
    ))
    return bool(db.session.scalar(used))


def _save(event: Event, category: Category | None):
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        code = form.code.data.strip()
        if _code_taken(event, code, category):
            form.code.errors.append(_("Another category of this event already uses this code."))
        else:
            category = category or Category(event_id=event.id, reserved_places=0)
            reserved, kept = form.reserved_places.data or 0, category.reserved_places
            form.populate_obj(category)
            category.reserved_places = kept  # set through lifecycle.reserve, which checks the capacity
            category.code = code
            category.colour = form.colour.data.lower()
            db.session.add(category)
            db.session.flush()
            audit.record(event, current_user, "category.save", subject=code)
            try:
                if reserved != category.reserved_places:
                    lifecycle.reserve(event, category, reserved, current_user)
            except lifecycle.CapacityError as error:
                db.session.rollback()
                form.reserved_places.data = reserved
                form.reserved_places.errors.append(capacity_message(error))
            else:
                db.session.commit()
                flash(_("The category is saved."), "success")
                return redirect(url_for("staff.categories", slug=event.slug), 303)
    return render("staff/categories.html", event=event, form=form, editing=category,
                  categories=event.categories, delete_form=ActionForm(), places=places_of(event),
                  status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/categories", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["settings"])
def categories(event: Event):
    """List the event's guest categories and add one."""
    return _save(event, None)


@bp.route("/e/<slug>/categories/<int:category_id>", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["settings"])
def edit_category(event: Event, category_id: int):
    """Rename, recolour or reorder a category."""
    return _save(event, access.in_event(Category, category_id, event))


@bp.post("/e/<slug>/categories/<int:category_id>/delete")
@access.staff(*PERMISSIONS["settings"])
def delete_category(event: Event, category_id: int):
    """Remove a category nobody has been invited or registered under."""
    category = access.in_event(Category, category_id, event)
    if ActionForm().validate_on_submit():
        if _in_use(category):
            flash(_("Guests or invitations use this category, so it stays. Rename it instead."), "error")
        else:
            audit.record(event, current_user, "category.delete", subject=category.code)
            db.session.delete(category)
            db.session.commit()
            flash(_("The category is removed."), "info")
    return redirect(url_for("staff.categories", slug=event.slug), 303)
