"""The guest's own data, under /e/<slug>/me/data.

/e/<slug>/me/data             data       the guest: what we hold and what they can do about it
/e/<slug>/me/data.json        download   the guest: everything stored about them, as JSON (logged)
/e/<slug>/me/data/erase       erase      the guest: erase my account, after a confirmation step (logged)
"""

from flask import Blueprint, Response, flash, redirect, url_for
from flask_login import current_user

from portal import access, audit, privacy
from portal.auth import sessions
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Event, Registration
from portal.privacy import erasure
from portal.privacy.forms import EraseForm
from portal.rendering import INVALID, render

bp = Blueprint("privacy", __name__)


@bp.get("/e/<slug>/me/data")
@access.guest
def data(event: Event, registration: Registration):
    """My data: download it, or erase my account."""
    return render("privacy/data.html", event=event, registration=registration)


@bp.get("/e/<slug>/me/data.json")
@access.guest
def download(event: Event, registration: Registration):
    """Everything stored about me, as a JSON file."""
    user = current_user._get_current_object()
    body = privacy.user_data_json(user)
    audit.record_read(event, user, "privacy.download", subject=f"user {user.id}")
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="my-data-{event.slug}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/e/<slug>/me/data/erase", methods=["GET", "POST"])
@access.guest
def erase(event: Event, registration: Registration):
    """Erase my account after I confirm; I am signed out."""
    form = EraseForm()
    refused = current_user.is_admin or bool(current_user.roles)
    if not refused and form.validate_on_submit():
        try:
            erasure.erase_account(current_user._get_current_object())
        except erasure.ErasureRefused:
            db.session.rollback()
            refused = True
        else:
            sessions.end_current()
            flash(_("Your account and your personal data are erased. Goodbye."), "info")
            return redirect(url_for("events.index"), 303)
    status = 403 if refused else (INVALID if form.errors else 200)
    return render("privacy/erase.html", event=event, registration=registration, form=form, refused=refused,
                  status=status)
