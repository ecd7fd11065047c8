"""Inviting people from a CSV file, and the list of invitations."""

import re
import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Invitation, OutboundMail
from portal.staff import services
from tests.factories import add_guests, free_port, IMPORT, multipart, submit, upload
from tests.factories import ROOT, flask_environment

LINK = re.compile(r"(http://localhost/e/summit/register/\S+)")


@pytest.fixture
def organizer(auth, make_staff, summit):
    user = make_staff("olivia@example.org", summit, roles=("organizer",))
    auth.login_as(user)
    return user


def invitation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))


def link_in(mailbox, email) -> str:
    (message,) = mailbox.to(email)
    return LINK.search(message.get_body(("plain",)).get_content()).group(1).replace("http://localhost", "")


GOOD = (
    "name,email,category,language\n"
    "王小明,wang@example.org,vip,zh_Hans\n"
    '"Smith, Anna",Anna.Smith@Example.org,SPEAKER,en\n'
    ",,,\n"
)


def test_import_invites_everyone_in_one_go(app, client, organizer, mailbox):
    page = client.get(IMPORT).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "vip, speaker, delegate, press" in page
    # Spreadsheets save UTF-8 with a byte-order mark; it must not spoil the first column's name.
    response = upload(client, "\ufeff" + GOOD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/e/summit/invitations"
    page = client.get("/staff/e/summit/invitations").get_data(as_text=True)
    assert "2 invitations are created and on their way." in page
    assert "王小明" in page and "anna.smith@example.org" in page
    with app.app_context():
        rows = db.session.execute(select(Invitation.email, Invitation.name, Invitation.language)
                                  .order_by(Invitation.email)).all()
        assert rows == [("anna.smith@example.org", "Smith, Anna", "en"), ("wang@example.org", "王小明", "zh_Hans")]
        assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "invitation.import")) == "2"
    (chinese,) = mailbox.to("wang@example.org")
    assert "未来峰会" in chinese["Subject"]
    # The link in the mail opens the registration form.
    assert client.get(link_in(mailbox, "anna.smith@example.org")).status_code == 200


@pytest.mark.parametrize(("content", "reasons"), [
    ("name,email,category,language\nAnn,not-an-email,vip,en\nBob,bob@example.org,vip,en\n",
     ['Line 2: "not-an-email" is not a valid e-mail address']),
    ("name,email,category,language\nAnn,ann@example.org,royalty,en\n",
     ['Line 2: unknown category "royalty" (use one of: vip, speaker, delegate, press)']),
    ("name,email,category,language\n,ann@example.org,vip,en\n", ["Line 2: the name is missing"]),
    ("name,email,category,language\nAnn,ann@example.org,vip,fr\n", ["Line 2: the language must be zh_Hans or en"]),
    ("name,email,category,language\nAnn,ann@example.org,vip,en\nAnn B,ANN@example.org,press,en\n",
     ["Line 3: ann@example.org is also on line 2"]),
    ("name,email,category,language\n" + "A" * 201 + ",ann@example.org,vip,en\n",
     ["Line 2: the name is longer than 200 characters"]),
    ("name,email,category,language\nAnn,ann@example.org\n",
     ["Line 2: the category is missing; the language must be zh_Hans or en"]),
    # A quoted name across two lines: the next record starts on line 4.
    ('name,email,category,language\n"Ann\nAnnex",ann@example.org,vip,en\nBob,bob,vip,en\n',
     ['Line 4: "bob" is not a valid e-mail address']),
])
def test_bad_rows_are_named_and_nothing_is_stored(app, client, organizer, mailbox, content, reasons):
    response = upload(client, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    for reason in reasons:
        assert reason.replace('"', "&#34;") in page
    assert invitation_count(app) == 0
    assert mailbox.messages == []


def test_already_invited_or_registered_addresses_are_refused(app, client, organizer, summit):
    add_guests(app, summit, 1, prefix="guest")
    assert upload(client, "name,email,category,language\nAnn,ann@example.org,vip,en\n").status_code == 303
    response = upload(client, "name,email,category,language\n"
                              "Ann,ann@example.org,vip,en\nGuest,guest0@example.org,vip,en\nNew,new@example.org,vip,en\n")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Line 2: ann@example.org is already invited" in page
    assert "Line 3: guest0@example.org is already registered" in page
    assert "new@example.org" not in page
    assert invitation_count(app) == 1


@pytest.mark.parametrize(("content", "filename", "message"), [
    ("name,email,category,language\nJosé,jose@example.org,vip,en\n".encode("latin-1"), "x.csv",
     "The file is not UTF-8 text."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.csv", "The file is not UTF-8 text."),
    (b"name,email\x00,category", "x.csv", "This is not a CSV file."),
    (b"", "empty.csv", "The file is empty."),
    (b"name,email,category,language\n", "x.csv", "The file has a header line but no invitees."),
    (b"full name,mail,category\nAnn,ann@example.org,vip\n", "x.csv", "missing: name, email, language."),
    (b"name,email,category,language\n" + b"Ann,ann@example.org,vip,en\n" * 80000, "big.csv",
     "The file is larger than 2 MB."),
    (b'name,email,category,language\n"' + b"x" * 200000 + b'",a@example.org,vip,en\n', "x.csv",
     "This is not a CSV file we can read"),
])
def test_unusable_files_get_a_clear_answer(app, client, organizer, content, filename, message):
    response = upload(client, content, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert invitation_count(app) == 0


def test_an_upload_without_a_file_is_refused(app, client, organizer):
    response = submit(client, IMPORT, {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_resend_invitation_replaces_the_link(app, client, organizer, mailbox):
    upload(client, "name,email,category,language\nAnn,ann@example.org,vip,en\n")
    old_link = link_in(mailbox, "ann@example.org")
    mailbox.messages.clear()
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    response = submit(client, f"/staff/e/summit/invitations/{invitation_id}/resend", {},
                      page="/staff/e/summit/invitations")
    response.close()
    assert response.status_code == 303
    assert "A new invitation link is on its way to ann@example.org." in client.get(
        "/staff/e/summit/invitations").get_data(as_text=True)
    new_link = link_in(mailbox, "ann@example.org")
    assert new_link != old_link
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 2
        assert db.session.scalar(select(AuditEntry.subject).where(AuditEntry.action == "invitation.resend")) \
            == "ann@example.org"


def test_an_accepted_invitation_is_not_resent(app, client, organizer, mailbox):
    upload(client, "name,email,category,language\nAnn,ann@example.org,vip,en\n")
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        invitation.accepted_at = invitation.created_at
        db.session.commit()
        invitation_id, token_hash = invitation.id, invitation.token_hash
    page = client.get("/staff/e/summit/invitations").get_data(as_text=True)
    assert "Resend invitation" not in page and "Accepted" in page
    response = submit(client, f"/staff/e/summit/invitations/{invitation_id}/resend", {},
                      page="/staff/e/summit/invitations")
    assert response.status_code == 303
    assert "already accepted" in client.get("/staff/e/summit/invitations").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).token_hash == token_hash


def test_invitations_of_another_event_are_out_of_reach(app, client, auth, make_event, make_staff, organizer):
    forum = make_event(slug="forum")
    boss = make_staff("boss@example.org", forum, roles=("organizer",))
    auth.login_as(boss)
    upload_forum = upload(client, "name,email,category,language\nAnn,ann@example.org,vip,en\n",
                          url="/staff/e/forum/invitations/import")
    assert upload_forum.status_code == 303
    with app.app_context():
        forum_invitation = db.session.scalar(select(Invitation.id))
    auth.login_as(organizer)
    response = submit(client, f"/staff/e/summit/invitations/{forum_invitation}/resend", {},
                      page="/staff/e/summit/invitations")
    assert response.status_code == 404


# -- A big file, under the documented server -----------------------------------------------------

def _invitees(count: int, bad_lines=()) -> bytes:
    lines = ["name,email,category,language"]
    for n in range(count):
        line = n + 2  # the header is line 1
        email = "not-an-address" if line in bad_lines else f"guest{n}@example.org"
        lines.append(f"Guest {n},{email},{'delegate' if n % 3 else 'press'},{'en' if n % 2 else 'zh_Hans'}")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.slow
def test_twenty_thousand_invitees_are_imported_under_gunicorn(app, summit, make_staff, database_uri, mailbox,
                                                             tmp_path):
    """gunicorn as the README runs it (sync workers, 30 s timeout): the import answers, all of it or nothing."""
    import http.client
    import time
    from http.cookies import SimpleCookie

    from bench.browser import Browser
    from tests.factories import gunicorn

    make_staff("olivia@example.org", summit, roles=("organizer",))
    with gunicorn(database_uri, workers=2, MAIL_SEND_INLINE="1", MAIL_PORT=str(mailbox.port)) as port:
        browser = Browser(port)
        browser.sign_in("olivia@example.org", "correct horse battery")

        def post(content: bytes):
            body, content_type = multipart({"csrf_token": browser.csrf(IMPORT)}, "invitees.csv", content)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            started = time.monotonic()
            connection.request("POST", IMPORT, body=body, headers={
                "Content-Type": content_type, "Cookie": browser.cookie_header()})
            response = connection.getresponse()
            page = response.read().decode()
            connection.close()
            for value in response.headers.get_all("Set-Cookie") or ():  # the flash rides in the session
                browser.cookies.update({name: morsel.value for name, morsel in SimpleCookie(value).items()})
            return response.status, response.headers, page, time.monotonic() - started

        # Two bad rows among twenty thousand: both named, nothing stored.
        status, _headers, page, _took = post(_invitees(20_000, bad_lines=(9, 20_001)))
        assert status == 422
        assert "Line 9" in page and "Line 20001" in page and page.count("not-an-address") == 2
        assert invitation_count(app) == 0

        status, headers, _page, took = post(_invitees(20_000))
        assert status == 303, took
        assert headers["Location"] == "/staff/e/summit/invitations"
        print(f"20,000 invitations imported in {took:.1f} s")
        _status, _headers, page = browser.get("/staff/e/summit/invitations")
        assert "20000 invitations are created and on their way." in page
        assert "Invitation mails written: 500 of 20000" in page

        # The import wrote the first batch of mails, and its worker sends the first few of them.
        deadline = time.monotonic() + 20
        while len(mailbox.messages) < 50 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(mailbox.messages) == 50

        # The sender writes the rest, a batch at a time, while the organizer watches (SMTP is down
        # meanwhile: the mails wait in the outbox).
        log = tmp_path / "sender.log"
        with log.open("w") as output:
            sender = subprocess.Popen([sys.executable, "-m", "flask", "send-mail", "--interval", "0.5"], cwd=ROOT,
                                      env=flask_environment(database_uri, free_port()), stdout=subprocess.DEVNULL,
                                      stderr=output, start_new_session=True)
        seen = set()
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                _status, _headers, page = browser.get("/staff/e/summit/invitations")
                progress = re.search(r"Invitation mails written: (\d+) of 20000", page)
                if progress is None:
                    break
                seen.add(int(progress.group(1)))
                time.sleep(0.5)
            assert sender.poll() is None
        finally:
            sender.terminate()
            sender.wait(timeout=10)
        assert progress is None, log.read_text()[-2000:]  # every mail is written: the progress is gone from the page
        assert any(500 < written < 20_000 for written in seen), seen

        # A link from the mail opens the invitation.
        with app.app_context():
            mail = db.session.scalar(select(OutboundMail).where(OutboundMail.recipient == "guest7@example.org"))
        link = re.search(r"https?://[^/\s]+(/e/summit/register/\S+)", mail.body_text).group(1)
        status, _headers, page = browser.get(link)
        assert status == 200 and "Guest 7" in page

    with app.app_context():
        assert invitation_count(app) == 20_000
        assert db.session.scalar(select(func.count()).select_from(Invitation).where(Invitation.mail_pending)) == 0
        assert db.session.scalar(select(func.count(func.distinct(Invitation.token_hash)))) == 20_000
        mails = db.session.execute(select(OutboundMail.recipient, func.count()).group_by(OutboundMail.recipient)
                                   .having(func.count() > 1)).all()
        assert mails == []  # one mail each
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 20_000
        chinese = db.session.scalar(select(OutboundMail).where(OutboundMail.recipient == "guest0@example.org"))
        assert "未来峰会" in chinese.subject and "Guest 0" in chinese.body_html


def test_the_sender_writes_the_mails_an_import_left_once_each(app, client, organizer, mailbox):
    """Two senders at once over the invitations an import left without a mail: one mail each."""
    app.config["INVITATION_MAILS_PER_BATCH"] = 3
    response = upload(client, _invitees(40))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation).where(Invitation.mail_pending)) == 37
    start = threading.Barrier(2)

    def sender():
        with app.app_context():
            start.wait(timeout=10)
            while services.write_invitation_mails(limit=3):
                pass

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        from portal import outbox

        while outbox.deliver()["sent"]:
            pass
    assert sorted(m["To"] for m in mailbox.messages) == sorted(f"guest{n}@example.org" for n in range(40))
    # Every link works, the one in the mail being the one the invitation holds.
    for n in (0, 5, 39):
        guest = client.__class__(app, app.response_class)
        assert guest.get(link_in(mailbox, f"guest{n}@example.org")).status_code == 200
