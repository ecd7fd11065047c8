"""Rating the help desk from the mail: a link per rating, a page in the guest's language, one tap to send."""

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import TicketRating
from tests.factories import CSRF_INPUT, RATE_LINKS, resolved_mail


@pytest.fixture
def event(make_event):
    return make_event()


def test_the_mail_links_each_rating_in_both_parts(app, client, event, desk, mailbox):
    mail = resolved_mail(app, client, event, desk, mailbox)
    for part in ("plain", "html"):
        links = RATE_LINKS.findall(mail.get_body((part,)).get_content().replace("&amp;", "&"))
        assert [score for _, score in links] == ["5", "4", "3", "2", "1"], part
    html = mail.get_body(("html",)).get_content()
    # A thumb-sized target for each rating.
    assert html.count("min-height:48px") == 5
    assert "5 – excellent" in mail.get_body(("plain",)).get_content()


def test_a_rating_link_opens_a_page_in_the_guests_language_that_sends_it_in_one_tap(app, client, event, desk,
                                                                                   mailbox):
    mail = resolved_mail(app, client, event, desk, mailbox, language="zh_Hans")
    [(path, _)] = [link for link in RATE_LINKS.findall(mail.get_body(("plain",)).get_content()) if link[1] == "2"]
    stranger = app.test_client()  # the mail opened on another device, in an English browser
    page = stranger.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    assert "2 – 不满意" in page
    # Opening the link changed nothing: a mail scanner following it rates nothing.
    with app.app_context():
        assert db.session.scalar(select(TicketRating.rated_at)) is None
    # One tap: the page's button posts the chosen rating as it stands.
    form = re.search(r'<form method="post" action="([^"]+)" class="rating-form"', page).group(1)
    data = {"csrf_token": CSRF_INPUT.search(page).group(1), "comment": ""}
    data["score"] = re.search(r'<input checked[^>]*value="(\d)"', page).group(1)
    sent = stranger.post(form, data=data)
    assert sent.status_code == 303
    thanks = stranger.get(sent.headers["Location"]).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in thanks
    with app.app_context():
        assert db.session.scalar(select(TicketRating.score)) == 2
