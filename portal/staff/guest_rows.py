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


# Per template object (a reloaded template is a new one) and shape: (texts, slot indexes).
_PIECES: dict = {}
# Joins the page's values for one escape call: escape leaves it alone.
_SEPARATOR = "\x00"


def _pieces(with_original: bool) -> tuple[list[str], list[int]]:
    """The row's fixed text between its slots, and the index in _SLOTS of each slot in order."""
    template = current_app.jinja_env.get_template(_TEMPLATE)
    found = _PIECES.get((template, with_original))
    if found is None:
        marks = {slot: f"\x00{slot}\x00" for slot in _SLOTS}
        if not with_original:
            marks["name_original"] = ""
        cut = _MARK.split(str(template.module.guest_row(**marks)))
        found = _PIECES[(template, with_original)] = (cut[0::2], [_SLOTS.index(slot) for slot in cut[1::2]])
    return found


def rows_html(event: Event, rows, category_names: dict, state_names: dict) -> Markup:
    """The <tr> of each row of GUEST_ROW_COLUMNS (portal/staff/services.py, the total last)."""
    # Each link differs from the first only in the id at its end, so url_for runs once.
    guest_url = url_for("staff.guest", slug=event.slug, registration_id=0)[:-1]
    shapes = [_pieces(False), _pieces(True)]
    used = []
    values = []
    for id, state, name_latin, name_original, email, organization, category_id, code, _total in rows:
        texts, order = shape = shapes[name_original != name_latin]
        used.append(shape)
        row = (state, f"{guest_url}{id}", name_latin, name_original, email, organization,
               category_names.get(category_id, ""), state_names.get(state, state), code)
        values.extend(str(row[i]) for i in order)
    escaped = _escaped(values)
    out = []
    taken = 0
    for texts, order in used:
        out.append(texts[0])
        for text in texts[1:]:
            out.append(escaped[taken])
            out.append(text)
            taken += 1
    # The pieces are the macro's autoescaped output and the values are escaped above.
    return Markup("".join(out))  # nosec B704


def _escaped(values: list[str]) -> list[str]:
    """Each value escaped as Jinja's autoescape would: in one call when no value holds the separator."""
    joined = _SEPARATOR.join(values)
    if joined.count(_SEPARATOR) == len(values) - 1:
        return str(escape(joined)).split(_SEPARATOR) if values else []
    return [str(escape(value)) for value in values]
