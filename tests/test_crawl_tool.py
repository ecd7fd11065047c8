"""bench/crawl.py: what it follows, what it masks, and how it reports two crawls that differ."""

from bench.crawl import compare, file_for, links_in, normalise, same_site, shape


def test_a_page_is_normalised_without_its_secrets_and_white_space():
    page = ('<form>\n  <input type="hidden" name="csrf_token" value="IjQ5ZTk3YzQ2NjBhZjM0ZWQ4ZmIyYjM5NTQ1ZGUxNmFmNzI2ZDU1NmUi.aTNmLQ.Zx8yq1vG5Cn3uXw2pRtKd0aB7c">'
            '\n\n   <script nonce="abc123" src="/static/js/app.js?v=1d4e89"></script></form>')
    assert normalise(page) == ('<form>\n<input type="hidden" name="csrf_token" value="CSRF">\n'
                               '<script nonce="NONCE" src="/static/js/app.js?v=V">\n</script>\n</form>\n')


def test_only_same_site_links_worth_a_get_are_followed():
    page = ('<a href="/e/demo/agenda?day=2#now">x</a><a href="https://example.org/">x</a>'
            '<a href="mailto:help@example.org">x</a><button hx-get="/staff/e/demo/helpdesk/queue">x</button>'
            '<a href="/static/css/site.css">x</a><a href="/kiosk/reset">x</a><a href="http://localhost/account">x</a>')
    followed = [same_site(link) for link in links_in(page)]
    assert [url for url in followed if url] == ["/e/demo/agenda?day=2", "/staff/e/demo/helpdesk/queue", "/account"]


def test_pages_of_one_shape_and_their_files():
    assert shape("/staff/e/demo/guests/12?tab=1") == shape("/staff/e/demo/guests/13?tab=2")
    assert shape("/staff/e/demo/guests/12") != shape("/staff/e/demo/guests/12?tab=1")
    assert file_for("/") == "index.html"
    assert file_for("/staff/e/demo/guests?state=confirmed&page=2") == "staff/e/demo/guests__state=confirmed_page=2.html"


def test_two_crawls_are_compared_page_by_page(tmp_path, capsys):
    before, after = tmp_path / "before", tmp_path / "after"
    for folder, text in ((before, "<p>Skip to content</p>\n"), (after, "<p>跳至正文</p>\n")):
        (folder / "guest" / "en").mkdir(parents=True)
        (folder / "guest" / "en" / "index.html").write_text(text)
        (folder / "guest" / "en" / "account.html").write_text("<p>Account</p>\n")
    (after / "guest" / "en" / "new.html").write_text("<p>New</p>\n")

    assert compare(before, after) == 1
    report = capsys.readouterr().out
    assert "only after: guest/en/new.html" in report
    assert "-<p>Skip to content</p>\n+<p>跳至正文</p>" in report
    assert "2 pages in both, 1 differ, 0 only before, 1 only after" in report
