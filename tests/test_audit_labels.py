"""The audit log speaks words: every action recorded has a label, in the reader's language."""

import ast
import re
from pathlib import Path

from portal import audit, lifecycle
from portal.audit import ACTION_LABELS
from portal.extensions import db
from portal.models import AuditEntry
from portal.models.lodging import DECLINED, WAITLISTED
from portal.staff.agenda import ITEMS

ROOT = Path(__file__).resolve().parent.parent
RECORDERS = ("record", "record_read")

# Actions whose code is computed, by file and the code's expression as written there, with the codes
# it can take. A new computed action fails the test below until it is listed here (and labelled).
COMPUTED = {
    ("portal/agenda/editing.py", "f\"agenda.{item.__tablename__.removeprefix('agenda_')}.save\""):
        {f"agenda.{model.__tablename__.removeprefix('agenda_')}.save" for model, *_ in ITEMS.values()},
    ("portal/agenda/editing.py", "f\"agenda.{item.__tablename__.removeprefix('agenda_')}.delete\""):
        {f"agenda.{model.__tablename__.removeprefix('agenda_')}.delete" for model, *_ in ITEMS.values()},
    ("portal/lifecycle.py", "LEAVING_ACTIONS[target]"): set(lifecycle.LEAVING_ACTIONS.values()),
    ("portal/lodging/services.py", "f'lodging.{state}'"): {f"lodging.{DECLINED}", f"lodging.{WAITLISTED}"},
}


def _codes(node, function) -> set[str] | None:
    """The codes an action argument can take, read from the source; None when it is computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _codes(node.body, function), _codes(node.orelse, function)
        return body | orelse if body is not None and orelse is not None else None
    if isinstance(node, ast.Name) and function is not None:
        # A local named once from literals: `action = "a" if over else "b"`.
        values = [n.value for n in ast.walk(function) if isinstance(n, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)]
        found = [_codes(value, None) for value in values]
        if found and all(codes is not None for codes in found):
            return set().union(*found)
    return None


def _recorded_actions():
    """(file, code expression, codes or None) for every audit.record(...) and audit.record_read(...)."""
    for path in sorted([*ROOT.joinpath("portal").rglob("*.py"), *ROOT.joinpath("kiosk").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in RECORDERS and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "audit"):
                continue
            action = node.args[2] if len(node.args) > 2 else next(k.value for k in node.keywords if k.arg == "action")
            function = min((f for f in functions if f.lineno <= node.lineno <= f.end_lineno),
                           key=lambda f: f.end_lineno - f.lineno, default=None)
            yield str(path.relative_to(ROOT)), ast.unparse(action), _codes(action, function)


def test_every_recorded_action_has_a_label():
    found = list(_recorded_actions())
    assert len(found) > 80  # the scan sees the calls, not an empty tree
    computed = {(path, expression) for path, expression, codes in found if codes is None}
    assert computed == set(COMPUTED), "a computed action code: list what it can be in COMPUTED"
    codes = set().union(*(codes for _path, _expression, codes in found if codes is not None), *COMPUTED.values())
    assert {"role.grant", "sensitive.view", "registration.admit_over_capacity", "agenda.speaker.save",
            "lodging.waitlisted", "registration.cancel"} <= codes
    assert sorted(codes - set(ACTION_LABELS)) == []


def test_only_the_audit_module_writes_audit_entries():
    writers = []
    for path in [*ROOT.joinpath("portal").rglob("*.py"), *ROOT.joinpath("kiosk").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "AuditEntry"
               for n in ast.walk(tree)):
            writers.append(str(path.relative_to(ROOT)))
    assert writers == ["portal/audit.py"]


def _log(app, client, auth, make_staff, summit, language):
    organizer = make_staff("olivia@example.org", summit, roles=("organizer",))
    with app.app_context():
        audit.record(summit, organizer, "role.grant", subject="cora@example.org", detail="lodging")
        audit.record(summit, organizer, "sensitive.view", subject="guest 1", detail="diet")
        # A row from an older release, its code no longer labelled.
        db.session.add(AuditEntry(event_id=summit.id, action="legacy.thing", subject="old row"))
        db.session.commit()
    auth.login_as(organizer)
    with client.session_transaction() as session:
        session["lang"] = language
    return client.get("/staff/e/summit/audit")


def _options(page: str) -> list[tuple[str, str]]:
    select = re.search(r'<select id="audit-action".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)


def test_the_english_audit_log_reads_in_english(app, client, auth, make_staff, summit):
    response = _log(app, client, auth, make_staff, summit, "en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Role given" in page and "Sensitive data viewed" in page and "角色已授予" not in page
    # The code stays in sight for staff who search for it; an unknown one shows as itself.
    assert '<small class="mono quiet">role.grant</small>' in page and "legacy.thing" in page
    assert _options(page) == [("legacy.thing", "legacy.thing"), ("role.grant", "Role given"),
                              ("sensitive.view", "Sensitive data viewed")]
    filtered = client.get("/staff/e/summit/audit", query_string={"action": "role.grant"}).get_data(as_text=True)
    assert '<option value="role.grant" selected>Role given</option>' in filtered
    assert "cora@example.org" in filtered and "guest 1" not in filtered


def test_the_chinese_audit_log_reads_in_chinese(app, client, auth, make_staff, summit):
    response = _log(app, client, auth, make_staff, summit, "zh_Hans")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "角色已授予" in page and "敏感数据已查看" in page and "Role given" not in page
    assert '<small class="mono quiet">sensitive.view</small>' in page and "legacy.thing" in page
    # Sorted as a Chinese reader looks, by pinyin: jué, then Latin "legacy", then mǐn.
    assert _options(page) == [("role.grant", "角色已授予"), ("legacy.thing", "legacy.thing"),
                              ("sensitive.view", "敏感数据已查看")]
