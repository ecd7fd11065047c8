"""What the demo's coordinators work on: hotels with room blocks and stays, cars and
pickups, the guests' diets, and the organizer's budget with the caterer's meal rates.
"""

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Allergy, BudgetLine, DietaryNeeds, Event, Hotel, LodgingRequest, MealRate, NeedsConsent, Registration,
    RoomBlock, RoomNight, Station, TransportLeg, Vehicle,
)
from portal.needs.services import NOTICE_VERSION

HOTELS = (
    ("Riverside Grand Hotel", "滨江大酒店", "100 Binjiang Avenue, Shanghai", "上海市滨江大道100号",
     (("Deluxe King", "豪华大床房", "1280.00", "organizer", 60), ("Executive Suite", "行政套房", "2680.00",
                                                                   "organizer", 12))),
    ("Lujiazui Garden Hotel", "陆家嘴花园酒店", "18 Century Avenue, Shanghai", "上海市世纪大道18号",
     (("Superior Twin", "高级双床房", "860.00", "guest", 80),)),
)
VEHICLES = (
    # label, plate, driver, capacity, meeting point in English and Chinese. A vehicle's name is one text
    # that guests read in either language, so the demo writes it as bilingual signs are written.
    ("Airport shuttle A 机场大巴A", "沪A·D2391", "Zhang Wei", 40, "Pudong Airport T2, arrivals hall, gate 5",
     "浦东机场T2航站楼到达大厅5号门"),
    ("Airport shuttle B 机场大巴B", "沪A·D2392", "Liu Yang", 40, "Pudong Airport T1, arrivals hall, gate 2",
     "浦东机场T1航站楼到达大厅2号门"),
    ("VIP car 1 贵宾车1 (Hongqi H9)", "沪A·V8801", "Wang Qiang", 3, "Arrivals hall, gate 3", "到达大厅3号门"),
    ("VIP car 2 贵宾车2 (Hongqi H9)", "沪A·V8802", "Zhao Lei", 3, "Arrivals hall, gate 3", "到达大厅3号门"),
    ("Van 1 商务车1", "沪A·F5120", "Sun Hao", 6, "Arrivals hall, gate 5", "到达大厅5号门"),
)
# code, the airline as a guest writing in English and in Chinese names it, airport, terminal.
FLIGHTS = (("MU", "China Eastern", "东方航空", "PVG", "T1"), ("CA", "Air China", "中国国航", "PVG", "T2"),
           ("LH", "Lufthansa", "汉莎航空", "PVG", "T2"), ("EK", "Emirates", "阿联酋航空", "PVG", "T1"),
           ("SQ", "Singapore Airlines", "新加坡航空", "PVG", "T2"), ("FM", "Shanghai Airlines", "上海航空", "SHA", "T2"))
RAILWAY = ("China Railway", "中国铁路")
# The coordinator's list of airports and stations: guests choose from it, so one place is one group.
STATIONS = (("Shanghai Pudong International Airport", "上海浦东国际机场", "PVG", "airport"),
            ("Shanghai Hongqiao International Airport", "上海虹桥国际机场", "SHA", "airport"),
            ("Shanghai Hongqiao Railway Station", "上海虹桥站", "", "station"))
TRAINS = ("G2", "G7", "G11", "G102", "G1372")
# The detail of "other" is the guest's own words, in their language.
DIETS = (("vegetarian", "", ""), ("halal", "", ""), ("vegan", "", ""), ("kosher", "", ""),
         ("other", "No pork, no alcohol in sauces", "不吃猪肉，酱汁中不含酒精"))
ALLERGIES = (("peanuts", "anaphylactic"), ("shellfish", "severe"), ("milk", "mild"), ("wheat_gluten", "severe"))


def lodging(rng: random.Random, event: Event, confirmed: list[Registration]) -> list[LodgingRequest]:
    """Two hotels with room blocks; most confirmed VIPs and speakers and some delegates have a stay."""
    first_night, last_night = event.starts_on - timedelta(days=1), event.ends_on
    blocks = []
    for en, zh, address_en, address_zh, types in HOTELS:
        hotel = Hotel(event_id=event.id, name_en=en, name_zh=zh, address_en=address_en, address_zh=address_zh,
                      contact_name="Reservations", contact_phone="+86 21 5555 0200",
                      contact_email=f"reservations@{en.split()[0].lower()}-hotel.example.com")
        db.session.add(hotel)
        for type_en, type_zh, rate, payer, rooms in types:
            block = RoomBlock(event_id=event.id, hotel=hotel, room_type_en=type_en, room_type_zh=type_zh,
                              nightly_rate=Decimal(rate), currency="CNY", payer=payer,
                              arrival_from=first_night, departure_until=last_night + timedelta(days=1))
            block.nights = [RoomNight(night=first_night + timedelta(days=n), total=rooms, taken=0)
                            for n in range((last_night - first_night).days + 1)]
            db.session.add(block)
            blocks.append(block)
    db.session.flush()
    stays = []
    for i, registration in enumerate(confirmed):
        code = registration.category.code
        if code == "press" or (code == "delegate" and rng.random() < 0.6):
            continue
        block = blocks[1] if code == "vip" and i % 3 == 0 else blocks[0] if code in ("vip", "speaker") else blocks[2]
        check_in = first_night if rng.random() < 0.7 else event.starts_on
        check_out = event.ends_on + timedelta(days=1) if rng.random() < 0.5 else event.ends_on
        nights = [row for row in block.nights if check_in <= row.night < check_out]
        state = "confirmed" if rng.random() < 0.8 and all(row.taken < row.total for row in nights) else "requested"
        stay = LodgingRequest(event_id=event.id, registration_id=registration.id, block_id=block.id,
                              check_in=check_in, check_out=check_out, state=state,
                              created_at=registration.created_at + timedelta(days=1))
        if state == "confirmed":
            for row in nights:
                row.taken += 1
            stay.holds_rooms = True
            stay.confirmation_number = f"RG{rng.randrange(100000, 999999)}"
            stay.room_number = f"{rng.randrange(8, 30)}{rng.randrange(1, 40):02d}"
            stay.decided_at = registration.created_at + timedelta(days=2)
        db.session.add(stay)
        stays.append(stay)
    return stays


def transport(rng: random.Random, event: Event, confirmed: list[Registration]) -> list[TransportLeg]:
    """Cars and coaches, and arrival pickups: the ones still to come today seated in a car."""
    zone = event.zone
    now = utcnow()
    # The next quarter hour from now, so today's pickups lie ahead whenever the demo is made.
    soon = (now + timedelta(minutes=45)).replace(second=0, microsecond=0)
    soon -= timedelta(minutes=soon.minute % 15)
    vehicles = []
    for n, (label, plate, driver, capacity, meeting_en, meeting_zh) in enumerate(VEHICLES):
        vehicles.append(Vehicle(
            event_id=event.id, label=label, plate=plate, driver_name=driver,
            driver_phone=f"+86 139 0000 {1000 + n}", capacity=capacity, meeting_point_en=meeting_en,
            meeting_point_zh=meeting_zh,
            departs_at=soon + timedelta(hours=n) if n < 2 else None,
            rate=Decimal(600 if capacity <= 7 else 1800),
        ))
    stations = [Station(event_id=event.id, name_en=en, name_zh=zh, code=code, kind=kind)
                for en, zh, code, kind in STATIONS]
    db.session.add_all(vehicles + stations)
    db.session.flush()
    by_code = {s.code or s.kind: s for s in stations}
    seats = {v.id: 0 for v in vehicles}
    legs = []
    travellers = [r for r in confirmed if r.category.code in ("vip", "speaker") or rng.random() < 0.25]
    for i, registration in enumerate(travellers):
        carrier, name_en, name_zh, code, terminal = rng.choice(FLIGHTS)
        mode, number = "flight", f"{carrier}{rng.randrange(100, 999)}"
        if i % 14 == 3 and registration.category.code != "vip":
            # Some come the day before by high-speed train from Beijing or Hangzhou.
            (name_en, name_zh), code, terminal, number = RAILWAY, "station", "", rng.choice(TRAINS)
            mode = "train"
        # The airline in the guest's own words: those who read Chinese write it in Chinese.
        name = name_zh if registration.language == "zh_Hans" else name_en
        station = by_code[code]
        day = event.starts_on - timedelta(days=1) if i % 2 else event.starts_on
        lands = datetime.combine(day, time(rng.randrange(7, 22), rng.choice((0, 15, 30, 45))), tzinfo=zone)
        arrival = TransportLeg(
            event_id=event.id, registration_id=registration.id, direction="arrival", mode=mode,
            carrier=name, number=number, scheduled_at=lands.astimezone(UTC),
            station=station.name_en, station_id=station.id, terminal=terminal, passengers=1,
            luggage=rng.choice((1, 1, 2)), pickup_wanted=True, created_at=registration.created_at + timedelta(days=1),
        )
        if day == event.starts_on:
            # Landing today, still to come: the airport shuttles leave within the next hours.
            vehicle = vehicles[(i // 2) % 2]
            arrival.scheduled_at = vehicle.departs_at - timedelta(minutes=45)
        else:
            vehicle = rng.choice(vehicles[2:]) if registration.category.code == "vip" else vehicles[4]
        if seats[vehicle.id] < vehicle.capacity and rng.random() < 0.8:
            arrival.state, arrival.vehicle_id = "scheduled", vehicle.id
            seats[vehicle.id] += 1
        departs = datetime.combine(event.ends_on, time(rng.randrange(14, 22)), tzinfo=zone)
        number = f"{carrier}{rng.randrange(100, 999)}" if mode == "flight" else rng.choice(TRAINS)
        departure = TransportLeg(
            event_id=event.id, registration_id=registration.id, direction="departure", mode=mode,
            carrier=name, number=number, scheduled_at=departs.astimezone(UTC),
            station=station.name_en, station_id=station.id, terminal=terminal, pickup_wanted=rng.random() < 0.7,
            created_at=registration.created_at + timedelta(days=1),
        )
        db.session.add_all([arrival, departure])
        legs += [arrival, departure]
    return legs


def needs(rng: random.Random, confirmed: list[Registration]) -> int:
    """Diets and a few allergies, each behind the guest's consent, as the needs form records them."""
    count = 0
    for registration in confirmed:
        if rng.random() > 0.3:
            continue
        db.session.add(NeedsConsent(registration_id=registration.id, notice_version=NOTICE_VERSION,
                                    notice_text="(demo)", given_at=registration.created_at + timedelta(hours=1)))
        diet, detail_en, detail_zh = rng.choice(DIETS)
        detail = detail_zh if registration.language == "zh_Hans" else detail_en
        db.session.add(DietaryNeeds(registration_id=registration.id, diet=diet, diet_detail=detail))
        if rng.random() < 0.3:
            allergen, severity = rng.choice(ALLERGIES)
            db.session.add(Allergy(registration_id=registration.id, allergen=allergen, severity=severity))
        count += 1
    return count


# The organizer's budget (category, label, amount in CNY) and the caterer's per-head rates.
BUDGET = (
    ("lodging", "Rooms for VIPs and speakers", "60000"), ("transport", "Airport cars and coaches", "12000"),
    ("catering", "Meals and coffee breaks", "45000"), ("venue", "Conference centre hire", "80000"),
    ("equipment", "Interpretation booths and screens", "25000"),
)
MEAL_RATES = (("breakfast", "68"), ("lunch", "128"), ("dinner", "188"))


def budget(event: Event) -> None:
    """Budget lines and meal rates, so the cost view has something to set against the actual cost."""
    db.session.add_all([BudgetLine(event_id=event.id, category=category, label=label, amount=Decimal(amount),
                                   currency="CNY") for category, label, amount in BUDGET])
    db.session.add_all([MealRate(event_id=event.id, meal=meal, per_head=Decimal(rate), currency="CNY")
                        for meal, rate in MEAL_RATES])
