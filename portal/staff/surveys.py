"""The survey builder and results, under /staff/e/<slug>/surveys (organizer).

/staff/e/<slug>/surveys                                   surveys          list, and a new survey (POST)
/staff/e/<slug>/surveys/<id>                              edit_survey      settings, sections, questions, state
/staff/e/<slug>/surveys/<id>/open, /close                 open_survey, close_survey (POST)
/staff/e/<slug>/surveys/<id>/remind                       remind_survey    confirm the count (GET), send (POST)
/staff/e/<slug>/surveys/<id>/sections[/<sid>][/delete]    add_section, edit_section, delete_section
/staff/e/<slug>/surveys/<id>/questions/new                new_question
/staff/e/<slug>/surveys/<id>/questions/<qid>[/delete]     edit_question, delete_question
/staff/e/<slug>/surveys/<id>/waiting                      non_responders   who has not answered (not anonymous)
/staff/e/<slug>/surveys/<id>/results                      survey_results   ?category=<id>
/staff/e/<slug>/surveys/<id>/<list>.<fmt>                 survey_export    list answers|summary|waiting, fmt csv|xlsx
"""

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from portal import access, audit, dates, exports
from portal.agenda.forms import localise
from portal.extensions import db
from portal.i18n import gettext as _, language_name
from portal.mailing.forms import ReminderForm
from portal.models import Event, Question, Registration, Survey, SurveySection
from portal.rendering import INVALID, render
from portal.web import query_int
from portal.staff import bp
from portal.staff.routes import PERMISSIONS
from portal.surveys import building, columns as survey_columns, results, services
from portal.surveys.forms import AREA_LABELS, TYPE_LABELS, ActionForm, QuestionForm, SectionForm, SurveyForm

SURVEY_ROLES = PERMISSIONS["surveys"]

PROBLEMS = {
    "anonymity-locked": lambda: _("Guests have already answered; the survey cannot be made anonymous or named now."),
    "type-locked": lambda: _("Guests have already answered this question; its type cannot change."),
    "choice-locked": lambda: _("A choice you removed has been chosen by guests; it cannot be removed."),
    "question-locked": lambda: _("Guests have already answered this question; it cannot be deleted."),
    "condition-later": lambda: _("A question can only depend on a question that comes before it."),
    "closed": lambda: _("The survey is not open."),
    "reminder-sent": lambda: _("Someone sent a reminder meanwhile. Check the number again before sending another."),
    "count": lambda: _("The number of guests who have not answered changed. Check it and confirm again."),
}


def _problem(error: services.SurveyError) -> str:
    return PROBLEMS.get(str(error), lambda: _("That change is not possible."))()


def _survey(event: Event, survey_id: int) -> Survey:
    access.in_event(Survey, survey_id, event)
    return services.load_survey(survey_id)


def _survey_values(form: SurveyForm, event: Event) -> dict:
    return {
        "title_en": form.title_en.data.strip(), "title_zh": form.title_zh.data.strip(),
        "intro_en": (form.intro_en.data or "").strip(), "intro_zh": (form.intro_zh.data or "").strip(),
        "audience": form.audience.data, "anonymous": form.anonymous.data,
        "opens_at": localise(form.opens_at.data, event.zone), "closes_at": localise(form.closes_at.data, event.zone),
    }


def _opens_after_the_event(form: SurveyForm, event: Event) -> bool:
    """A survey is about the event: a date that opens it must fall after the event's last day."""
    if form.opens_at.data is not None and form.opens_at.data.date() <= event.ends_on:
        form.opens_at.errors.append(_("A survey opens after the event, from %(day)s. To ask guests earlier, "
                                      "open it by hand and confirm.", day=dates.day(event.ends_on + timedelta(days=1), "day")))
        return False
    return True


def _chosen_categories(form: SurveyForm, event: Event):
    return [c for c in event.categories if c.id in (form.categories.data or [])]


@bp.route("/e/<slug>/surveys", methods=["GET", "POST"])
@access.staff(*SURVEY_ROLES)
def surveys(event: Event):
    """The event's surveys with their state and responses, and a form for a new one."""
    form = SurveyForm(categories=event.categories, event=event)
    if form.validate_on_submit() and _opens_after_the_event(form, event):
        survey = building.create_survey(event, _survey_values(form, event), _chosen_categories(form, event),
                                        current_user)
        flash(_("The survey is created. Add its questions, then open it."), "success")
        return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey.id), 303)
    found = building.surveys_of(event)
    return render("staff/surveys/index.html", event=event, surveys=found, form=form,
                  counts=services.response_counts([s.id for s in found]), status=INVALID if form.errors else 200)


def _survey_page(event: Event, survey: Survey, status: int = 200, form=None, section_form=None):
    if form is None:
        form = SurveyForm(obj=survey, categories=event.categories, formdata=None, event=event)
        form.categories.data = [c.id for c in survey.categories]
        form.opens_at.data = survey.opens_at.astimezone(event.zone).replace(tzinfo=None) if survey.opens_at else None
        form.closes_at.data = survey.closes_at.astimezone(event.zone).replace(tzinfo=None) if survey.closes_at else None
    return render("staff/surveys/edit.html", event=event, survey=survey, form=form,
                  section_form=section_form or SectionForm(prefix="section", formdata=None),
                  questions=services.ordered_questions(survey), action_form=ActionForm(),
                  responses=services.response_counts([survey.id]).get(survey.id, 0),
                  audience=services.audience_size(survey), type_labels=TYPE_LABELS, area_labels=AREA_LABELS,
                  status=status)


@bp.route("/e/<slug>/surveys/<int:survey_id>", methods=["GET", "POST"])
@access.staff(*SURVEY_ROLES)
def edit_survey(event: Event, survey_id: int):
    """A survey's settings, sections and questions, and the buttons that open, close and remind."""
    survey = _survey(event, survey_id)
    if request.method == "GET":
        return _survey_page(event, survey)
    form = SurveyForm(categories=event.categories, event=event)
    if form.validate_on_submit() and _opens_after_the_event(form, event):
        try:
            building.update_survey(survey, _survey_values(form, event), _chosen_categories(form, event),
                                   current_user)
        except services.SurveyError as error:
            db.session.rollback()
            form.anonymous.errors.append(_problem(error))
        else:
            flash(_("The survey is saved."), "success")
            return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey.id), 303)
    return _survey_page(event, _survey(event, survey_id), status=INVALID, form=form)


@bp.post("/e/<slug>/surveys/<int:survey_id>/open")
@access.staff(*SURVEY_ROLES)
def open_survey(event: Event, survey_id: int):
    """Open the survey now; its audience is mailed their link once (now, if it opened by its date first)."""
    survey = _survey(event, survey_id)
    if ActionForm().validate_on_submit():
        if survey.is_open():
            sent = services.invite_now(survey, current_user)
            flash(_("The survey is open. %(count)d guests are invited by e-mail.", count=sent) if sent
                  else _("The survey is open."), "success")
        elif not survey.questions:
            flash(_("Add at least one question before opening the survey."), "error")
        else:
            try:
                sent = services.open_by_hand(survey, current_user, early=request.form.get("early") == "yes")
            except services.SurveyError:
                db.session.rollback()
                return render("staff/surveys/open_early.html", event=event, survey=survey,
                              action_form=ActionForm())
            flash(_("The survey is open. %(count)d guests are invited by e-mail.", count=sent) if sent
                  else _("The survey is open."), "success")
    return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey_id), 303)


@bp.post("/e/<slug>/surveys/<int:survey_id>/close")
@access.staff(*SURVEY_ROLES)
def close_survey(event: Event, survey_id: int):
    """Close the survey now: no more answers are taken."""
    survey = _survey(event, survey_id)
    if ActionForm().validate_on_submit():
        services.close_by_hand(survey, current_user)
        flash(_("The survey is closed."), "success")
    return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey_id), 303)


@bp.route("/e/<slug>/surveys/<int:survey_id>/remind", methods=["GET", "POST"])
@access.staff(*SURVEY_ROLES)
def remind_survey(event: Event, survey_id: int):
    """Confirm a reminder for the number of guests who have not answered, then send it."""
    survey = _survey(event, survey_id)
    form = ReminderForm()
    message = ""
    if form.validate_on_submit():
        try:
            count = services.send_reminder(survey, current_user, expected=form.expected.data, after=form.after.data)
        except services.SurveyError as error:
            if str(error) == "closed":
                flash(_problem(error), "error")
                return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey_id), 303)
            message = _problem(error)
            survey = _survey(event, survey_id)
        else:
            flash(ngettext("Reminder %(number)d is on its way to %(num)d guest.",
                           "Reminder %(number)d is on its way to %(num)d guests.", count,
                           number=form.after.data + 1), "success")
            return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey_id), 303)
    waiting = services.waiting_count(survey)
    confirm = ReminderForm(formdata=None, expected=waiting, after=survey.reminders_sent)
    return render("staff/surveys/remind.html", event=event, survey=survey, form=confirm, waiting=waiting,
                  message=message, status=INVALID if message or form.errors else 200)


# -- Sections ------------------------------------------------------------------------------------

def _section_values(form: SectionForm) -> dict:
    return {"title_en": form.title_en.data.strip(), "title_zh": (form.title_zh.data or "").strip(),
            "position": form.position.data}


@bp.post("/e/<slug>/surveys/<int:survey_id>/sections")
@access.staff(*SURVEY_ROLES)
def add_section(event: Event, survey_id: int):
    """Add a section to the survey."""
    survey = _survey(event, survey_id)
    form = SectionForm(prefix="section")
    if not form.validate_on_submit():
        return _survey_page(event, survey, status=INVALID, section_form=form)
    building.save_section(survey, None, _section_values(form))
    flash(_("The section is added."), "success")
    return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey_id), 303)


def _section(survey: Survey, section_id: int) -> SurveySection:
    found = next((s for s in survey.sections if s.id == section_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/e/<slug>/surveys/<int:survey_id>/sections/<int:section_id>", methods=["GET", "POST"])
@access.staff(*SURVEY_ROLES)
def edit_section(event: Event, survey_id: int, section_id: int):
    """Rename or move a section."""
    survey = _survey(event, survey_id)
    section = _section(survey, section_id)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        building.save_section(survey, section, _section_values(form))
        flash(_("The section is saved."), "success")
        return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey_id), 303)
    return render("staff/surveys/section.html", event=event, survey=survey, section=section, form=form,
                  action_form=ActionForm(), status=INVALID if form.errors else 200)


@bp.post("/e/<slug>/surveys/<int:survey_id>/sections/<int:section_id>/delete")
@access.staff(*SURVEY_ROLES)
def delete_section(event: Event, survey_id: int, section_id: int):
    """Delete a section; its questions stay."""
    section = _section(_survey(event, survey_id), section_id)
    if ActionForm().validate_on_submit():
        building.delete_section(section)
        flash(_("The section is deleted; its questions are kept."), "success")
    return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey_id), 303)


# -- Questions -----------------------------------------------------------------------------------

def _question_form(survey: Survey, question: Question | None = None) -> QuestionForm:
    form = QuestionForm(obj=question, sections=survey.sections,
                        conditions=building.condition_options(survey, question))
    if form.service_area.data is None:
        form.service_area.data = ""  # a question without a service area, and a post without the field
    if question is not None and not form.is_submitted():
        form.section.data = question.section_id or 0
        form.service_area.data = question.service_area or ""
        form.condition.data = (f"{question.condition_question_id}:{question.condition_value}"
                               if question.condition_question_id else "")
        form.choice_lines.data = "\n".join(f"{c.label_en} | {c.label_zh}" if c.label_zh else c.label_en
                                      for c in question.choices)
    elif question is None and not form.is_submitted():
        form.position.data = (max((q.position for q in survey.questions), default=0) + 1)
    return form


def _question_page(event, survey, question, form=None, status=200):
    form = form or _question_form(survey, question)
    return render("staff/surveys/question.html", event=event, survey=survey, question=question, form=form,
                  action_form=ActionForm(), status=status)


def _save_question(event: Event, survey: Survey, question: Question | None):
    form = _question_form(survey, question)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "kind", "service_area", "text_en", "text_zh", "required", "section", "position", "condition")}
        values["text_en"], values["text_zh"] = values["text_en"].strip(), (values["text_zh"] or "").strip()
        try:
            building.save_question(survey, question, values, form.choice_labels(), current_user)
        except services.SurveyError as error:
            db.session.rollback()
            target = form.kind if str(error) == "type-locked" else (
                form.condition if str(error) == "condition-later" else form.choice_lines)
            target.errors = [*target.errors, _problem(error)]
            survey = _survey(event, survey.id)
            question = db.session.get(Question, question.id) if question is not None else None
            return _question_page(event, survey, question, form, status=INVALID)
        flash(_("The question is saved."), "success")
        return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey.id, _anchor="questions"), 303)
    return _question_page(event, survey, question, form, status=INVALID if form.errors else 200)


@bp.route("/e/<slug>/surveys/<int:survey_id>/questions/new", methods=["GET", "POST"])
@access.staff(*SURVEY_ROLES)
def new_question(event: Event, survey_id: int):
    """Add a question: its type, wording in both languages, choices and condition."""
    return _save_question(event, _survey(event, survey_id), None)


def _question(survey: Survey, question_id: int) -> Question:
    found = next((q for q in survey.questions if q.id == question_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/e/<slug>/surveys/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@access.staff(*SURVEY_ROLES)
def edit_question(event: Event, survey_id: int, question_id: int):
    """Change a question; what guests answered keeps its meaning."""
    survey = _survey(event, survey_id)
    return _save_question(event, survey, _question(survey, question_id))


@bp.post("/e/<slug>/surveys/<int:survey_id>/questions/<int:question_id>/delete")
@access.staff(*SURVEY_ROLES)
def delete_question(event: Event, survey_id: int, question_id: int):
    """Delete a question nobody has answered."""
    survey = _survey(event, survey_id)
    question = _question(survey, question_id)
    if ActionForm().validate_on_submit():
        try:
            building.delete_question(survey, question, current_user)
        except services.SurveyError as error:
            flash(_problem(error), "error")
        else:
            flash(_("The question is deleted."), "success")
    return redirect(url_for("staff.edit_survey", slug=event.slug, survey_id=survey_id, _anchor="questions"), 303)


# -- Who has not answered, results, exports -------------------------------------------------------

@bp.get("/e/<slug>/surveys/<int:survey_id>/waiting")
@access.staff(*SURVEY_ROLES)
def non_responders(event: Event, survey_id: int):
    """The guests asked who have not answered; for an anonymous survey only their number."""
    survey = _survey(event, survey_id)
    guests = [] if survey.anonymous else services.non_responders(survey)
    waiting = len(guests) if not survey.anonymous else db.session.scalar(
        select(func.count(Registration.id)).where(*services.non_responder_conditions(survey)))
    return render("staff/surveys/waiting.html", event=event, survey=survey, guests=guests, waiting=waiting)


def _category_id() -> int | None:
    return query_int("category")


@bp.get("/e/<slug>/surveys/<int:survey_id>/results")
@access.staff(*SURVEY_ROLES)
def survey_results(event: Event, survey_id: int):
    """Per question: counts, percentages, mean, NPS, free text, with charts; optionally for one category."""
    survey = _survey(event, survey_id)
    figures = results.compute(survey, _category_id())
    return render("staff/surveys/results.html", event=event, survey=survey, results=figures,
                  type_labels=TYPE_LABELS, area_labels=AREA_LABELS, min_group=results.MIN_GROUP)


@bp.get("/e/<slug>/surveys/<int:survey_id>/<list_name>.<fmt>")
@access.staff(*SURVEY_ROLES)
def survey_export(event: Event, survey_id: int, list_name: str, fmt: str):
    """Every response (one row each), or the summary per question and answer, as CSV or Excel."""
    if list_name not in ("answers", "summary", "waiting") or fmt not in exports.FORMATS:
        abort(404)
    survey = _survey(event, survey_id)
    if list_name == "waiting":
        return _waiting_export(event, survey, fmt)
    if list_name == "summary":
        columns, rows = survey_columns.summary_columns(), survey_columns.summary_rows(results.compute(survey))
        title = _("Survey summary")
    else:
        columns, rows = survey_columns.answer_columns(survey), results.response_rows(survey)
        title = _("Survey answers")
    return exports.download(fmt, f"{event.slug}-survey-{survey.id}-{list_name}", columns, rows, title=title)


def _waiting_export(event: Event, survey: Survey, fmt: str):
    """The guests asked who have not answered, to call or write to; never for an anonymous survey."""
    if survey.anonymous:
        abort(404)
    guests = services.non_responders(survey)
    audit.record(event, current_user, "survey.export_waiting", subject=f"survey {survey.id}", detail=fmt)
    db.session.commit()
    columns = [
        exports.Column(_("Guest"), lambda r: r.name_latin),
        exports.Column(_("Name in own script"), lambda r: r.name_original),
        exports.Column(_("Organization"), lambda r: r.organization),
        exports.Column(_("Category"), lambda r: r.category.name if r.category else ""),
        exports.Column(_("E-mail"), lambda r: r.email),
        exports.Column(_("Phone"), lambda r: r.phone),
        exports.Column(_("Language"), lambda r: language_name(r.language)),
    ]
    return exports.download(fmt, f"{event.slug}-survey-{survey.id}-waiting", columns, guests,
                            title=_("Who has not answered"))
