"""Forms for the guest's needs: the separate consent, the needs themselves, withdrawal."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TelField, TextAreaField
from wtforms import TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms import SelectChoice

from portal import dates
from portal.forms import one_line
from portal.i18n import lazy_gettext as _l
from portal.models.needs import ALLERGENS, DIETS, OTHER_ALLERGEN, SEVERITIES
from portal.needs.services import (
    ALLERGEN_LABELS, DIET_LABELS, SEVERITY_LABELS, AllergyInput, NeedsInput, meal_days,
)


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def severity_choices() -> list[SelectChoice]:
    return [SelectChoice("", str(_l("How severe?")))] + [SelectChoice(s, str(SEVERITY_LABELS[s])) for s in SEVERITIES]


class ConsentForm(FlaskForm):
    """Consent to the needs notice: its own form and box, not the registration's consent."""

    notice_version = HiddenField()
    agree = BooleanField(_l("I consent to the storage and use of my dietary, accessibility and medical "
                            "information as described above."),
                         validators=[DataRequired(_l("Tick the box to give your consent, or go back."))])


class WithdrawForm(FlaskForm):
    """The confirmation step of withdrawing consent; the button is the answer."""


class NeedsForm(FlaskForm):
    """Diet, allergens each with a severity (no JavaScript needed), accessibility, medical notes.

    The severity selects are made per allergen in `for_allergens()` below, so the
    fourteen rows render as one fieldset of checkboxes, each with its own select.
    """

    diet = RadioField(_l("Diet"), default="none",
                      validators=[DataRequired(_l("Choose a diet."))])
    diet_detail = StringField(_l("Anything the kitchen should know about your diet"),
                              validators=[Optional(), _max(300)])
    allergens = SelectMultipleField(_l("Allergies and intolerances"), widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput(), validate_choice=False, validators=[Optional()])
    other_allergy = StringField(_l("Another allergy, in your words"), validators=[Optional(), _max(300)])

    wheelchair = BooleanField(_l("I use a wheelchair"))
    step_free = BooleanField(_l("I need step-free access"))
    hearing_loop = BooleanField(_l("I need a hearing loop"))
    sign_language = BooleanField(_l("I need sign-language interpretation"))
    seating = BooleanField(_l("I need reserved or accessible seating"))
    accessibility_other = TextAreaField(_l("Other accessibility needs"), validators=[Optional(), _max(1000)])

    medical_notes = TextAreaField(_l("Medical notes for the event's medical staff"),
                                  validators=[Optional(), _max(2000)])
    emergency_name = StringField(_l("Emergency contact: name"), validators=[Optional(), _max(200)])
    emergency_phone = TelField(_l("Emergency contact: phone, with country code"), validators=[
        Optional(), _max(40),
        Regexp(r"^(?=(?:\D*\d){6})\+?[0-9 ()\-]{6,40}$", message=_l("Enter a phone number such as +86 138 0000 0000."))])
    emergency_relation = StringField(_l("Emergency contact: relation to you"), validators=[Optional(), _max(100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.diet.choices = [SelectChoice(code, str(DIET_LABELS[code])) for code in DIETS]
        self.allergens.choices = [SelectChoice(code, str(ALLERGEN_LABELS[code])) for code in ALLERGENS]
        for code in (*ALLERGENS, OTHER_ALLERGEN):
            self[f"severity_{code}"].choices = severity_choices()

    @classmethod
    def for_needs(cls, needs: NeedsInput | None = None, **kwargs) -> "NeedsForm":
        """The form, filled with `needs` unless a post is being read."""
        form = cls(**kwargs)
        if needs is not None and not form.is_submitted():
            form.fill(needs)
        return form

    def fill(self, needs: NeedsInput) -> None:
        for name in ("diet", "diet_detail", "wheelchair", "step_free", "hearing_loop", "sign_language", "seating",
                     "accessibility_other", "medical_notes", "emergency_name", "emergency_phone",
                     "emergency_relation"):
            self[name].data = getattr(needs, name)
        self.allergens.data = [a.allergen for a in needs.allergies if a.allergen != OTHER_ALLERGEN]
        for allergy in needs.allergies:
            self[f"severity_{allergy.allergen}"].data = allergy.severity
            if allergy.allergen == OTHER_ALLERGEN:
                self.other_allergy.data = allergy.detail

    def validate_allergens(self, field):
        # Checked here rather than by WTForms, to say what to do instead.
        unknown = [value for value in field.data or [] if value not in ALLERGENS]
        if unknown:
            raise ValidationError(_l("Choose allergens from the list; describe any other in your own words below."))
        missing = [code for code in field.data or [] if not self[f"severity_{code}"].data]
        if missing:
            raise ValidationError(_l("Say how severe each allergy is: %(allergens)s.",
                                     allergens=", ".join(str(ALLERGEN_LABELS[code]) for code in missing)))

    def validate_other_allergy(self, field):
        if (field.data or "").strip() and not self[f"severity_{OTHER_ALLERGEN}"].data:
            raise ValidationError(_l("Say how severe this allergy is."))

    def validate(self, extra_validators=None) -> bool:
        """The field checks, then those that read two fields (Optional() would skip them when empty)."""
        valid = super().validate(extra_validators)
        problems = []
        if self.diet.data == "other" and not (self.diet_detail.data or "").strip():
            problems.append((self.diet_detail, _l("Tell us which diet you follow.")))
        name, phone = (self.emergency_name.data or "").strip(), (self.emergency_phone.data or "").strip()
        if name and not phone:
            problems.append((self.emergency_phone, _l("Give a phone number for your emergency contact.")))
        if phone and not name:
            problems.append((self.emergency_name, _l("Give the name of your emergency contact.")))
        for field, message in problems:
            field.errors = [*field.errors, message]
        return valid and not problems

    def needs(self) -> NeedsInput:
        allergies = [AllergyInput(code, self[f"severity_{code}"].data) for code in ALLERGENS
                     if code in (self.allergens.data or [])]
        other = (self.other_allergy.data or "").strip()
        if other:
            allergies.append(AllergyInput(OTHER_ALLERGEN, self[f"severity_{OTHER_ALLERGEN}"].data, other))
        return NeedsInput(
            diet=self.diet.data, diet_detail=(self.diet_detail.data or "").strip(), allergies=allergies,
            wheelchair=self.wheelchair.data, step_free=self.step_free.data, hearing_loop=self.hearing_loop.data,
            sign_language=self.sign_language.data, seating=self.seating.data,
            accessibility_other=(self.accessibility_other.data or "").strip(),
            medical_notes=(self.medical_notes.data or "").strip(),
            emergency_name=(self.emergency_name.data or "").strip(),
            emergency_phone=(self.emergency_phone.data or "").strip(),
            emergency_relation=(self.emergency_relation.data or "").strip(),
        )


def _severity_field(code: str) -> SelectField:
    label = _l("How severe is the allergy to %(allergen)s?", allergen=ALLERGEN_LABELS[code]) \
        if code != OTHER_ALLERGEN else _l("How severe is this other allergy?")
    # Any choice is checked against SEVERITIES by SelectField itself.
    return SelectField(label, validators=[Optional()])


for _code in (*ALLERGENS, OTHER_ALLERGEN):
    setattr(NeedsForm, f"severity_{_code}", _severity_field(_code))


class MealForm(FlaskForm):
    """A reception (or any further meal) the organizer adds to one day of the event."""

    day = SelectField(_l("Day"), validate_choice=False)
    served_at = TimeField(_l("Served at (event's local time)"), validators=[
        InputRequired(_l("Enter the time it is served."))])
    name_en = StringField(_l("Name in English"), filters=[one_line], validators=[
        DataRequired(_l("Enter a name, e.g. Welcome reception.")), _max(120)])
    name_zh = StringField(_l("Name in Chinese"), filters=[one_line], validators=[Optional(), _max(120)])

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.day.choices = [SelectChoice(d.isoformat(), dates.day(d, "weekday")) for d in meal_days(event)]

    def validate_day(self, field):
        if field.data not in {choice.value for choice in self.day.choices}:
            raise ValidationError(str(_l("Choose a day of the event.")))

    @property
    def chosen_day(self) -> date:
        return date.fromisoformat(self.day.data)


class DailyMealTimesForm(FlaskForm):
    """When breakfast, lunch and dinner are served, every day of the event."""

    breakfast = TimeField(_l("Breakfast"), validators=[InputRequired(_l("Enter the time it is served."))])
    lunch = TimeField(_l("Lunch"), validators=[InputRequired(_l("Enter the time it is served."))])
    dinner = TimeField(_l("Dinner"), validators=[InputRequired(_l("Enter the time it is served."))])

    def validate_dinner(self, field):
        # Out of order, the board would list dinner before lunch and count the wrong guests for each.
        if self.breakfast.data and self.lunch.data and field.data and not (
                self.breakfast.data < self.lunch.data < field.data):
            raise ValidationError(str(_l("Breakfast, lunch and dinner must come in that order.")))
