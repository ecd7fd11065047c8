"""An event's team: inviting colleagues by mail, giving and taking roles, and `flask create-staff`."""

import re

import pytest
from sqlalchemy import select

from portal import outbox
from portal.extensions import db
from portal.models import AuditEntry, SignInSession, StaffPermission, StaffRole, User
from tests.factories import STAFF_PASSWORD, app_config, submit
from tests.sessions import sign_in

LINK = re.compile(r"https?://[^\s/]+(/login/link/[A-Za-z0-9_\-]+)")


@pytest.fixture
def organizer(make_staff, summit):
    return make_staff("olivia@example.org", summit, roles=("organizer",))


def _link(mailbox, email: str) -> str:
    (message,) = mailbox.to(email)
    match = LINK.search(message.get_body(preferencelist=("plain",)).get_content())
    assert match
    return match.group(1)


def _roles(app, email: str) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(StaffRole.role).join(User).where(User.email == email)))


def _audit(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(AuditEntry.action, AuditEntry.subject, AuditEntry.detail).order_by(AuditEntry.id))]


def _invite(client, slug="summit", **data):
    form = {"invite-email": "hana@example.org", "invite-display_name": "Hana Ito", "invite-language": "en",
            "invite-roles": ["helpdesk"], **data}
    response = submit(client, f"/staff/e/{slug}/team/invite", form, page=f"/staff/e/{slug}/team")
    response.close()  # the mail goes out once the response is closed
    return response


def test_an_invited_colleague_sets_a_password_through_the_mailed_link(app, client, auth, organizer, mailbox):
    auth.login_as(organizer)
    response = _invite(client, **{"invite-roles": ["helpdesk", "lodging"], "invite-medical": "y"})
    assert response.status_code == 303
    assert _roles(app, "hana@example.org") == {"helpdesk", "lodging"}
    page = client.get("/staff/e/summit/team").get_data(as_text=True)
    assert "hana@example.org" in page and "Never" in page and "May read medical notes" in page
    assert ("team.invite", "hana@example.org", "helpdesk lodging") in _audit(app)
    assert ("permission.grant", "hana@example.org", "medical") in _audit(app)

    # Hana opens the mail in her own browser: the link proves the address, then she sets a password.
    (message,) = mailbox.to("hana@example.org")
    assert message["Subject"] == "You are invited to the team of Future Summit"
    hana = app.test_client()
    link = _link(mailbox, "hana@example.org")
    used = submit(hana, link, {})
    assert used.status_code == 303 and used.headers["Location"] == "/account"
    saved = submit(hana, "/account", {"display_name": "Hana Ito", "language": "en",
                                      "new_password": "a long new password"})
    assert saved.status_code == 303
    fresh = app.test_client()
    signed = submit(fresh, "/login", {"email": "hana@example.org", "password": "a long new password"})
    assert signed.headers["Location"] == "/staff/"
    assert fresh.get("/staff/e/summit/helpdesk").status_code == 200
    # The link is used up; a second use refuses.
    assert app.test_client().get(link).status_code == 410
    assert re.search(r"Hana Ito.*?\d{1,2}:\d\d", client.get("/staff/e/summit/team").get_data(as_text=True),
                     re.S)


def test_the_invitation_is_in_chinese_for_a_chinese_colleague(app, client, auth, organizer, mailbox):
    auth.login_as(organizer)
    _invite(client, **{"invite-language": "zh_Hans"})
    (message,) = mailbox.to("hana@example.org")
    assert "未来峰会" in message["Subject"]
    assert "设置" in message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"invite-email": "not-an-address"}, "invite-email", "Enter an e-mail address such as name@example.org."),
    ({"invite-roles": []}, "invite-roles", "Choose at least one role."),
    ({"invite-roles": ["owner"]}, "invite-roles", "not a valid choice"),
    ({"invite-display_name": " "}, "invite-display_name", "Enter the name."),
])
def test_a_bad_invitation_is_explained_and_keeps_the_input(app, client, auth, organizer, mailbox, data, field,
                                                           message):
    auth.login_as(organizer)
    response = _invite(client, **data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'id="{field}(-0)?-error">[^<]*{re.escape(message)}', page)
    assert 'value="Hana Ito"' in page or field == "invite-display_name"
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "hana@example.org")) is None


def test_taking_a_role_ends_that_persons_sessions_and_is_audited(app, client, auth, organizer, make_staff,
                                                                summit):
    hana = make_staff("hana@example.org", summit, roles=("helpdesk", "lodging"))
    hanas_browser = app.test_client()
    sign_in(hanas_browser, hana.id)
    assert hanas_browser.get("/staff/e/summit/helpdesk").status_code == 200
    auth.login_as(organizer)
    response = submit(client, f"/staff/e/summit/team/{hana.id}", {f"m{hana.id}-roles": ["lodging"]},
                      page="/staff/e/summit/team")
    assert response.status_code == 303
    assert _roles(app, "hana@example.org") == {"lodging"}
    with app.app_context():
        assert db.session.scalar(select(SignInSession).where(SignInSession.user_id == hana.id)) is None
    assert hanas_browser.get("/staff/e/summit/helpdesk").headers["Location"].startswith("/login")
    assert ("role.revoke", "hana@example.org", "helpdesk") in _audit(app)
    # Saving the same again changes nothing and writes nothing.
    before = _audit(app)
    submit(client, f"/staff/e/summit/team/{hana.id}", {f"m{hana.id}-roles": ["lodging"]},
           page="/staff/e/summit/team")
    assert _audit(app) == before


def test_no_role_left_takes_a_colleague_off_the_team_with_their_medical_permission(app, client, auth, organizer,
                                                                                    make_staff, summit):
    hana = make_staff("hana@example.org", summit, roles=("lodging",))
    auth.login_as(organizer)
    submit(client, f"/staff/e/summit/team/{hana.id}", {f"m{hana.id}-roles": ["lodging"],
                                                       f"m{hana.id}-medical": "y"}, page="/staff/e/summit/team")
    with app.app_context():
        assert db.session.scalar(select(StaffPermission.permission).where(StaffPermission.user_id == hana.id)) \
            == "medical"
    response = submit(client, f"/staff/e/summit/team/{hana.id}", {}, page="/staff/e/summit/team")
    assert response.status_code == 303
    assert _roles(app, "hana@example.org") == set()
    with app.app_context():
        assert db.session.scalar(select(StaffPermission).where(StaffPermission.user_id == hana.id)) is None
    assert "hana@example.org" not in client.get("/staff/e/summit/team").get_data(as_text=True)
    # Off the team, the row is no longer there to change.
    assert submit(client, f"/staff/e/summit/team/{hana.id}", {}, page="/staff/e/summit/team").status_code == 404


def test_the_last_organizer_keeps_the_role(app, client, auth, organizer):
    auth.login_as(organizer)
    response = submit(client, f"/staff/e/summit/team/{organizer.id}", {f"m{organizer.id}-roles": ["helpdesk"]},
                      page="/staff/e/summit/team")
    assert response.status_code == 422
    assert "An event keeps at least one organizer" in response.get_data(as_text=True)
    assert _roles(app, "olivia@example.org") == {"organizer"}


def test_a_member_of_another_event_is_not_found(app, client, auth, organizer, make_event, make_staff):
    gala = make_event(slug="gala")
    other = make_staff("gus@example.org", gala, roles=("helpdesk",))
    auth.login_as(organizer)
    response = submit(client, f"/staff/e/summit/team/{other.id}", {f"m{other.id}-roles": ["organizer"]},
                      page="/staff/e/summit/team")
    assert response.status_code == 404
    assert _roles(app, "gus@example.org") == {"helpdesk"}


@pytest.mark.parametrize("role", ["lodging", "transport", "catering", "helpdesk"])
def test_only_organizers_run_the_team(app, client, auth, make_staff, summit, role):
    auth.login_as(make_staff("cora@example.org", summit, roles=(role,)))
    assert client.get("/staff/e/summit/team").status_code == 403
    assert client.get("/staff/organizers").status_code == 403
    assert "/team" not in client.get("/staff/e/summit/").get_data(as_text=True)


def test_an_admin_appoints_an_organizer_of_any_event(app, client, auth, make_staff, make_event, mailbox):
    make_event()
    gala = make_event(slug="gala", name_en="Gala", name_zh="晚会")
    auth.login_as(make_staff("root@example.org", admin=True))
    page = client.get("/staff/organizers").get_data(as_text=True)
    assert "Gala" in page and "Future Summit" in page
    response = submit(client, "/staff/organizers", {"event": str(gala.id), "email": "Nina@Example.org",
                                                   "display_name": "Nina", "language": "en"})
    response.close()
    assert response.status_code == 303
    assert _roles(app, "nina@example.org") == {"organizer"}
    assert "nina@example.org" in client.get("/staff/organizers").get_data(as_text=True)
    assert len(mailbox.to("nina@example.org")) == 1
    bad = submit(client, "/staff/organizers", {"event": "999999", "email": "x@example.org",
                                              "display_name": "X", "language": "en"})
    assert bad.status_code == 422


def test_create_staff_without_a_password_mails_a_set_password_link(app, runner, summit, mailbox):
    result = runner.invoke(args=["create-staff", "Pat@Example.org", "--name", "Pat", "--event", "summit",
                                 "--role", "organizer"])
    assert result.exit_code == 0, result.output
    assert "invitation" in result.output
    with app.app_context():
        outbox.deliver()
    assert _roles(app, "pat@example.org") == {"organizer"}
    link = _link(mailbox, "pat@example.org")
    browser = app.test_client()
    assert submit(browser, link, {}).headers["Location"] == "/account"


def test_create_staff_with_a_password_still_works(app, runner, mailbox):
    result = runner.invoke(args=["create-staff", "root@example.org", "--admin", "--password", STAFF_PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "root@example.org")).is_admin
    assert mailbox.messages == []
    short = runner.invoke(args=["create-staff", "x@example.org", "--password", "short"])
    assert short.exit_code != 0


def test_upgrading_gives_each_coordinator_the_three_coordinator_roles(tmp_path, mailbox):
    """Migration 0021 on a database made before it: nobody loses what they could do, nor their session."""
    from datetime import date

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from portal import create_app
    from portal.models import Event

    app = create_app(app_config(f"sqlite:///{tmp_path / 'before.sqlite3'}", mailbox.port))
    rows = "SELECT u.email, e.slug, r.role FROM staff_role r JOIN user_account u ON u.id = r.user_id " \
           "JOIN event e ON e.id = r.event_id"
    with app.app_context():
        upgrade(revision="0020_event_look")
        # The rows as the console wrote them before 0021 (events and accounts have not changed since).
        events = [Event(slug=slug, name_en=slug, name_zh=slug, starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 2),
                        timezone="Asia/Shanghai") for slug in ("summit", "gala")]
        people = [User(email=f"{name}@example.org") for name in ("cora", "olga", "gus")]
        db.session.add_all(events + people)
        db.session.flush()
        (summit, gala), (cora, olga, gus) = [e.id for e in events], [p.id for p in people]
        for user_id, event_id, role in ((cora, summit, "coordinator"), (cora, summit, "helpdesk"),
                                        (olga, summit, "organizer"), (gus, gala, "coordinator")):
            db.session.execute(text("INSERT INTO staff_role (user_id, event_id, role) VALUES (:u, :e, :r)"),
                               {"u": user_id, "e": event_id, "r": role})
        db.session.execute(text(
            "INSERT INTO sign_in_session (user_id, token_hash, created_at, last_seen_at, roles) "
            "VALUES (:u, 'h', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :roles)"),
            {"u": cora, "roles": f"{summit}:coordinator {summit}:helpdesk"})
        db.session.commit()

        upgrade(revision="heads")
        assert set(db.session.execute(text(rows)).all()) == {
            ("cora@example.org", "summit", "lodging"), ("cora@example.org", "summit", "transport"),
            ("cora@example.org", "summit", "catering"), ("cora@example.org", "summit", "helpdesk"),
            ("olga@example.org", "summit", "organizer"), ("gus@example.org", "gala", "lodging"),
            ("gus@example.org", "gala", "transport"), ("gus@example.org", "gala", "catering")}
        # Her open session holds only roles she still has: it goes on.
        snapshot = set(db.session.execute(text("SELECT roles FROM sign_in_session")).scalar().split())
        assert snapshot == {f"{summit}:catering", f"{summit}:helpdesk"}
        db.session.commit()

        downgrade(revision="0020_event_look")
        assert set(db.session.execute(text(rows)).all()) == {
            ("cora@example.org", "summit", "coordinator"), ("cora@example.org", "summit", "helpdesk"),
            ("olga@example.org", "summit", "organizer"), ("gus@example.org", "gala", "coordinator")}
        db.session.commit()
        db.engine.dispose()


def test_the_roles_of_a_colleague_are_listed_as_the_language_lists(app, client, auth, organizer, make_staff, summit):
    make_staff("cora@example.org", summit, roles=("lodging", "transport"))
    auth.login_as(organizer)
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    page = client.get("/staff/e/summit/team").get_data(as_text=True)
    assert "住宿协调员、交通协调员" in page
    assert "住宿协调员, 交通协调员" not in page


def test_inviting_a_member_again_adds_a_role_and_keeps_their_medical_permission(app, client, auth, organizer,
                                                                               make_staff, summit):
    hana = make_staff("hana@example.org", summit, roles=("lodging",))
    auth.login_as(organizer)
    submit(client, f"/staff/e/summit/team/{hana.id}", {f"m{hana.id}-roles": ["lodging"],
                                                       f"m{hana.id}-medical": "y"}, page="/staff/e/summit/team")
    assert _invite(client, **{"invite-roles": ["helpdesk"]}).status_code == 303
    assert _roles(app, "hana@example.org") == {"lodging", "helpdesk"}
    with app.app_context():
        assert db.session.scalar(select(StaffPermission.permission).where(StaffPermission.user_id == hana.id)) \
            == "medical"
    assert ("permission.revoke", "hana@example.org", "medical") not in _audit(app)
