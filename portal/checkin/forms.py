"""Staff forms for kiosks and the check-in desk."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import one_line
from portal.i18n import lazy_gettext as _l


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class KioskForm(FlaskForm):
    # In the subject of a help request the kiosk opens (and of the mails about it).
    name = StringField(_l("Kiosk name"), filters=[one_line], validators=[DataRequired(_l("Give the kiosk a name.")), _max(100)])
    location = StringField(_l("Where it stands"), validators=[Optional(), _max(200)])


class UndoCheckInForm(FlaskForm):
    reason = TextAreaField(_l("Why undo this check-in?"), validators=[
        DataRequired(_l("Give a reason; it is kept in the audit log.")), _max(500)])


class ButtonForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""
