"""The demo's guests: registrations in every state with the history that led there, and invitations.

They are written directly, without mail: the demo shows a registration desk
part-way through, not two hundred fresh sign-ups.
"""

import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from portal.auth.tokens import new_token, token_hash
from portal.database import utcnow
from portal.demo.people import (
    ORGANIZATIONS, make_email, make_person, make_phone, pick_country, pick_honorific, pick_position,
)
from portal.extensions import db
from portal.guests import tickets
from portal.models import Event, Invitation, Registration, RegistrationChange, User
from portal.models.registration import CANCELLED, CONFIRMED, DECLINED, PENDING, WAITLISTED

# How many guests of each category, and how their registrations stand, as weights
# in the order confirmed, waitlisted, pending, cancelled, declined.
CATEGORY_PLAN = {
    "vip": (26, (80, 4, 8, 8, 0)),
    "speaker": (40, (82, 4, 6, 8, 0)),
    "delegate": (140, (60, 16, 10, 7, 7)),
    "press": (36, (58, 14, 12, 6, 10)),
}
STATE_ORDER = (CONFIRMED, WAITLISTED, PENDING, CANCELLED, DECLINED)
OPEN_INVITATIONS = 14

# The organizer's reasons, written to each guest in the guest's language (My trip shows them).
DECLINE_REASONS = (
    ("The delegate quota for your organization is already filled.", "贵单位的代表名额已满。"),
    ("Press accreditation needs a letter from your editor; please write to the press office.",
     "媒体注册需要提供所在媒体编辑部的推荐信，请联系新闻办公室。"),
    ("Places at this edition are reserved for member organizations.", "本届名额仅面向会员单位。"),
)
# The guests' own reasons, in their own language.
CANCEL_REASONS = (("", ""), ("", ""), ("Schedule conflict", "日程冲突"), ("Travel not approved", "出行未获批准"),
                  ("Visa not issued in time", "签证未能及时签发"))


def _in_language(registration, texts: tuple[str, str]) -> str:
    """The English or the Chinese of `texts`, as the guest reads."""
    return texts[1] if registration.language == "zh_Hans" else texts[0]


def _weighted_state(rng: random.Random, weights) -> str:
    return rng.choices(STATE_ORDER, weights=weights)[0]


def _history(rng, registration, state, guest, organizer, created) -> None:
    """The steps that led to `state`, as the services would have recorded them."""
    steps = [(PENDING, guest, "")]
    if state == CONFIRMED:
        if rng.random() < 0.12:
            steps += [(WAITLISTED, organizer, ""), (CONFIRMED, None, "waitlist")]
        else:
            steps.append((CONFIRMED, organizer, ""))
    elif state == WAITLISTED:
        steps.append((WAITLISTED, organizer, ""))
    elif state == DECLINED:
        reason = _in_language(registration, rng.choice(DECLINE_REASONS))
        registration.decision_reason = reason
        steps.append((DECLINED, organizer, reason))
    elif state == CANCELLED:
        if rng.random() < 0.6:
            steps.append((CONFIRMED, organizer, ""))
        steps.append((CANCELLED, guest, _in_language(registration, rng.choice(CANCEL_REASONS))))

    # Each step a while after the one before, the last still in the past.
    share = (utcnow() - created).total_seconds() / len(steps)
    at, previous = created, ""
    for to_state, actor, reason in steps:
        registration.changes.append(RegistrationChange(
            from_state=previous, to_state=to_state, actor=actor, reason=reason, at=at,
        ))
        if to_state == CONFIRMED:
            registration.confirmed_at = at
        elif to_state == WAITLISTED:
            registration.waitlisted_at = at
        previous = to_state
        registration.updated_at = at
        at += timedelta(seconds=share * rng.uniform(0.2, 0.9))
    registration.state = state


def seed(rng: random.Random, event: Event, organizer: User) -> dict[str, int]:
    """The guests and open invitations; the event full, with a waitlist. Guests per state."""
    now = utcnow()
    categories = {c.code: c for c in event.categories}

    taken_emails = set(db.session.scalars(select(User.email)).all())
    codes: set[str] = set()
    counts = {state: 0 for state in STATE_ORDER}
    invited: list[tuple[Registration, Invitation]] = []
    invitation_days = current_app.config["INVITATION_DAYS"]

    for code, (how_many, weights) in CATEGORY_PLAN.items():
        # The first guests of each category cover every state the category can be in.
        guaranteed = [s for s, w in zip(STATE_ORDER, weights) if w]
        for i in range(how_many):
            person = make_person(rng, pick_country(rng))
            organization, domain, title = pick_position(rng, person, code)
            email = make_email(person, domain, taken_emails)
            state = guaranteed[i] if i < len(guaranteed) else _weighted_state(rng, weights)
            created = now - timedelta(days=rng.randint(6, 70), hours=rng.randint(0, 23), minutes=rng.randint(0, 59))

            user = User(email=email, display_name=person.name_original, language=person.language, created_at=created)
            invitation = None
            # VIPs and speakers come by invitation; delegates and press mostly register themselves.
            if code in ("vip", "speaker") or rng.random() < 0.15:
                invitation = Invitation(
                    event=event, email=email, name=person.name_original, category=categories[code],
                    language=person.language, token_hash=token_hash(new_token()),
                    created_at=created - timedelta(days=rng.randint(1, 10)),
                    expires_at=created + timedelta(days=invitation_days), accepted_at=created,
                )
            confirmation = tickets.new_confirmation_code()
            while confirmation in codes:
                confirmation = tickets.new_confirmation_code()
            codes.add(confirmation)
            registration = Registration(
                event=event, user=user, category=categories[code],
                name_original=person.name_original, name_latin=person.name_latin, surname=person.surname,
                honorific=pick_honorific(rng, person, code, title), organization=organization, job_title=title,
                country=person.country, phone=make_phone(rng, person.country), email=email,
                language=person.language, consent_at=created, ticket_code=tickets.new_ticket_code(),
                confirmation_code=confirmation, created_at=created,
            )
            _history(rng, registration, state, user, organizer, created)
            db.session.add(registration)
            if invitation is not None:
                db.session.add(invitation)
                invited.append((registration, invitation))
            counts[state] += 1

    for _ in range(OPEN_INVITATIONS):
        code = rng.choice(("vip", "speaker", "speaker", "delegate"))
        person = make_person(rng, pick_country(rng))
        sent = now - timedelta(days=rng.randint(1, 20))
        db.session.add(Invitation(
            event=event, email=make_email(person, rng.choice(ORGANIZATIONS[code])[1], taken_emails),
            name=person.name_original, category=categories[code], language=person.language,
            token_hash=token_hash(new_token()), created_at=sent,
            expires_at=sent + timedelta(days=invitation_days),
        ))

    db.session.flush()  # one batched insert per table; the invitations get their ids
    for registration, invitation in invited:
        registration.invitation_id = invitation.id

    # Full, with a waitlist: exactly as many places as confirmed guests.
    event.capacity = counts[CONFIRMED]
    return counts


def confirmed(event: Event) -> list[Registration]:
    """The event's confirmed guests, in the order they were written."""
    registrations = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)).all()
    return [r for r in registrations if r.state == CONFIRMED]
