import pytest
@pytest.mark.parametrize("url", ["/e/summit/agenda?track=²", "/e/summit/agenda?day=0001-01-01", "/e/summit/agenda?day=9999-12-31", "/e/summit/agenda?tz=%00", "/staff/e/summit/helpdesk?since=99999999999999999999999999", "/staff/e/summit/transport?window=" + "9"*5000, "/staff/e/summit/catering?day=0001-01-01", "/e/summit/agenda/mine.ics?x=1"])
def test_probe(app, client, auth, make_event, make_staff, url):
    make_event()
    auth.login_as(make_staff("root@example.org", admin=True))
    print(url, client.get(url).status_code)
