"""Forms of the kiosk. Inputs are generous: a scanner or a hurried guest may type anything."""

import re
import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from portal.i18n import lazy_gettext as _l

NONCE = re.compile(r"^[A-Za-z0-9_-]{16,43}$")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class _Attempt(FlaskForm):
    # One per screen shown: a request sent twice (a double tap, a retry on a bad
    # network) carries the same nonce and gets the same answer.
    nonce = HiddenField()

    def attempt_nonce(self) -> str:
        """The posted nonce, or a fresh one when it is missing or malformed."""
        value = self.nonce.data or ""
        if not NONCE.match(value):
            value = new_nonce()
            self.nonce.data = value
        return value


class ScanForm(_Attempt):
    # Only spaces (a stray tap on the space bar, a scanner's empty read) is nothing scanned: no desk ticket for it.
    ticket = StringField(_l("Scan your ticket QR code"), validators=[
        DataRequired(_l("Scan the QR code on your ticket."))])


class CodeLookupForm(_Attempt):
    code = StringField(_l("Confirmation code"), validators=[
        InputRequired(_l("Enter the confirmation code from your e-mail.")),
        Length(max=40, message=_l("A confirmation code has 8 letters and digits."))])


class NameLookupForm(_Attempt):
    surname = StringField(_l("Family name"), validators=[
        InputRequired(_l("Enter your family name.")),
        Length(max=100, message=_l("At most %(max)d characters.", max=100))])
    phone_last4 = StringField(_l("Last four digits of your phone number"), validators=[
        InputRequired(_l("Enter the last four digits of your phone number.")),
        Regexp(r"^\s*\d{4}\s*$", message=_l("Enter four digits."))])


class PrintForm(_Attempt):
    """A print button; its nonce names the print in the badge log, so a print sent twice is logged once."""


class PairForm(FlaskForm):
    code = StringField(_l("Pairing code"), validators=[
        InputRequired(_l("Enter the pairing code shown in the staff console.")),
        Length(max=40, message=_l("A pairing code has 8 letters and digits."))])


class ActionForm(FlaskForm):
    """A button that only carries the CSRF token."""
