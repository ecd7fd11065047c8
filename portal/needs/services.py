"""Dietary, accessibility and medical needs: consent, saving, who reads what, audit, erasure.

Consent. Nothing is stored without the guest's separate, explicit NeedsConsent
(not the registration's consent). Saving checks it inside the write transaction,
with the consent row locked, so a withdrawal in another tab cannot interleave.
Withdrawing deletes every needs row in the same transaction as the withdrawal.

Least access (decided here, once, for pages, exports and the kiosk):
- "diet": diet and allergens. Organizer and catering coordinators (the kitchen).
- "accessibility": organizer, lodging and transport coordinators (rooms and cars
  depend on it). The catering board shows diet and allergens only: a kitchen needs
  no one's hearing or mobility needs.
- "medical": medical notes and the emergency contact. The organizer, and staff
  holding the explicit "medical" StaffPermission for the event; no role grants it.
- The help desk reads none of it. The kiosk's public screen says only that meals are
  arranged, never a diet detail, an allergy or anything medical.
Admins count as organizers, as they do everywhere in the console.

Every staff read or export writes an AuditEntry ("sensitive.view" or
"sensitive.export"), committed even when the request only reads.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, delete, func, select

from portal import audit, privacy
from portal.privacy import purge
from portal.database import utcnow
from portal.extensions import db
from portal.i18n import gettext as _, lazy_gettext as _l
from portal.models import (
    AccessibilityNeeds, Allergy, DietaryNeeds, Event, MedicalNotes, NeedsConsent, Registration, StaffPermission,
    User,
)
from portal.models.needs import ALLERGENS, DIETS, OTHER_ALLERGEN, SEVERITIES
from portal.models.registration import CONFIRMED

# Bump when the wording below changes in substance: the stored consent names what was shown.
NOTICE_VERSION = "2026-11"

DIET_LABELS = {
    "none": _l("No special diet"), "vegetarian": _l("Vegetarian"), "vegan": _l("Vegan"),
    "halal": _l("Halal"), "kosher": _l("Kosher"), "other": _l("Other diet"),
}
# "Your halal meals are arranged": the diet as an adjective before "meals".
DIET_MEALS = {
    "vegetarian": _l("Your vegetarian meals are arranged."), "vegan": _l("Your vegan meals are arranged."),
    "halal": _l("Your halal meals are arranged."), "kosher": _l("Your kosher meals are arranged."),
    "other": _l("Your special meals are arranged."),
}
ALLERGEN_LABELS = {
    "peanuts": _l("Peanuts"), "tree_nuts": _l("Tree nuts"), "milk": _l("Milk"), "egg": _l("Egg"),
    "fish": _l("Fish"), "shellfish": _l("Shellfish (crustaceans)"), "soy": _l("Soy"),
    "wheat_gluten": _l("Wheat / gluten"), "sesame": _l("Sesame"), "celery": _l("Celery"),
    "mustard": _l("Mustard"), "sulphites": _l("Sulphites"), "lupin": _l("Lupin"), "molluscs": _l("Molluscs"),
    OTHER_ALLERGEN: _l("Other allergy"),
}
SEVERITY_LABELS = {"mild": _l("Mild"), "severe": _l("Severe"), "anaphylactic": _l("Anaphylactic")}
NOT_STATED = "not_stated"

DIET, ACCESSIBILITY, MEDICAL = "diet", "accessibility", "medical"


class NeedsError(Exception):
    """A change the rules refuse; str() is a code the view turns into a message."""


def consent_notice(event: Event) -> str:
    """The notice the guest reads before consenting, in their language; it is stored with the consent."""
    return _(
        "For %(event)s we will store your diet, allergies, accessibility needs, medical notes and "
        "emergency contact only to look after you. Catering staff see your diet and allergies; the "
        "organizer and coordinators see your accessibility needs; only the organizer and staff they "
        "name for medical care see your medical notes and emergency contact. Every time staff look at "
        "or export this information, it is logged. You can change it until changes close and withdraw "
        "this consent at any time: we then erase all of it at once. It is erased after the event.",
        event=event.name)


# -- The guest's side -----------------------------------------------------------------------------

@dataclass
class AllergyInput:
    allergen: str
    severity: str
    detail: str = ""


@dataclass
class NeedsInput:
    diet: str = "none"
    diet_detail: str = ""
    allergies: list[AllergyInput] = field(default_factory=list)
    wheelchair: bool = False
    step_free: bool = False
    hearing_loop: bool = False
    sign_language: bool = False
    seating: bool = False
    accessibility_other: str = ""
    medical_notes: str = ""
    emergency_name: str = ""
    emergency_phone: str = ""
    emergency_relation: str = ""


@dataclass
class GuestNeeds:
    """What is stored for one registration; each part None when absent or not readable."""

    consent: NeedsConsent | None = None
    dietary: DietaryNeeds | None = None
    allergies: list[Allergy] = field(default_factory=list)
    accessibility: AccessibilityNeeds | None = None
    medical: MedicalNotes | None = None

    @property
    def has_consent(self) -> bool:
        return self.consent is not None and self.consent.active

    @property
    def anything(self) -> bool:
        return bool(self.dietary or self.allergies or self.accessibility or self.medical)

    @property
    def special_diet(self) -> bool:
        return self.dietary is not None and self.dietary.diet != "none"

    def as_input(self) -> NeedsInput:
        """The stored needs as the form's starting values."""
        values = NeedsInput()
        if self.dietary:
            values.diet, values.diet_detail = self.dietary.diet, self.dietary.diet_detail
        values.allergies = [AllergyInput(a.allergen, a.severity, a.detail) for a in self.allergies]
        if self.accessibility:
            a = self.accessibility
            values.wheelchair, values.step_free, values.hearing_loop = a.wheelchair, a.step_free, a.hearing_loop
            values.sign_language, values.seating, values.accessibility_other = a.sign_language, a.seating, a.other
        if self.medical:
            m = self.medical
            values.medical_notes, values.emergency_name = m.notes, m.emergency_name
            values.emergency_phone, values.emergency_relation = m.emergency_phone, m.emergency_relation
        return values


def consent_of(registration: Registration, lock: bool = False) -> NeedsConsent | None:
    query = select(NeedsConsent).where(NeedsConsent.registration_id == registration.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def needs_of(registration: Registration) -> GuestNeeds:
    """Everything stored for one registration (the guest's own view: all of it), in one statement."""
    query = select(Registration.id).where(Registration.id == registration.id)
    return needs_from(db.session.execute(with_needs(query)).all())


def with_needs(query: Select) -> Select:
    """`query` (of one registration) with that registration's needs joined as its last five columns.

    Each part is one row at most per registration (unique), so the join gives
    one row per allergy, or one row.
    """
    return (
        query.add_columns(NeedsConsent, DietaryNeeds, AccessibilityNeeds, MedicalNotes, Allergy)
        .outerjoin(NeedsConsent, NeedsConsent.registration_id == Registration.id)
        .outerjoin(DietaryNeeds, DietaryNeeds.registration_id == Registration.id)
        .outerjoin(AccessibilityNeeds, AccessibilityNeeds.registration_id == Registration.id)
        .outerjoin(MedicalNotes, MedicalNotes.registration_id == Registration.id)
        .outerjoin(Allergy, Allergy.registration_id == Registration.id)
        .order_by(Allergy.id)
    )


def needs_from(rows) -> GuestNeeds:
    """The GuestNeeds in the rows of a with_needs query (an allergy on several rows counts once)."""
    if not rows:
        return GuestNeeds()
    consent, dietary, accessibility, medical, _allergy = rows[0][-5:]
    return GuestNeeds(
        consent=consent, dietary=dietary, accessibility=accessibility, medical=medical,
        allergies=_sorted_allergies({row[-1].id: row[-1] for row in rows if row[-1] is not None}.values()),
    )


def _sorted_allergies(allergies) -> list[Allergy]:
    order = {code: i for i, code in enumerate((*ALLERGENS, OTHER_ALLERGEN))}
    return sorted(allergies, key=lambda a: order.get(a.allergen, len(order)))


def give_consent(registration: Registration, notice_version: str, notice_text: str) -> NeedsConsent:
    """Record the guest's consent to the notice they read. Commits."""
    if notice_version != NOTICE_VERSION:
        raise NeedsError("notice-changed")
    consent = consent_of(registration, lock=True) or NeedsConsent(registration_id=registration.id)
    consent.notice_version, consent.notice_text = notice_version, notice_text
    consent.given_at, consent.withdrawn_at = utcnow(), None
    db.session.add(consent)
    db.session.commit()
    return consent


def save_needs(registration: Registration, needs: NeedsInput) -> None:
    """Store the guest's needs in place of what was there. Commits, or stores nothing.

    Refused without an active consent ("no-consent") and after the changes cut-off.
    """
    if not registration.event.changes_are_open():
        raise NeedsError("changes-closed")
    consent = consent_of(registration, lock=True)
    if consent is None or not consent.active:
        raise NeedsError("no-consent")
    _check(needs)
    rid = registration.id
    dietary = db.session.scalar(select(DietaryNeeds).where(DietaryNeeds.registration_id == rid)) \
        or DietaryNeeds(registration_id=rid)
    dietary.diet = needs.diet
    dietary.diet_detail = needs.diet_detail
    db.session.add(dietary)

    db.session.execute(delete(Allergy).where(Allergy.registration_id == rid))
    for allergy in needs.allergies:
        db.session.add(Allergy(registration_id=rid, allergen=allergy.allergen, severity=allergy.severity,
                               detail=allergy.detail if allergy.allergen == OTHER_ALLERGEN else ""))

    accessibility = db.session.scalar(select(AccessibilityNeeds).where(AccessibilityNeeds.registration_id == rid))
    wanted = AccessibilityNeeds(
        registration_id=rid, wheelchair=needs.wheelchair, step_free=needs.step_free,
        hearing_loop=needs.hearing_loop, sign_language=needs.sign_language, seating=needs.seating,
        other=needs.accessibility_other)
    _keep_or_drop(accessibility, wanted, wanted.any,
                  ("wheelchair", "step_free", "hearing_loop", "sign_language", "seating", "other"))

    medical = db.session.scalar(select(MedicalNotes).where(MedicalNotes.registration_id == rid))
    wanted = MedicalNotes(registration_id=rid, notes=needs.medical_notes, emergency_name=needs.emergency_name,
                          emergency_phone=needs.emergency_phone, emergency_relation=needs.emergency_relation)
    _keep_or_drop(medical, wanted, any((needs.medical_notes, needs.emergency_name, needs.emergency_phone)),
                  ("notes", "emergency_name", "emergency_phone", "emergency_relation"))
    db.session.commit()


def _keep_or_drop(stored, wanted, keep: bool, fields) -> None:
    """An emptied part is deleted rather than kept as a blank row: no record beats an empty one."""
    if not keep:
        if stored is not None:
            db.session.delete(stored)
        return
    if stored is None:
        db.session.add(wanted)
        return
    for name in fields:
        setattr(stored, name, getattr(wanted, name))


def _check(needs: NeedsInput) -> None:
    """The form validates first; this guards the service against any other caller."""
    if needs.diet not in DIETS:
        raise NeedsError("unknown-diet")
    seen = set()
    for allergy in needs.allergies:
        if allergy.allergen not in (*ALLERGENS, OTHER_ALLERGEN) or allergy.allergen in seen:
            raise NeedsError("unknown-allergen")
        if allergy.severity not in SEVERITIES:
            raise NeedsError("unknown-severity")
        seen.add(allergy.allergen)


def erase_needs(registration_ids: list[int]) -> dict[str, int]:
    """Delete every needs row of these registrations (not their consents); counts per kind."""
    if not registration_ids:
        return {"dietary": 0, "allergies": 0, "accessibility": 0, "medical": 0}
    counts = {}
    for kind, model in (("dietary", DietaryNeeds), ("allergies", Allergy),
                        ("accessibility", AccessibilityNeeds), ("medical", MedicalNotes)):
        result = db.session.execute(delete(model).where(model.registration_id.in_(registration_ids)))
        counts[kind] = result.rowcount
    return counts


def withdraw_consent(registration: Registration, actor: User) -> dict[str, int]:
    """Withdraw consent and erase every need in the same transaction. Commits."""
    consent = consent_of(registration, lock=True)
    if consent is None or not consent.active:
        raise NeedsError("no-consent")
    counts = erase_needs([registration.id])
    consent.withdrawn_at = utcnow()
    audit.record(registration.event, actor, "needs.consent_withdrawn", subject=f"guest {registration.id}",
                 detail=_counts_text(counts))
    db.session.commit()
    return counts


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in counts.items())


def purge_counts(event: Event) -> dict[str, int]:
    """What purge_event would erase, per kind, changing nothing: the figures its confirmation states."""
    ids = select(Registration.id).where(Registration.event_id == event.id).scalar_subquery()
    counts = {kind: db.session.scalar(select(func.count()).select_from(model).where(model.registration_id.in_(ids)))
              for kind, model in (("dietary", DietaryNeeds), ("allergies", Allergy),
                                  ("accessibility", AccessibilityNeeds), ("medical", MedicalNotes))}
    counts["consents"] = db.session.scalar(
        select(func.count()).select_from(NeedsConsent).where(NeedsConsent.registration_id.in_(ids)))
    counts.update(purge.count_free_text(event))
    return counts


def purge_event(event: Event, actor: User | None = None) -> dict[str, int]:
    """Erase the sensitive data and consents of every registration of `event`, and the free text
    they hide in (notes, medical help requests, the mails about them). Commits."""
    ids = list(db.session.scalars(select(Registration.id).where(Registration.event_id == event.id)))
    counts = erase_needs(ids)
    counts["consents"] = db.session.execute(
        delete(NeedsConsent).where(NeedsConsent.registration_id.in_(ids))).rowcount if ids else 0
    counts.update(purge.clear_free_text(event))
    audit.record(event, actor, "sensitive.purge", subject=event.slug, detail=_counts_text(counts))
    db.session.commit()
    return counts


def meal_status(registration: Registration, needs: GuestNeeds) -> str | None:
    """The guest's one line about meals: "Your halal meals are arranged." style."""
    if not needs.has_consent or registration.state != CONFIRMED:
        return None
    if needs.special_diet:
        return str(DIET_MEALS[needs.dietary.diet])
    if needs.allergies:
        return _("The kitchen knows about your allergies.")
    return None


def kiosk_meal_line(registration: Registration, today: date):
    """The kiosk's line about meals on a meal day: the diet's name at most, for a public screen."""
    if today not in meal_days(registration.event):
        return None
    needs = GuestNeeds(consent=consent_of(registration),
                       dietary=db.session.scalar(select(DietaryNeeds).where(DietaryNeeds.registration_id == registration.id)),
                       allergies=list(db.session.scalars(select(Allergy).where(Allergy.registration_id == registration.id))))
    if not needs.has_consent or registration.state != CONFIRMED:
        return None
    if needs.special_diet:
        return DIET_MEALS[needs.dietary.diet]
    # An allergy is not named on a screen others can read.
    return _l("Your meals are arranged as you asked.") if needs.allergies else None


# -- Staff ----------------------------------------------------------------------------------------

def has_medical_permission(user: User, event: Event) -> bool:
    return db.session.scalar(select(StaffPermission.id).where(
        StaffPermission.user_id == user.id, StaffPermission.event_id == event.id,
        StaffPermission.permission == MEDICAL)) is not None


def reader_scope(user: User, event: Event) -> frozenset[str]:
    """Which parts of the needs `user` may read in `event`."""
    if not user.is_authenticated:
        return frozenset()
    roles = {"organizer"} if user.is_admin else user.roles_for(event.id)
    scope = set()
    if roles & {"organizer", "catering"}:
        scope.add(DIET)
    if roles & {"organizer", "lodging", "transport"}:
        scope.add(ACCESSIBILITY)
    if "organizer" in roles or (roles and has_medical_permission(user, event)):
        scope.add(MEDICAL)
    return frozenset(scope)


def staff_view(event: Event, registration: Registration, reader: User) -> GuestNeeds | None:
    """The needs `reader` may see on a guest's page, audited; None when their role sees none."""
    scope = reader_scope(reader, event)
    if not scope:
        return None
    stored = needs_of(registration)
    shown = GuestNeeds(
        consent=stored.consent,
        dietary=stored.dietary if DIET in scope else None,
        allergies=stored.allergies if DIET in scope else [],
        accessibility=stored.accessibility if ACCESSIBILITY in scope else None,
        medical=stored.medical if MEDICAL in scope else None,
    )
    if shown.anything:
        parts = [name for name, part in (("diet", shown.dietary or shown.allergies),
                                         ("accessibility", shown.accessibility), ("medical", shown.medical)) if part]
        audit.record_read(event, reader, "sensitive.view", subject=f"guest {registration.id}",
                         detail=", ".join(parts))
    return shown


# -- The catering board ---------------------------------------------------------------------------

def meal_days(event: Event) -> list[date]:
    return [event.starts_on + timedelta(days=i) for i in range((event.ends_on - event.starts_on).days + 1)]


@dataclass
class Diner:
    registration: Registration
    diet: str
    diet_detail: str
    allergies: list[Allergy]

    @property
    def name(self) -> str:
        r = self.registration
        return r.name_latin if r.name_latin == r.name_original else f"{r.name_latin} ({r.name_original})"


def diners(event: Event) -> list[Diner]:
    """The confirmed guests with their diet and allergies, in three queries whatever their number."""
    registrations = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.state == CONFIRMED)
        .order_by(func.lower(Registration.surname), Registration.name_latin, Registration.id)).all()
    ids = [r.id for r in registrations]
    diets, allergies = {}, defaultdict(list)
    if ids:
        diets = {d.registration_id: d for d in db.session.scalars(
            select(DietaryNeeds).where(DietaryNeeds.registration_id.in_(ids)))}
        for allergy in db.session.scalars(select(Allergy).where(Allergy.registration_id.in_(ids))):
            allergies[allergy.registration_id].append(allergy)
    result = []
    for r in registrations:
        dietary = diets.get(r.id)
        result.append(Diner(r, dietary.diet if dietary else NOT_STATED, dietary.diet_detail if dietary else "",
                            _sorted_allergies(allergies[r.id])))
    return result


def diet_label(code: str) -> str:
    return _("Not stated") if code == NOT_STATED else str(DIET_LABELS[code])


def allergy_text(allergy: Allergy) -> str:
    label = allergy.detail if allergy.allergen == OTHER_ALLERGEN and allergy.detail else ALLERGEN_LABELS[allergy.allergen]
    return f"{label} ({SEVERITY_LABELS[allergy.severity]})"


# -- The guest's own data -------------------------------------------------------------------------

@privacy.data_provider("needs")
def needs_data(user, registrations):
    result = []
    for registration in registrations:
        needs = needs_of(registration)
        if needs.consent is None and not needs.anything:
            continue
        result.append({
            "event": registration.event.slug,
            "consent": privacy.columns_of(needs.consent) if needs.consent else None,
            "dietary": privacy.columns_of(needs.dietary) if needs.dietary else None,
            "allergies": [privacy.columns_of(a) for a in needs.allergies],
            "accessibility": privacy.columns_of(needs.accessibility) if needs.accessibility else None,
            "medical": privacy.columns_of(needs.medical) if needs.medical else None,
        })
    return result


@privacy.erasure_step
def erase_needs_of_account(user, registrations):
    ids = [r.id for r in registrations]
    erase_needs(ids)
    if ids:
        db.session.execute(delete(NeedsConsent).where(NeedsConsent.registration_id.in_(ids)))
