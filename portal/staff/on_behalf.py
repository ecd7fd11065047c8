"""Staff acting for a guest: registering a walk-in or a guest whose office phoned, changing
their lodging for them. Each goes through the same services the guest's own pages use, so
capacity, the state machine and portal/lifecycle.py hold; each is audited with where the
details came from, and consent is recorded as given through staff.
"""


from portal import audit
from portal.database import utcnow
from portal.extensions import db
from portal.checkin import services as checkin
from portal.guests import services as guests
from portal.guests.services import Profile
from portal.lodging import services as lodging
from portal.needs import services as needs
from portal.transport import services as transport
from portal.models import (
    Category, Event, LodgingRequest, NeedsConsent, Registration, Station, TransportLeg, User,
)

# The audit log's note that the guest gave consent to a staff member, not on a page.
CONSENT_THROUGH_STAFF = "consent given through staff"


def _detail(source: str) -> str:
    return f"{source}; {CONSENT_THROUGH_STAFF}" if source else CONSENT_THROUGH_STAFF


def register(event: Event, email: str, profile: Profile, category: Category | None, source: str,
             actor: User, approved: bool = False) -> Registration:
    """Register a guest for them (same rules as their own registration: capacity, approval). Commits.

    `approved`: the actor may approve registrations and admits this one now (audited as an approval).
    Raises guests.RegistrationError("already-registered") when the address is registered already.
    """
    user = guests.find_or_create_user(email, profile.name_original, profile.language)
    audit.record(event, actor, "registration.on_behalf", subject=user.email, detail=_detail(source))
    registration = guests.register(event, user, profile, category, actor=actor,
                                   note=source or CONSENT_THROUGH_STAFF, approved=approved)
    if approved and event.approval_required:
        audit.record(event, actor, "registration.approve", subject=registration.confirmation_code,
                     detail=source)
        db.session.commit()
    return registration


def walk_in(event: Event, email: str, profile: Profile, category: Category | None, source: str, actor: User,
            check_in: bool, may_approve: bool = False) -> tuple[Registration, bool]:
    """Register a guest standing at the desk and, if confirmed and asked, check them in. Commits.

    In an event that needs approval, an organizer who asks for the check-in admits the guest in
    the same step (`may_approve`); a walk-in registered by the help desk waits for an organizer.
    Returns the registration and whether the guest is now checked in.
    """
    registration = register(event, email, profile, category, source, actor, approved=check_in and may_approve)
    if not check_in or registration.state != "confirmed":
        return registration, False
    arrival = checkin.check_in(event, registration.id, staff=actor)
    return registration, arrival.outcome in (checkin.CHECKED_IN, checkin.ALREADY_CHECKED_IN)


def save_lodging(event: Event, registration: Registration, stay: lodging.Stay, source: str,
                 actor: User) -> LodgingRequest:
    """File or change (another block, other nights) a guest's lodging request for them. Commits.

    lodging.file_request gives back nights a changed request held and takes the new ones,
    or waitlists it, by the block's rules; RuleRefused carries a refusal to show.
    """
    audit.record(event, actor, "lodging.on_behalf", subject=registration.confirmation_code,
                 detail=f"{_detail(source)}; block {stay.block_id}, {stay.check_in} to {stay.check_out}")
    return lodging.file_request(event, registration, stay)


def save_leg(event: Event, registration: Registration, direction: str, journey: transport.Journey, source: str,
             actor: User) -> TransportLeg:
    """File or change a guest's arrival or departure for them (a scheduled pickup changed waits again). Commits."""
    place = journey.station
    if journey.station_id is not None:
        listed = db.session.get(Station, journey.station_id)
        place = listed.name_en if listed is not None and listed.event_id == event.id else place
    audit.record(event, actor, "transport.on_behalf", subject=registration.confirmation_code,
                 detail=f"{_detail(source)}; {direction} {journey.local_time:%Y-%m-%d %H:%M} {place}")
    return transport.save_leg(event, registration, direction, journey)


def save_needs(event: Event, registration: Registration, wanted: needs.NeedsInput, source: str,
               actor: User) -> None:
    """Store a guest's needs for them; without their consent on record, record it as given through staff.

    Commits, or stores nothing; needs.NeedsError carries a refusal (changes closed, bad input).
    """
    if not event.changes_are_open():
        raise needs.NeedsError("changes-closed")
    consent = needs.consent_of(registration, lock=True)
    if consent is None or not consent.active:
        consent = consent or NeedsConsent(registration_id=registration.id)
        consent.notice_version = needs.NOTICE_VERSION
        consent.notice_text = f"{needs.consent_notice(event)}\n[{_detail(source)}; by {actor.email}]"
        consent.given_at, consent.withdrawn_at = utcnow(), None
        db.session.add(consent)
        db.session.flush()
    audit.record(event, actor, "needs.on_behalf", subject=registration.confirmation_code, detail=_detail(source))
    needs.save_needs(registration, wanted)
