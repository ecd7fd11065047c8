"""Ticket codes, confirmation codes and the ticket QR."""

import io
import secrets
import unicodedata
from functools import lru_cache

import qrcode
import qrcode.image.svg
from markupsafe import Markup

# No 0/O, 1/I/L or U: a code read aloud or typed at a kiosk is not misread.
CONFIRMATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CONFIRMATION_LENGTH = 8


def new_ticket_code() -> str:
    """128 random bits, URL-safe, 22 characters."""
    return secrets.token_urlsafe(16)


def new_confirmation_code() -> str:
    return "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(CONFIRMATION_LENGTH))


def normalise_confirmation_code(typed: str) -> str:
    """What a guest types, made comparable: case, spaces and dashes do not matter, nor the full-width
    letters, digits, spaces and dashes a Chinese input method types ("ＡＢ２３－ＣＤ４５")."""
    return unicodedata.normalize("NFKC", typed).upper().replace(" ", "").replace("-", "")


def _qr(data: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=box_size)
    code.add_data(data)
    code.make(fit=True)
    return code


# Drawing a QR code costs more than the rest of a "My trip" page; a ticket's code
# never changes, so each worker keeps the drawings of its recent guests.
@lru_cache(maxsize=512)
def qr_svg(data: str, label: str) -> Markup:
    """An inline SVG QR code, labelled for screen readers."""
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    # The SVG is drawn by qrcode from path data alone, and the label is escaped above.
    return Markup(svg)  # nosec B704


def qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    _qr(data, box_size=8).make_image().save(buffer, format="PNG")
    return buffer.getvalue()
