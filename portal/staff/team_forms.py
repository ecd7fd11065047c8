"""Forms of the team pages: inviting a colleague, a member's roles, appointing an organizer."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import one_line
from portal.i18n import language_choices, lazy_gettext as _l
from portal.models import StaffRole

ROLE_LABELS = {
    "organizer": _l("Organizer"),
    "lodging": _l("Lodging coordinator"),
    "transport": _l("Transport coordinator"),
    "catering": _l("Catering coordinator"),
    "helpdesk": _l("Help desk"),
}


class RolesForm(FlaskForm):
    """The roles one person holds for the event, as checkboxes, and the medical permission."""

    roles = SelectMultipleField(_l("Roles"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                choices=[SelectChoice(role, ROLE_LABELS[role]) for role in StaffRole.ROLES])
    medical = BooleanField(_l("May read medical notes and emergency contacts"))


class InviteForm(RolesForm):
    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(_l("Enter the e-mail address.")),
        Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        Email(_l("Enter an e-mail address such as name@example.org."), check_deliverability=False),
    ])
    display_name = StringField(_l("Name"), filters=[one_line], validators=[
        DataRequired(_l("Enter the name.")), Length(max=200, message=_l("At most 200 characters."))])
    language = SelectField(_l("Language of the invitation"),
                           choices=language_choices)

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class AppointForm(FlaskForm):
    """An admin makes someone the organizer of an event."""

    event = SelectField(_l("Event"), coerce=int, validate_choice=True)
    email = InviteForm.email
    display_name = InviteForm.display_name
    language = InviteForm.language
