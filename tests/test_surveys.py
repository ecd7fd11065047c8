"""Surveys: building, inviting, answering once (drafts, conditions, required answers), anonymity, session ratings."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from portal import outbox
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AgendaEntry, Answer, AuditEntry, Question, Session, SessionRating, Survey, SurveyParticipation, SurveyResponse,
)
from tests.factories import add_guest, form_as_shown, send, add_survey, csrf_token, RATING_AND_TEXT, submit
from tests.sessions import sign_in


def _answers(app, survey_id):
    with app.app_context():
        return db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id)).all()


def _guest_client(app, event, email="ana@example.org", **options):
    user_id, registration_id = add_guest(app, event, email, **options)
    client = app.test_client()
    sign_in(client, user_id)
    return client, registration_id


def test_a_guest_saves_a_draft_comes_back_and_submits_once(app, make_event):
    event = make_event()
    survey = add_survey(app, event, RATING_AND_TEXT)
    venue, shuttle_used, shuttle, other = (f"q{i}" for i in survey["questions"])
    client, registration_id = _guest_client(app, event)
    url = f"/e/{event.slug}/me/survey"

    page = client.get(url)
    assert page.status_code == 200
    assert "How was the venue?" in page.get_data(as_text=True)

    saved = submit(client, url, {venue: "4", other: "Lovely.\nThank you", "action": "save"})
    assert saved.status_code == 303
    [draft] = _answers(app, survey["id"])
    assert draft.draft and draft.registration_id == registration_id and draft.submitted_at is None

    # Coming back (a new browser: the draft is on the server, not in the session).
    again = app.test_client()
    sign_in(again, _user_of(app, registration_id))
    body = again.get(url).get_data(as_text=True)
    assert 'value="4" checked' in body and "Lovely.\nThank you" in body

    done = submit(again, url, {venue: "5", other: "Lovely.", "action": "submit"})
    assert done.status_code == 303
    thanks = again.get(url).get_data(as_text=True)
    assert "Thank you for your answers" in thanks
    [response] = _answers(app, survey["id"])
    assert not response.draft and response.submitted_at is not None
    with app.app_context():
        answers = {a.question_id: (a.number, a.text) for a in db.session.scalars(select(Answer))}
        assert answers == {survey["questions"][0]: (5, None), survey["questions"][3]: (None, "Lovely.")}
        assert db.session.scalar(select(SurveyParticipation.submitted)) is True

    # A second response is refused: the thank-you page answers, nothing is stored.
    second = submit(again, url, {venue: "1", "action": "submit"}, page=f"/e/{event.slug}/me")
    assert second.status_code == 200 and "Thank you for your answers" in second.get_data(as_text=True)
    assert len(_answers(app, survey["id"])) == 1


def _user_of(app, registration_id):
    from portal.models import Registration

    with app.app_context():
        return db.session.get(Registration, registration_id).user_id


def test_conditional_questions_and_required_answers(app, make_event):
    event = make_event()
    survey = add_survey(app, event, RATING_AND_TEXT)
    venue, used, shuttle, other = (f"q{i}" for i in survey["questions"])
    client, _ = _guest_client(app, event)
    url = f"/e/{event.slug}/me/survey"

    # Required and shown (the shuttle was used): both missing ratings are named beside their questions.
    refused = submit(client, url, {used: "yes", "action": "submit"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert body.count("Please answer this question.") >= 2
    assert f'id="{shuttle}-error"' in body and 'value="yes" checked' in body
    assert _answers(app, survey["id"]) == []

    # The shuttle was not used: its rating is not asked, and an answer to it (no JS) is ignored.
    done = submit(client, url, {venue: "3", used: "no", shuttle: "1", "action": "submit"})
    assert done.status_code == 303
    with app.app_context():
        stored = {a.question_id: a.number for a in db.session.scalars(select(Answer))}
    assert stored == {survey["questions"][0]: 3, survey["questions"][1]: 0}


def test_htmx_hides_questions_that_do_not_apply(app, make_event):
    event = make_event()
    survey = add_survey(app, event, RATING_AND_TEXT)
    used = f"q{survey['questions'][1]}"
    client, _ = _guest_client(app, event)
    token = csrf_token(client, f"/e/{event.slug}/me/survey")
    fragment = client.post(f"/e/{event.slug}/me/survey/shown", data={"csrf_token": token, used: "no"},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'id="q{survey["questions"][2]}-question" hidden' in fragment
    shown = client.post(f"/e/{event.slug}/me/survey/shown", data={"csrf_token": token, used: "yes"},
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'id="q{survey["questions"][2]}-question" hidden' not in shown
    assert "<html" not in shown


@pytest.mark.parametrize(("field_index", "value", "message"), [
    (0, "7", "Choose a number from 1 to 5."),
    (0, "abc", "Choose a number from 1 to 5."),
    (1, "maybe", "Answer yes or no."),
    (2, "999999", "Choose from the answers offered."),
    (3, "11", "Choose a number from 0 to 10."),
])
def test_bad_answers_are_refused_beside_the_question(app, make_event, field_index, value, message):
    event = make_event()
    survey = add_survey(app, event, [
        ("rating_1_5", "Venue?", {"area": "venue"}), ("yes_no", "Again?", {}),
        ("single_choice", "Best day?", {"choices": ["Day 1", "Day 2"]}), ("nps_0_10", "Recommend?", {}),
    ])
    client, _ = _guest_client(app, event)
    name = f"q{survey['questions'][field_index]}"
    response = submit(client, f"/e/{event.slug}/me/survey", {name: value, "action": "submit"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _answers(app, survey["id"]) == []


def test_a_closed_survey_or_one_not_addressed_to_the_guest_takes_no_answer(app, make_event):
    event = make_event()
    survey = add_survey(app, event, RATING_AND_TEXT, audience="checked_in")
    venue = f"q{survey['questions'][0]}"
    outsider, _ = _guest_client(app, event, "out@example.org")  # confirmed, never checked in
    assert "no survey open for you" in outsider.get(f"/e/{event.slug}/me/survey").get_data(as_text=True)

    client, _ = _guest_client(app, event, checked_in=True)
    token = csrf_token(client, f"/e/{event.slug}/me/survey")
    with app.app_context():
        db.session.get(Survey, survey["id"]).closed_at = utcnow()
        db.session.commit()
    late = client.post(f"/e/{event.slug}/me/survey", data={"csrf_token": token, venue: "5", "action": "submit"})
    assert late.status_code == 200
    assert "no survey open for you" in late.get_data(as_text=True)
    assert _answers(app, survey["id"]) == []
    # Another event's survey, or a forged sign-in link: a clear page, never a 500.
    assert client.get("/e/nowhere/me/survey").status_code == 404
    assert client.get("/login/link/forged-token").status_code == 410


def test_an_anonymous_response_cannot_be_linked_to_its_guest(app, make_event):
    event = make_event()
    survey = add_survey(app, event, RATING_AND_TEXT, anonymous=True)
    venue, other = f"q{survey['questions'][0]}", f"q{survey['questions'][3]}"
    client, registration_id = _guest_client(app, event)
    url = f"/e/{event.slug}/me/survey"

    submit(client, url, {venue: "2", "action": "save"})
    with app.app_context():
        participation = db.session.scalar(select(SurveyParticipation))
        draft = db.session.scalar(select(SurveyResponse))
        assert draft.registration_id is None and draft.draft_owner_key == participation.draft_key
    assert 'value="2" checked' in client.get(url).get_data(as_text=True)

    assert submit(client, url, {venue: "4", other: "Fine", "action": "submit"}).status_code == 303
    with app.app_context():
        [response] = db.session.scalars(select(SurveyResponse)).all()
        participation = db.session.scalar(select(SurveyParticipation))
        assert not response.draft  # the draft row is gone; a new, unlinked row holds the answers
        assert response.registration_id is None and response.draft_owner_key is None
        assert participation.draft_key is None and participation.submitted
        assert response.submitted_at.time().isoformat() == "00:00:00"  # the day only
        db.session.rollback()  # the inspector needs the write lock this session holds on SQLite
        tables = inspect(db.engine)
        columns = {c["name"] for c in tables.get_columns("survey_participation")}
        assert columns == {"id", "survey_id", "registration_id", "submitted", "draft_key"}
        targets = {fk["referred_table"] for fk in tables.get_foreign_keys("survey_participation")}
        assert targets == {"survey", "registration"}
        assert "survey_participation" not in {
            fk["referred_table"] for fk in tables.get_foreign_keys("survey_response")}
    assert "Thank you for your answers" in client.get(url).get_data(as_text=True)
    submit(client, url, {venue: "1", "action": "submit"}, page=f"/e/{event.slug}/me")
    assert len(_answers(app, survey["id"])) == 1


@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_ten_simultaneous_submissions_make_one_response(app, make_event, anonymous):
    event = make_event()
    survey = add_survey(app, event, RATING_AND_TEXT, anonymous=anonymous)
    venue = f"q{survey['questions'][0]}"
    user_id, _ = add_guest(app, event, "ana@example.org")
    clients, tokens = [], []
    for _i in range(10):
        client = app.test_client()
        sign_in(client, user_id)
        tokens.append(csrf_token(client, f"/e/{event.slug}/me/survey"))
        clients.append(client)
    barrier = threading.Barrier(10)
    statuses = []

    def post(client, token):
        barrier.wait()
        response = client.post(f"/e/{event.slug}/me/survey", data={"csrf_token": token, venue: "5",
                                                                  "action": "submit"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in zip(clients, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 10 and set(statuses) <= {200, 303}
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == 1
        assert db.session.scalar(select(func.count(Answer.id))) == 1
        assert db.session.scalar(select(func.count(SurveyParticipation.id))) == 1


def test_opening_invites_the_audience_and_a_reminder_reaches_only_those_who_have_not_answered(
        app, make_event, make_staff, mailbox):
    event = make_event(starts_on=date.today() - timedelta(days=4), ends_on=date.today() - timedelta(days=2))
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    survey = add_survey(app, event, RATING_AND_TEXT, open_=False, invited=False, audience="checked_in")
    add_guest(app, event, "came@example.org", checked_in=True)
    answering, _ = _guest_client(app, event, "keen@example.org", checked_in=True)
    add_guest(app, event, "absent@example.org")
    staff = app.test_client()
    sign_in(staff, organizer.id)
    base = f"/staff/e/{event.slug}/surveys/{survey['id']}"

    assert submit(staff, f"{base}/open", {}, page=base).status_code == 303
    with app.app_context():
        outbox.deliver()
    invited = sorted(m["To"] for m in mailbox.messages)
    assert invited == ["came@example.org", "keen@example.org"]
    text = mailbox.to("came@example.org")[0].get_body(("plain",)).get_content()
    assert f"http://localhost/e/{event.slug}/me/survey" in text
    # Opening again (after a close) never invites twice.
    submit(staff, f"{base}/close", {}, page=base)
    submit(staff, f"{base}/open", {}, page=base)
    with app.app_context():
        outbox.deliver()
    assert len(mailbox.messages) == 2

    submit(answering, f"/e/{event.slug}/me/survey", {f"q{survey['questions'][0]}": "5", "action": "submit"})
    waiting = staff.get(f"{base}/waiting").get_data(as_text=True)
    assert "Came" in waiting and "Keen" not in waiting and "Absent" not in waiting

    mailbox.messages.clear()
    confirm = staff.get(f"{base}/remind").get_data(as_text=True)
    assert "Send the reminder to 1 guest" in confirm
    assert send(staff, f"{base}/remind", form_as_shown(staff, f"{base}/remind")).status_code == 303
    with app.app_context():
        outbox.deliver()
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "survey.remind")) == 1
    assert [m["To"] for m in mailbox.messages] == ["came@example.org"]
    assert "Reminder" in mailbox.messages[0]["Subject"]
    assert "1 reminder sent" in staff.get(base).get_data(as_text=True)


def test_who_has_not_answered_stays_a_number_for_an_anonymous_survey(app, make_event, make_staff):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    survey = add_survey(app, event, RATING_AND_TEXT, anonymous=True)
    add_guest(app, event, "quiet@example.org", name="Quiet Person")
    staff = app.test_client()
    sign_in(staff, organizer.id)
    page = staff.get(f"/staff/e/{event.slug}/surveys/{survey['id']}/waiting").get_data(as_text=True)
    assert "1 guest asked has not answered yet." in page
    assert "Quiet Person" not in page and "quiet@example.org" not in page


def test_the_organizer_builds_a_survey_with_sections_choices_and_a_condition(app, make_event, make_staff):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    coordinator = make_staff("coord@example.org", event, roles=("catering",))
    staff = app.test_client()
    sign_in(staff, organizer.id)
    base = f"/staff/e/{event.slug}/surveys"

    missing = submit(staff, base, {"title_en": "", "title_zh": "", "audience": "categories"})
    assert missing.status_code == 422
    assert "Enter the English title." in missing.get_data(as_text=True)
    assert "Choose at least one category" in missing.get_data(as_text=True)

    created = submit(staff, base, {"title_en": "After the summit", "title_zh": "会后调查", "audience": "confirmed",
                                   "anonymous": "y"})
    assert created.status_code == 303
    survey_url = created.headers["Location"]
    assert submit(staff, f"{survey_url}/sections", {"section-title_en": "Logistics", "section-position": "1"},
                  page=survey_url).status_code == 303

    new = f"{survey_url}/questions/new"
    no_area = submit(staff, new, {"kind": "rating_1_5", "text_en": "Venue?", "position": "1", "section": "0"})
    assert no_area.status_code == 422 and "Choose the service" in no_area.get_data(as_text=True)
    one_choice = submit(staff, new, {"kind": "single_choice", "text_en": "Hotel?", "choice_lines": "Only one",
                                     "position": "1", "section": "0"})
    assert one_choice.status_code == 422 and "at least two choices" in one_choice.get_data(as_text=True)

    assert submit(staff, new, {"kind": "single_choice", "text_en": "Where did you stay?", "position": "1",
                               "section": "0", "choice_lines": "Partner hotel | 合作酒店\nElsewhere | 其他"}
                  ).status_code == 303
    with app.app_context():
        hotel = db.session.scalar(select(Question).where(Question.text_en == "Where did you stay?"))
        partner = hotel.choices[0]
        assert (partner.label_en, partner.label_zh) == ("Partner hotel", "合作酒店")
        condition = f"{hotel.id}:{partner.id}"
    assert submit(staff, new, {"kind": "rating_1_5", "service_area": "lodging", "text_en": "The partner hotel?",
                               "position": "2", "section": "0", "required": "y", "condition": condition}
                  ).status_code == 303
    bogus = submit(staff, new, {"kind": "yes_no", "text_en": "Forged?", "position": "3", "section": "0",
                                "condition": "99999:1"})
    assert bogus.status_code == 422
    with app.app_context():
        survey = db.session.scalar(select(Survey))
        assert survey.anonymous and survey.sections[0].title_en == "Logistics"
        rated = db.session.scalar(select(Question).where(Question.kind == "rating_1_5"))
        assert (rated.condition_question_id, rated.condition_value, rated.required) == (hotel.id, str(partner.id), True)

    # The organizer's alone: a coordinator gets 403, and the nav shows the link only to the organizer.
    other = app.test_client()
    sign_in(other, coordinator.id)
    assert other.get(base).status_code == 403
    assert 'href="/staff/e/summit/surveys"' not in other.get(f"/staff/e/{event.slug}/").get_data(as_text=True)
    assert 'href="/staff/e/summit/surveys"' in staff.get(f"/staff/e/{event.slug}/").get_data(as_text=True)


def test_answered_questions_keep_their_meaning(app, make_event, make_staff):
    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    survey = add_survey(app, event, [("single_choice", "Hotel?", {"choices": ["A", "B", "C"]})])
    client, _ = _guest_client(app, event)
    question_id = survey["questions"][0]
    submit(client, f"/e/{event.slug}/me/survey", {f"q{question_id}": str(survey["choices"][0][2]),
                                                  "action": "submit"})
    staff = app.test_client()
    sign_in(staff, organizer.id)
    url = f"/staff/e/{event.slug}/surveys/{survey['id']}/questions/{question_id}"
    refused = submit(staff, url, {"kind": "single_choice", "text_en": "Hotel?", "choice_lines": "A\nB", "section": "0",
                                  "position": "0"})
    assert refused.status_code == 422 and "cannot be removed" in refused.get_data(as_text=True)
    retyped = submit(staff, url, {"kind": "short_text", "text_en": "Hotel?", "section": "0", "position": "0"})
    assert retyped.status_code == 422 and "type cannot change" in retyped.get_data(as_text=True)
    reworded = submit(staff, url, {"kind": "single_choice", "text_en": "Your hotel?", "choice_lines": "A\nB\nC (best)",
                                   "section": "0", "position": "0"})
    assert reworded.status_code == 303
    deleted = submit(staff, f"{url}/delete", {}, page=f"/staff/e/{event.slug}/surveys/{survey['id']}",
                     follow_redirects=True)
    assert "cannot be deleted" in deleted.get_data(as_text=True)
    anonymous = submit(staff, f"/staff/e/{event.slug}/surveys/{survey['id']}",
                       {"title_en": "T", "title_zh": "T", "audience": "confirmed", "anonymous": "y"})
    assert anonymous.status_code == 422 and "cannot be made anonymous" in anonymous.get_data(as_text=True)


def test_my_trip_shows_the_survey_card(app, make_event):
    event = make_event()
    client, _ = _guest_client(app, event)
    assert "Answer the survey" not in client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    add_survey(app, event, RATING_AND_TEXT)
    trip = client.get(f"/e/{event.slug}/me").get_data(as_text=True)
    assert "Answer the survey" in trip and f'href="/e/{event.slug}/me/survey"' in trip


# -- Session ratings -----------------------------------------------------------------------------

def _session(app, event, ends_in: timedelta, holder: int | None, status="scheduled") -> int:
    with app.app_context():
        session = Session(event_id=event.id, title_en="Opening keynote", title_zh="开幕主旨演讲",
                          starts_at=utcnow() + ends_in - timedelta(hours=1), ends_at=utcnow() + ends_in,
                          status=status)
        db.session.add(session)
        db.session.flush()
        if holder:
            db.session.add(AgendaEntry(registration_id=holder, session_id=session.id))
        db.session.commit()
        return session.id


def test_a_guest_rates_a_session_they_held_once_it_has_ended(app, make_event):
    event = make_event()
    client, registration_id = _guest_client(app, event)
    ended = _session(app, event, timedelta(hours=-1), registration_id)
    mine = client.get(f"/e/{event.slug}/me/agenda").get_data(as_text=True)
    assert "Rate this session" in mine
    url = f"/e/{event.slug}/me/agenda/{ended}/rating"

    bad = submit(client, url, {"score": "6", "comment": "x"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    assert submit(client, url, {"score": "4", "comment": "Inspiring"}).status_code == 303
    fragment = submit(client, url, {"score": "5", "comment": "Even better"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "your rating is saved" in fragment.get_data(as_text=True)
    with app.app_context():
        [rating] = db.session.scalars(select(SessionRating)).all()
        assert (rating.score, rating.comment) == (5, "Even better")
    assert "Your rating: 5 of 5" in client.get(f"/e/{event.slug}/agenda/{ended}").get_data(as_text=True)


def test_sessions_not_held_not_ended_or_cancelled_cannot_be_rated(app, make_event):
    event = make_event()
    client, registration_id = _guest_client(app, event)
    upcoming = _session(app, event, timedelta(hours=3), registration_id)
    not_held = _session(app, event, timedelta(hours=-2), None)
    cancelled = _session(app, event, timedelta(hours=-2), registration_id, status="cancelled")
    assert "Rate this session" not in client.get(f"/e/{event.slug}/me/agenda").get_data(as_text=True)
    for session_id, message in ((upcoming, "once it has ended"), (not_held, "in your agenda"),
                                (cancelled, "was cancelled")):
        response = submit(client, f"/e/{event.slug}/me/agenda/{session_id}/rating", {"score": "3"},
                          page=f"/e/{event.slug}/me/agenda", follow_redirects=True)
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(SessionRating.id))) == 0


def test_a_survey_that_opens_by_its_date_is_announced_once_by_the_cli(app, make_event, runner, mailbox):
    event = make_event()
    survey = add_survey(app, event, RATING_AND_TEXT, open_=False, invited=False)
    add_guest(app, event, "dated@example.org")
    with app.app_context():
        db.session.get(Survey, survey["id"]).opens_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    assert "queued: 0" in runner.invoke(args=["surveys", "send-invitations"]).output
    with app.app_context():
        db.session.get(Survey, survey["id"]).opens_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert "queued: 1" in runner.invoke(args=["surveys", "send-invitations"]).output
    assert "queued: 0" in runner.invoke(args=["surveys", "send-invitations"]).output
    with app.app_context():
        outbox.deliver()
    [mail] = mailbox.to("dated@example.org")
    assert "/e/summit/me/survey" in mail.get_body(("plain",)).get_content()


def test_my_data_download_holds_my_named_answers_and_ratings_only(app, make_event):
    event = make_event()
    named = add_survey(app, event, [("short_text", "One word", {})])
    client, registration_id = _guest_client(app, event)
    submit(client, f"/e/{event.slug}/me/survey", {f"q{named['questions'][0]}": "Bright", "action": "submit"})
    with app.app_context():
        db.session.get(Survey, named["id"]).closed_at = utcnow()
        db.session.commit()
    anonymous = add_survey(app, event, [("short_text", "Secret word", {})], anonymous=True)
    submit(client, f"/e/{event.slug}/me/survey", {f"q{anonymous['questions'][0]}": "Hidden", "action": "submit"})
    data = client.get(f"/e/{event.slug}/me/data.json").get_json()
    feedback = data["feedback"] if "feedback" in data else data["data"]["feedback"]
    assert feedback["named_answers"][0]["answers"][0]["text"] == "Bright"
    assert "Hidden" not in str(feedback) and len(feedback["surveys_answered"]) == 2
