"""A large event for the benchmark: thousands of guests, hundreds of sessions, a busy help desk.

Rows go in with one multi-row INSERT per table (SQLAlchemy's insertmanyvalues,
with RETURNING where later rows need the ids), so 5,000 guests take seconds
on either database. People come from the demo's name generator; e-mail
addresses use reserved example.* domains, so nothing here can reach an inbox.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from portal.database import utcnow
from portal.demo.people import make_email, make_person, make_phone, pick_country, pick_position
from portal.extensions import db
from portal.guests import tickets
from portal.models import (
    Allergy, AccessibilityNeeds, AgendaEntry, Category, DietaryNeeds, Event, MedicalNotes, NeedsConsent,
    Registration, RegistrationChange, StaffRole, Ticket, TicketCounter, TicketMessage, User,
)
from portal.models.agenda import Room, Session, Speaker, Track, session_category, session_invitee, session_speaker
from portal.needs.services import NOTICE_VERSION

SLUG = "bench"
PASSWORD = "bench-password-2027"
ORGANIZER = "organizer@bench.example.org"
HELPDESK = "helpdesk@bench.example.org"
# The guest whose "My trip" the benchmark loads: a full agenda, needs and a help request.
TRIP_GUEST = "trip.guest@bench.example.org"

STATES = (("confirmed", 88), ("waitlisted", 5), ("pending", 4), ("cancelled", 3))
CATEGORIES = (("vip", 3), ("speaker", 6), ("delegate", 76), ("press", 15))
KINDS = (("keynote", 5), ("panel", 45), ("workshop", 25), ("roundtable", 10), ("break", 10), ("meal", 5))
TICKET_STATES = (("new", 25), ("open", 30), ("pending", 10), ("resolved", 25), ("closed", 10))
TICKET_CATEGORIES = ("lodging", "transport", "dietary", "medical", "lost_found", "technical", "other")
DIETS = (("none", 70), ("vegetarian", 12), ("vegan", 4), ("halal", 8), ("kosher", 2), ("other", 4))
ALLERGENS = ("peanuts", "tree_nuts", "milk", "egg", "fish", "shellfish", "soy", "wheat_gluten", "sesame")
TOPICS = (
    "Trade routes after the pandemic", "Climate finance at scale", "Semiconductors and supply chains",
    "Green hydrogen corridors", "Digital currencies and central banks", "Ageing societies",
    "Ocean economy", "AI governance", "Food security", "Urban resilience", "Critical minerals",
    "Cross-border data flows", "Health systems after COVID", "Carbon markets", "Space industry",
)


@dataclass
class Built:
    event_id: int
    ticket_codes: list[str]
    guests: int
    sessions: int
    tickets: int
    agenda_entries: int


def _weighted(rng: random.Random, table) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _ids(model, rows: list[dict]) -> list[int]:
    """Insert `rows` in one statement and return their ids in order."""
    if not rows:
        return []
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def _rows(table_or_model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(table_or_model), rows)


def build(guests: int = 5000, sessions: int = 300, help_tickets: int = 500, seed: int = 2027) -> Built:
    """Write the benchmark event into the (empty, migrated) database of the current app. Commits."""
    rng = random.Random(seed)
    now = utcnow()
    today = date.today()
    password_hash = generate_password_hash(PASSWORD)

    event = Event(
        slug=SLUG, name_en="Benchmark Summit", name_zh="基准测试峰会", starts_on=today,
        ends_on=today + timedelta(days=2), timezone="Asia/Shanghai",
        venue_en="Riverside Convention Centre", venue_zh="滨江会议中心",
        description_en="A large event built to measure Concierge.", description_zh="用于衡量系统性能的大型活动。",
        privacy_notice_en="We use your details to organise your attendance.",
        privacy_notice_zh="我们仅为安排您的参会使用您的信息。",
        status="published", public_registration=True, capacity=None,
        registration_opens_at=now - timedelta(days=60),
    )
    event.categories = Category.defaults()
    db.session.add(event)
    db.session.flush()
    categories = {c.code: c.id for c in event.categories}

    staff_ids = _ids(User, [
        dict(email=ORGANIZER, display_name="Bench Organizer", password_hash=password_hash, language="en"),
        dict(email=HELPDESK, display_name="Bench Help Desk", password_hash=password_hash, language="en"),
    ])
    _rows(StaffRole, [dict(user_id=staff_ids[0], event_id=event.id, role="organizer"),
                      dict(user_id=staff_ids[1], event_id=event.id, role="helpdesk")])

    # -- Guests ------------------------------------------------------------------------------
    taken: set[str] = {ORGANIZER, HELPDESK}
    people, users = [], []
    for n in range(guests):
        person = make_person(rng, pick_country(rng))
        category = _weighted(rng, CATEGORIES)
        organization, domain, title = pick_position(rng, person, category)
        email = TRIP_GUEST if n == 0 else make_email(person, domain, taken)
        taken.add(email)
        created = now - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
        people.append((person, category, organization, title, email, created))
        users.append(dict(email=email, display_name=person.name_original, language=person.language,
                          password_hash=password_hash if n == 0 else None, created_at=created))
    user_ids = _ids(User, users)

    codes: set[str] = set()
    registrations = []
    for n, ((person, category, organization, title, email, created), user_id) in enumerate(zip(people, user_ids)):
        code = tickets.new_confirmation_code()
        while code in codes:
            code = tickets.new_confirmation_code()
        codes.add(code)
        state = "confirmed" if n == 0 else _weighted(rng, STATES)
        registrations.append(dict(
            event_id=event.id, user_id=user_id, category_id=categories[category], state=state,
            name_original=person.name_original, name_latin=person.name_latin, surname=person.surname,
            organization=organization, job_title=title, country=person.country,
            phone=make_phone(rng, person.country), email=email, language=person.language, consent_at=created,
            ticket_code=tickets.new_ticket_code(), confirmation_code=code, created_at=created, updated_at=created,
            confirmed_at=created if state == "confirmed" else None,
            waitlisted_at=created if state == "waitlisted" else None,
        ))
    registration_ids = _ids(Registration, registrations)
    _rows(RegistrationChange, [
        dict(registration_id=rid, from_state="", to_state=r["state"], at=r["created_at"])
        for rid, r in zip(registration_ids, registrations)
    ])
    confirmed = [(rid, r) for rid, r in zip(registration_ids, registrations) if r["state"] == "confirmed"]

    # -- Needs: a third consent; diets, allergies, access and medical notes as guests state them --
    consents, diets, allergies, access, medical = [], [], [], [], []
    for index, (rid, r) in enumerate(confirmed):
        if index and rng.random() > 0.33:
            continue
        consents.append(dict(registration_id=rid, notice_version=NOTICE_VERSION,
                             notice_text="We keep these details for this event only.", given_at=r["created_at"]))
        diet = "halal" if index == 0 else _weighted(rng, DIETS)
        diets.append(dict(registration_id=rid, diet=diet, diet_detail="No pork gelatine" if diet == "other" else ""))
        if index == 0 or rng.random() < 0.25:
            for allergen in rng.sample(ALLERGENS, rng.randint(1, 2)):
                allergies.append(dict(registration_id=rid, allergen=allergen,
                                      severity=rng.choice(("mild", "severe", "anaphylactic"))))
        if index == 0 or rng.random() < 0.15:
            access.append(dict(registration_id=rid, wheelchair=rng.random() < 0.4, step_free=True,
                               hearing_loop=rng.random() < 0.2, seating=rng.random() < 0.5))
        if index == 0 or rng.random() < 0.06:
            medical.append(dict(registration_id=rid, notes="Carries an adrenaline auto-injector.",
                                emergency_name="Family contact", emergency_phone="+1 555 0100",
                                emergency_relation="spouse"))
    for model, rows in ((NeedsConsent, consents), (DietaryNeeds, diets), (Allergy, allergies),
                        (AccessibilityNeeds, access), (MedicalNotes, medical)):
        _rows(model, rows)

    # -- The programme: three days, rooms, tracks, speakers, sessions -------------------------------
    room_ids = _ids(Room, [dict(event_id=event.id, name_en=f"Hall {n + 1}", name_zh=f"{n + 1}号厅",
                                capacity=rng.choice((80, 150, 300, 1200)), floor=str(1 + n // 4))
                           for n in range(12)])
    track_ids = _ids(Track, [dict(event_id=event.id, name_en=topic, name_zh=f"议题 {n + 1}", position=n)
                             for n, topic in enumerate(TOPICS[:6])])
    speaker_people = [make_person(rng, pick_country(rng)) for _ in range(max(sessions // 2, 1))]
    speaker_ids = _ids(Speaker, [dict(event_id=event.id, name_en=p.name_latin, name_zh=p.name_original,
                                      title_en="Director", organization_en="Example Institute")
                                 for p in speaker_people])
    zone = event.zone
    per_day = max(sessions // 3, 1)
    session_rows = []
    for n in range(sessions):
        day = today + timedelta(days=min(n // per_day, 2))
        slot = n % per_day
        starts = datetime.combine(day, time(8), tzinfo=zone) + timedelta(minutes=30 * (slot % 22))
        kind = _weighted(rng, KINDS)
        visibility = "invitation" if kind == "roundtable" and rng.random() < 0.5 else (
            "categories" if rng.random() < 0.08 else "public")
        topic = rng.choice(TOPICS)
        session_rows.append(dict(
            event_id=event.id, title_en=f"{topic}: {kind} {n + 1}", title_zh=f"{kind} {n + 1}",
            description_en=f"A {kind} on {topic.lower()} with leaders from government, business and research.",
            description_zh="来自政府、企业与学界的领袖共同讨论。",
            starts_at=starts, ends_at=starts + timedelta(minutes=rng.choice((30, 45, 60, 90))),
            room_id=rng.choice(room_ids), track_id=rng.choice(track_ids), kind=kind, visibility=visibility,
            capacity=rng.choice((None, None, None, 40, 120)) if visibility == "public" else None,
        ))
    session_ids = _ids(Session, session_rows)
    _rows(session_speaker, [dict(session_id=sid, speaker_id=spk) for sid in session_ids
                            for spk in rng.sample(speaker_ids, min(len(speaker_ids), rng.randint(1, 3)))])
    _rows(session_category, [dict(session_id=sid, category_id=categories["vip"])
                             for sid, row in zip(session_ids, session_rows) if row["visibility"] == "categories"])
    invitation_only = [sid for sid, row in zip(session_ids, session_rows) if row["visibility"] == "invitation"]
    vips = [rid for rid, r in confirmed if r["category_id"] in (categories["vip"], categories["speaker"])]
    _rows(session_invitee, [dict(session_id=sid, registration_id=rid) for sid in invitation_only
                            for rid in rng.sample(vips, min(len(vips), 20))])

    # -- Personal agendas: each confirmed guest holds a handful of public sessions, never over capacity --
    public = [(sid, row["capacity"]) for sid, row in zip(session_ids, session_rows) if row["visibility"] == "public"]
    left = {sid: capacity for sid, capacity in public if capacity is not None}
    entries = []
    for index, (rid, _r) in enumerate(confirmed):
        for sid, capacity in rng.sample(public, min(len(public), 12 if index == 0 else rng.randint(3, 10))):
            if capacity is not None:
                if left[sid] <= 0:
                    continue
                left[sid] -= 1
            entries.append(dict(registration_id=rid, session_id=sid, created_at=now))
    _rows(AgendaEntry, entries)

    # -- The help desk: requests in every state, most from guests, some walk-ups -----------------
    ticket_rows, first_messages = [], []
    for number in range(1, help_tickets + 1):
        rid, r = confirmed[0] if number == 1 else rng.choice(confirmed)
        state = _weighted(rng, TICKET_STATES)
        created = now - timedelta(minutes=rng.randint(5, 3000))
        category = rng.choice(TICKET_CATEGORIES)
        ticket_rows.append(dict(
            event_id=event.id, number=number, registration_id=rid, contact_name=r["name_latin"],
            contact_email=r["email"], language=r["language"], category=category,
            priority="urgent" if category == "medical" else rng.choice(("low", "normal", "normal", "high")),
            state=state, subject=f"Help with {category.replace('_', ' ')}", source=rng.choice(("portal", "kiosk")),
            assignee_id=staff_ids[1] if state != "new" else None, created_at=created, updated_at=created,
            resolved_at=created + timedelta(minutes=30) if state in ("resolved", "closed") else None,
        ))
        first_messages.append((created, r["name_latin"]))
    ticket_ids = _ids(Ticket, ticket_rows)
    _rows(TicketMessage, [dict(ticket_id=tid, kind="guest", body="Could someone help me with this, please?",
                               author_name=name, created_at=at)
                          for tid, (at, name) in zip(ticket_ids, first_messages)])
    _rows(TicketCounter, [dict(event_id=event.id, last_number=help_tickets)])

    db.session.commit()
    return Built(event_id=event.id, ticket_codes=[r["ticket_code"] for _rid, r in confirmed], guests=guests,
                 sessions=sessions, tickets=help_tickets, agenda_entries=len(entries))
