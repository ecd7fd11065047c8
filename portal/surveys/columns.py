"""A survey as columns of a file: its summary and every response, as staff download them and the archive keeps them.

Names and e-mail appear only for a survey that is not anonymous.
"""

from portal import exports
from portal.i18n import gettext as _
from portal.models import Question, Survey
from portal.surveys import results, services


def answer_columns(survey: Survey) -> list[exports.Column]:
    """One column per question; names and e-mail only for a survey that is not anonymous."""
    columns = []
    if survey.anonymous:
        shown = {g.category.id: g.category.name for g in results.category_groups(survey) if g.shown}
        columns.append(exports.Column(_("Category"), lambda r: shown.get(r.category_id, "")))
        columns.append(exports.Column(_("Day"), lambda r: r.submitted_at.date() if r.submitted_at else ""))
    else:
        columns += [
            exports.Column(_("Guest"), lambda r: r.registration.name_latin if r.registration else ""),
            exports.Column(_("Name in own script"), lambda r: r.registration.name_original if r.registration else ""),
            exports.Column(_("E-mail"), lambda r: r.registration.email if r.registration else ""),
            exports.Column(_("Category"), lambda r: r.category.name if r.category else ""),
            exports.Column(_("Submitted"), lambda r: r.submitted_at.astimezone(survey.event.zone).replace(tzinfo=None)
                           if r.submitted_at else ""),
        ]
    for number, question in enumerate(services.ordered_questions(survey), start=1):
        columns.append(exports.Column(f"{number}. {question.text}", _answer_reader(question)))
    return columns


def _answer_reader(question: Question):
    def read(response):
        answer = next((a for a in response.answers if a.question_id == question.id), None)
        return results.answer_text(question, answer)
    return read


def summary_rows(figures) -> list[dict]:
    rows = []
    for result in figures.questions:
        base = {"number": result.number, "question": result.question.text, "answered": result.answered,
                "mean": result.mean if result.mean is not None else "",
                "nps": result.nps if result.nps is not None else ""}
        if result.buckets:
            rows += [{**base, "answer": b.label, "count": b.count, "percent": b.percent} for b in result.buckets]
        elif result.texts:
            rows += [{**base, "answer": text, "count": "", "percent": ""} for text in result.texts]
        else:
            rows.append({**base, "answer": "", "count": "", "percent": ""})
    return rows


def summary_columns() -> list[exports.Column]:
    return [
        exports.Column(_("No."), lambda r: r["number"]),
        exports.Column(_("Question"), lambda r: r["question"]),
        exports.Column(_("Answer"), lambda r: r["answer"]),
        exports.Column(_("Count"), lambda r: r["count"]),
        exports.Column(_("Percent"), lambda r: r["percent"]),
        exports.Column(_("Answered"), lambda r: r["answered"]),
        exports.Column(_("Mean"), lambda r: r["mean"]),
        exports.Column(_("NPS"), lambda r: r["nps"]),
    ]
