"""Forms for staff acting on a guest's behalf: a registration at the desk, a lodging request by phone."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectChoice, StringField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from portal.forms import one_line
from portal.i18n import lazy_gettext as _l
from portal.lodging.forms import StayForm
from portal.staff.forms import GuestEditForm
from portal.transport.forms import LegForm

SOURCE_HINT = _l('Where the details came from, kept in the history and the audit log: "at the desk", '
                 '"by phone from the minister\'s office".')


def _source():
    return StringField(_l("Source of the details"), filters=[one_line], validators=[
        InputRequired(_l("Say where the details came from.")),
        Length(max=200, message=_l("At most 200 characters."))])


def _consent():
    return BooleanField(_l("The guest (or their office) agreed to the privacy notice, through staff"), validators=[
        InputRequired(_l("Staff may enter a guest's details only with their consent."))])


class WalkInForm(GuestEditForm):
    """A registration made by staff: the profile, the category, and how the details came."""

    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(_l("Enter the guest's e-mail address.")),
        Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        Email(_l("Enter an e-mail address such as name@example.org."), check_deliverability=False)])
    source = _source()
    consent = _consent()
    check_in = BooleanField(_l("Check the guest in now and print the badge"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No category is taken for granted: a walk-in is not a VIP because VIP comes first in the list.
        self.category.choices = [SelectChoice(0, str(_l("Choose a category"))), *self.category.choices]

    def validate_category(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a category."))


class StaffStayForm(StayForm):
    """A guest's lodging request entered by a coordinator, with where it came from."""

    # The guest's own form says "I need…" and "Just me"; staff read about the guest.
    accessible = BooleanField(_l("An accessible room"))
    source = _source()
    consent = _consent()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.occupancy.choices = [SelectChoice(1, str(_l("The guest alone"))),
                                  SelectChoice(2, str(_l("Two guests sharing")))]


class StaffLegForm(LegForm):
    """A guest's arrival or departure entered by a coordinator, with where it came from."""

    source = _source()
    consent = _consent()


class BehalfForm(FlaskForm):
    """Where the details came from and the consent, beside another form on the same page (its token covers both)."""

    class Meta:
        csrf = False

    source = _source()
    consent = _consent()


class PrintForm(FlaskForm):
    """The button logs one print of the badge; its nonce, new with each page, makes a double click one print."""

    nonce = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{16,43}$")])


