"""The guest list's rows, filled in Python from markup rendered once per page.

Rendering 50 rows through Jinja cost more than finding them: a loop, ten
escapes and a dozen lookups per row. The row's markup stays in
templates/staff/_guest_row.html; it is rendered once per page with a mark in
each slot (twice: with and without the name in the original script), cut at the
marks, and each row joins the pieces with its own values, escaped as Jinja would.
"""

import re

from flask import current_app, url_for
from markupsafe import Markup, escape

from portal.models import Event

_TEMPLATE = "staff/_guest_row.html"
# The macro's arguments, in order; each becomes a mark no template text contains.
_SLOTS = ("state", "url", "name_latin", "name_original", "email", "organization", "category", "state_name", "code")
_MARK = re.compile("\x00([a-z_]+)\x00")


def _pieces(with_original: bool) -> tuple[list[str], list[str]]:
    """The row's fixed text between its slots, and the slots in the order they appear."""
    macro = current_app.jinja_env.get_template(_TEMPLATE).module.guest_row
    marks = {slot: f"\x00{slot}\x00" for slot in _SLOTS}
    if not with_original:
        marks["name_original"] = ""
    cut = _MARK.split(str(macro(**marks)))
    return cut[0::2], cut[1::2]


def rows_html(event: Event, rows, category_names: dict, state_names: dict) -> Markup:
    """The <tr> of each row of GUEST_ROW_COLUMNS (portal/staff/services.py, the total last)."""
    # Each link differs from the first only in the id at its end, so url_for runs once.
    guest_url = url_for("staff.guest", slug=event.slug, registration_id=0)[:-1]
    shapes = {}
    out = []
    for id, state, name_latin, name_original, email, organization, category_id, code, _total in rows:
        shown_original = name_original != name_latin
        if shown_original not in shapes:
            shapes[shown_original] = _pieces(shown_original)
        texts, slots = shapes[shown_original]
        values = {
            "state": state, "url": f"{guest_url}{id}", "name_latin": name_latin, "name_original": name_original,
            "email": email, "organization": organization, "category": category_names.get(category_id, ""),
            "state_name": state_names.get(state, state), "code": code,
        }
        out.append(texts[0])
        for slot, text in zip(slots, texts[1:]):
            out.append(escape(values[slot]))
            out.append(text)
    # The pieces are the macro's autoescaped output and the values are escaped above.
    return Markup("".join(out))  # nosec B704
