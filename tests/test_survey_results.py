"""Survey results: counts, percentages, means, NPS, free text, SVG charts, category filter with small-group
suppression for anonymous surveys, CSV and Excel exports, and a constant number of queries."""

import io

from openpyxl import load_workbook

from portal.extensions import db
from portal.surveys.results import nps_score
from tests.factories import add_guest, add_survey, queries_for, submit
from tests.sessions import sign_in

QUESTIONS = [
    ("rating_1_5", "Venue", {"area": "venue"}),
    ("nps_0_10", "Recommend", {}),
    ("multiple_choice", "Which days", {"choices": ["Monday", "Tuesday"]}),
    ("long_text", "Comments", {}),
]


def answer(app, event, survey, email, rating=None, nps=None, days=(), text="", category="delegate"):
    user_id, _ = add_guest(app, event, email, category=category, name=f"Guest {email.split('@')[0].title()}")
    client = app.test_client()
    sign_in(client, user_id)
    venue, recommend, which, comments = (f"q{i}" for i in survey["questions"])
    data = {"action": "submit", comments: text}
    if rating is not None:
        data[venue] = str(rating)
    if nps is not None:
        data[recommend] = str(nps)
    if days:
        data[which] = [str(survey["choices"][2][d]) for d in days]
    assert submit(client, f"/e/{event.slug}/me/survey", data).status_code == 303


def organizer_client(app, event, make_staff):
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    client = app.test_client()
    sign_in(client, organizer.id)
    return client


def test_nps_is_promoters_minus_detractors_in_percent():
    assert nps_score({10: 1, 9: 1, 8: 1, 7: 1, 6: 1, 0: 1}) == (0.0, 2, 2, 2)
    assert nps_score({10: 2, 9: 1, 5: 1}) == (50.0, 3, 0, 1)
    assert nps_score({3: 3}) == (-100.0, 0, 0, 3)
    assert nps_score({10: 1, 9: 1, 2: 1}) == (33.3, 2, 0, 1)
    assert nps_score({}) == (None, 0, 0, 0)


def test_results_show_counts_percentages_mean_nps_and_free_text(app, make_event, make_staff):
    event = make_event()
    survey = add_survey(app, event, QUESTIONS)
    answer(app, event, survey, "a@example.org", rating=5, nps=10, days=(0, 1), text="Superb keynote")
    answer(app, event, survey, "b@example.org", rating=4, nps=9, days=(0,))
    answer(app, event, survey, "c@example.org", rating=4, nps=3, text="Too cold in hall B")
    add_guest(app, event, "silent@example.org")
    staff = organizer_client(app, event, make_staff)
    page = staff.get(f"/staff/e/{event.slug}/surveys/{survey['id']}/results")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    venue, recommend = survey["questions"][:2]
    assert "3 responses from 4 guests asked" in body and "response rate 75.0 %" in body
    assert f'data-testid="mean-{venue}">4.33<' in body
    assert f'data-testid="nps-{recommend}">33.3<' in body  # 2 promoters, 1 detractor of 3
    assert "promoters 2, passives 0, detractors 1" in body
    # Monday chosen by both who answered the question: 100 %; Tuesday by one: 50 %.
    assert "<th scope=\"row\">Monday</th><td>2</td><td>100.0 %</td>" in body
    assert "<th scope=\"row\">Tuesday</th><td>1</td><td>50.0 %</td>" in body
    assert "Superb keynote" in body and "Too cold in hall B" in body
    assert 'role="img"' in body and 'aria-label="Chart of the answers to “Venue”: 1: 0 (0.0 %); ' in body
    assert "<svg" in body and "<script" not in body.split("<main")[1]


def test_exports_carry_the_answers_and_for_a_named_survey_the_guest(app, make_event, make_staff):
    event = make_event()
    survey = add_survey(app, event, QUESTIONS)
    answer(app, event, survey, "ana@example.org", rating=5, nps=10, days=(1,), text="=SUM(A1)")
    staff = organizer_client(app, event, make_staff)
    base = f"/staff/e/{event.slug}/surveys/{survey['id']}"
    workbook = load_workbook(io.BytesIO(staff.get(f"{base}/answers.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Guest", "Name in own script", "E-mail")
    assert rows[0][5:] == ("1. Venue", "2. Recommend", "3. Which days", "4. Comments")
    assert rows[1][0] == "Guest Ana" and rows[1][2] == "ana@example.org"
    assert rows[1][5:] == (5, 10, "Tuesday", "=SUM(A1)")
    csv_text = staff.get(f"{base}/answers.csv").data.decode("utf-8-sig")
    assert "ana@example.org" in csv_text and "'=SUM(A1)" in csv_text
    summary = list(load_workbook(io.BytesIO(staff.get(f"{base}/summary.xlsx").data)).active.iter_rows(values_only=True))
    assert any(r[:5] == (1, "Venue", "5", 1, 100.0) for r in summary[1:])
    assert staff.get(f"{base}/answers.pdf").status_code == 404
    assert staff.get(f"{base}/everything.csv").status_code == 404


def test_anonymous_results_hide_small_groups_and_exports_name_no_one(app, make_event, make_staff):
    event = make_event()
    survey = add_survey(app, event, QUESTIONS, anonymous=True)
    for i in range(5):
        answer(app, event, survey, f"delegate{i}@example.org", rating=4, nps=8, text=f"delegate note {i}")
    answer(app, event, survey, "press0@example.org", rating=1, nps=0, category="press", text="press note")
    answer(app, event, survey, "press1@example.org", rating=2, nps=1, category="press")
    staff = organizer_client(app, event, make_staff)
    base = f"/staff/e/{event.slug}/surveys/{survey['id']}"
    with app.app_context():
        from sqlalchemy import select

        from portal.models import Category
        press = db.session.scalar(select(Category.id).where(Category.code == "press"))
        delegate = db.session.scalar(select(Category.id).where(Category.code == "delegate"))

    whole = staff.get(f"{base}/results").get_data(as_text=True)
    assert "7 responses" in whole
    assert f'<option value="{delegate}"' in whole and f'<option value="{press}"' not in whole
    filtered = staff.get(f"{base}/results?category={press}").get_data(as_text=True)
    assert "too few responses to be shown" in filtered and "7 responses" in filtered
    delegates = staff.get(f"{base}/results?category={delegate}").get_data(as_text=True)
    assert "5 responses" in delegates and "press note" not in delegates

    names = [f"delegate{i}" for i in range(5)] + ["press0", "press1", "Guest Press", "Guest Delegate"]
    for fmt in ("csv", "xlsx"):
        data = staff.get(f"{base}/answers.{fmt}").data
        text = data.decode("utf-8-sig") if fmt == "csv" else "\n".join(
            str(v) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for v in row)
        assert "press note" in text
        for name in names:
            assert name not in text, (fmt, name)
        assert "Press" not in text  # the group of two is never named
        assert text.count("Delegate") == 5




def test_results_and_exports_keep_a_constant_number_of_queries(app, make_event, make_staff):
    event = make_event()
    survey = add_survey(app, event, QUESTIONS)
    staff = organizer_client(app, event, make_staff)
    base = f"/staff/e/{event.slug}/surveys/{survey['id']}"
    urls = [f"{base}/results", f"{base}/answers.xlsx", f"{base}/summary.csv", f"{base}/waiting"]
    for i in range(2):
        answer(app, event, survey, f"early{i}@example.org", rating=3, nps=7, days=(0,), text="ok")
    few = [len(queries_for(app, staff, url)) for url in urls]
    for i in range(8):
        answer(app, event, survey, f"late{i}@example.org", rating=5, nps=10, days=(0, 1), text="great",
               category="press" if i % 2 else "vip")
        add_guest(app, event, f"quiet{i}@example.org")
    many = [len(queries_for(app, staff, url)) for url in urls]
    assert few == many
