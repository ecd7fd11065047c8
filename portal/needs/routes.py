"""Routes of the guest's needs; every one is the signed-in guest's own.

/e/<slug>/me/needs                 index      the guest: what is stored (page; the My trip card as a fragment)
/e/<slug>/me/needs/consent         consent    the guest: the separate consent, before anything is stored
/e/<slug>/me/needs/edit            edit       the guest: diet, allergens, accessibility, medical, until changes close
/e/<slug>/me/needs/withdraw        withdraw   the guest: withdraw consent, which erases everything (confirmation step)
"""

from flask import flash, redirect, url_for
from flask_login import current_user

from portal import access
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Event, Registration
from portal.needs import bp, services
from portal.needs.forms import ConsentForm, NeedsForm, WithdrawForm
from portal.rendering import INVALID, render

ERRORS = {
    "no-consent": lambda: _("Nothing was stored: you have not given (or you withdrew) your consent to store "
                            "this information. Give your consent first, then send the form again."),
    "changes-closed": lambda: _("Changes are closed for this event, so nothing was changed. "
                                "Please contact the organizers."),
    "notice-changed": lambda: _("The notice changed while you were reading it. Please read it again."),
}


def _message(error: services.NeedsError) -> str:
    message = ERRORS.get(str(error))
    return message() if message else _("That change is not allowed.")


bp.add_app_template_global(services.meal_status, "meal_status")


@bp.app_context_processor
def needs_labels():
    return {"diet_label": services.diet_label, "allergy_text": services.allergy_text,
            "allergen_labels": services.ALLERGEN_LABELS, "severity_labels": services.SEVERITY_LABELS}


@bp.get("/e/<slug>/me/needs")
@access.guest
def index(event: Event, registration: Registration):
    """What I have told the organizers about my needs; htmx gets the My trip card."""
    return render("needs/index.html", fragment="needs/_my_trip_card.html", event=event,
                  registration=registration, needs=services.needs_of(registration))


@bp.route("/e/<slug>/me/needs/consent", methods=["GET", "POST"])
@access.guest
def consent(event: Event, registration: Registration):
    """Read what happens to my needs and give my separate consent."""
    current = services.consent_of(registration)
    if current is not None and current.active:
        return redirect(url_for("needs.edit", slug=event.slug), 303)
    form = ConsentForm()
    if not form.is_submitted():
        form.notice_version.data = services.NOTICE_VERSION
    if form.validate_on_submit():
        try:
            services.give_consent(registration, form.notice_version.data, services.consent_notice(event))
        except services.NeedsError as error:
            db.session.rollback()
            form.agree.errors.append(_message(error))
            form.notice_version.data = services.NOTICE_VERSION
        else:
            flash(_("Thank you. You can now tell us about your needs."), "success")
            return redirect(url_for("needs.edit", slug=event.slug), 303)
    return render("needs/consent.html", fragment="needs/_consent_card.html", event=event,
                  registration=registration, form=form, notice=services.consent_notice(event),
                  status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/me/needs/edit", methods=["GET", "POST"])
@access.guest
def edit(event: Event, registration: Registration):
    """State or change my diet, allergies, accessibility and medical needs."""
    stored = services.needs_of(registration)
    form = NeedsForm.for_needs(stored.as_input())
    if not form.is_submitted() and not stored.has_consent:
        return redirect(url_for("needs.consent", slug=event.slug), 303)
    closed = not event.changes_are_open()
    message = None
    if form.validate_on_submit():
        try:
            services.save_needs(registration, form.needs())
        except services.NeedsError as error:
            db.session.rollback()
            message = _message(error)
        else:
            flash(_("Your needs are saved."), "success")
            return redirect(url_for("needs.index", slug=event.slug), 303)
    status = INVALID if (form.errors or message) else (403 if closed else 200)
    return render("needs/edit.html", fragment="needs/_edit_card.html", event=event, registration=registration,
                  form=form, message=message, closed=closed, has_consent=stored.has_consent, status=status)


@bp.route("/e/<slug>/me/needs/withdraw", methods=["GET", "POST"])
@access.guest
def withdraw(event: Event, registration: Registration):
    """Withdraw my consent, after a confirmation step; everything I told you is erased."""
    form = WithdrawForm()
    stored = services.needs_of(registration)
    if form.validate_on_submit() and stored.has_consent:
        services.withdraw_consent(registration, current_user)
        flash(_("Your consent is withdrawn and everything you told us about your needs is erased."), "success")
        return redirect(url_for("needs.index", slug=event.slug), 303)
    return render("needs/withdraw.html", event=event, registration=registration, form=form, needs=stored,
                  status=200)
