"""Routes of the survey and session ratings on the guest's side.

/e/<slug>/me/survey                           survey         the guest (GET the form or the thanks; POST save or submit)
/e/<slug>/me/survey/shown                     shown          the guest (POST, htmx: which questions apply)
/e/<slug>/me/agenda/<id>/rating               rate_session   the guest (GET the form; POST a 1–5 rating)

CLI: `flask surveys send-invitations` mails the audiences of surveys that opened by their date.
"""

import click
from flask import flash, redirect, render_template, request, url_for

from portal import access
from portal.auth.services import safe_next
from portal.i18n import gettext as _
from portal.models import Event, Registration
from portal.rendering import INVALID, render, wants_fragment
from portal.surveys import bp, services
from portal.surveys.forms import AnswerForm, SessionRatingForm, missing_required, read_answers, shown_questions

ERRORS = {
    "closed": lambda: _("This survey is closed; answers are no longer taken."),
    "not-asked": lambda: _("This survey is not addressed to you."),
    "already-answered": lambda: _("You have already answered this survey. Thank you!"),
    "busy": lambda: _("Your answers were being saved from another window. Please try again."),
    "not-held": lambda: _("You can rate only sessions that were in your agenda."),
    "cancelled": lambda: _("This session was cancelled."),
    "not-ended": lambda: _("You can rate this session once it has ended."),
    "bad-score": lambda: _("Choose a rating from 1 to 5."),
}


def _message(error: services.SurveyError) -> str:
    return ERRORS.get(str(error), lambda: _("That is not possible."))()


bp.add_app_template_global(services.session_is_over, "session_is_over")


@bp.cli.command("send-invitations")
def send_invitations_command() -> None:
    """Mail the audiences of surveys that have opened by their date (run it from cron)."""
    click.echo(f"survey invitations queued: {services.send_due_invitations()}")


def _survey_page(event, registration, survey, values, errors=None, status=200):
    questions = services.ordered_questions(survey)
    return render("surveys/answer.html", event=event, registration=registration, survey=survey,
                  questions=questions, values=values, errors=errors or {}, form=AnswerForm(),
                  shown=shown_questions(questions, values), status=status)


@bp.route("/e/<slug>/me/survey", methods=["GET", "POST"])
@access.guest
def survey(event: Event, registration: Registration):
    """The guest's survey: answer, save a draft, submit once; afterwards, a thank-you."""
    found = services.survey_for_guest(event, registration)
    if found is None:
        return render("surveys/none.html", event=event, registration=registration)
    if services.has_answered(found, registration):
        return render("surveys/thanks.html", event=event, registration=registration, survey=found)
    if request.method == "GET":
        return _survey_page(event, registration, found, services.values_of(services.find_draft(found, registration)))

    form = AnswerForm()
    questions = services.ordered_questions(found)
    values, errors = read_answers(questions, request.form)
    shown = shown_questions(questions, values)
    submitting = request.form.get("action") == "submit"
    if submitting:
        errors.update(missing_required(questions, values, shown))
    # Answers to questions the guest is not asked are ignored, mistakes in them too.
    errors = {qid: message for qid, message in errors.items() if qid in shown}
    if not form.validate_on_submit() or errors:
        if form.errors:
            flash(_("The form expired. Please send it again."), "error")
        return _survey_page(event, registration, found, values, errors, status=INVALID)
    try:
        if submitting:
            services.submit(found, registration, values, shown)
        else:
            services.save_draft(found, registration, values)
    except services.SurveyError as error:
        flash(_message(error), "error")
        return redirect(url_for("surveys.survey", slug=event.slug), 303)
    if not submitting:
        flash(_("Your answers are saved. Come back any time before the survey closes to finish."), "success")
    return redirect(url_for("surveys.survey", slug=event.slug), 303)


@bp.post("/e/<slug>/me/survey/shown")
@access.guest
def shown(event: Event, registration: Registration):
    """The questions again, those that do not apply to the answers so far hidden (htmx only)."""
    found = services.survey_for_guest(event, registration)
    if found is None or not AnswerForm().validate_on_submit():
        return "", 204
    questions = services.ordered_questions(found)
    values, _errors = read_answers(questions, request.form)
    return render_template("surveys/_questions.html", event=event, survey=found, questions=questions,
                           values=values, errors={}, shown=shown_questions(questions, values))


@bp.route("/e/<slug>/me/agenda/<int:session_id>/rating", methods=["GET", "POST"])
@access.guest
def rate_session(event: Event, registration: Registration, session_id: int):
    """Rate a session I held once it has ended: 1 to 5 and a comment."""
    back = safe_next(request.values.get("next")) or url_for("agenda.mine", slug=event.slug)
    try:
        session = services.rateable_session(event, registration, session_id)
    except services.SurveyError as error:
        if request.method == "GET" or not wants_fragment():
            flash(_message(error), "error")
            return redirect(back, 303)
        return render_template("surveys/_rating_message.html", message=_message(error)), INVALID
    rating = services.my_session_rating(registration, session_id)
    form = SessionRatingForm(obj=rating)
    if form.validate_on_submit():
        try:
            services.rate_session(event, registration, session_id, form.score.data, (form.comment.data or "").strip())
        except services.SurveyError as error:
            form.score.errors = [_message(error)]
        else:
            if wants_fragment():
                return render_template("surveys/_session_rating.html", event=event, registration=registration,
                                       session=session, held={session.id}, saved=True, next_url=back,
                                       rating=services.my_session_rating(registration, session_id))
            flash(_("Thank you: your rating of “%(title)s” is saved.", title=session.title), "success")
            return redirect(back, 303)
    status = INVALID if form.errors else 200
    return render("surveys/rate_session.html", fragment="surveys/_session_rating.html", event=event,
                  registration=registration, session=session, held={session.id}, rating_form=form,
                  rating=rating, next_url=back, status=status)

