"""The demo event's venue side, for `flask seed-demo` (portal/demo.py).

The event runs from today, so the kiosk's "today" and the guests' My trip have
something to show: a programme with rooms, tracks and speakers; hotels with room
blocks and stays; cars and pickups; diets; announcements; an open survey; the
look and practical information of the event home. Like the guests, it is
written directly, without mail, and every name in it is invented.
"""

import io
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from portal import look
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AgendaEntry, Allergy, Announcement, Choice, DietaryNeeds, Event, Hotel, LodgingRequest, NeedsConsent,
    Question, Registration, Room, RoomBlock, RoomNight, Session, Speaker, Station, Survey, Track, TransportLeg, User,
    Vehicle,
)
from portal.models.registration import CONFIRMED
from portal.needs.services import NOTICE_VERSION

ACCENT = "#1d4e89"

PRACTICAL = dict(
    getting_there_en=(
        "Metro line 2 or 14 to Lujiazui, exit 6, then a five-minute walk along Binjiang Avenue. Guest shuttles "
        "run from both partner hotels every 20 minutes from 07:30 to 10:00 and from 17:00 to 19:30. Taxis and "
        "cars stop at the north entrance; show your badge at the security gate."
    ),
    getting_there_zh=(
        "乘坐地铁2号线或14号线至陆家嘴站6号口，沿滨江大道步行约五分钟。两家合作酒店每日07:30至10:00、"
        "17:00至19:30每20分钟发一班嘉宾接驳车。出租车与专车在北门落客；请在安检口出示证件。"
    ),
    wifi="Summit-Guest · password: riverside2027",
    dress_code_en="Business attire for sessions; lounge suit or national dress at the welcome dinner.",
    dress_code_zh="会议期间请着商务正装；欢迎晚宴请着西服或民族盛装。",
    contacts_en=(
        "Guest services desk (ground floor, north lobby): +86 21 5555 0100, 08:00–20:00\n"
        "Secretariat: secretariat@demo.example.org\n"
        "Medical room: level 1, beside hall B; in an emergency call 120 or ask any staff member."
    ),
    contacts_zh=(
        "嘉宾服务台（一层北大堂）：+86 21 5555 0100，08:00–20:00\n"
        "秘书处：secretariat@demo.example.org\n"
        "医务室：一层B厅旁；如遇紧急情况请拨打120或联系任一工作人员。"
    ),
)

ROOMS = (
    # English, Chinese, floor, capacity
    ("Grand Ballroom", "宴会大厅", "1", 800),
    ("Huangpu Hall", "黄浦厅", "2", 240),
    ("Bund Room", "外滩厅", "2", 120),
    ("Riverside Boardroom", "滨江会议室", "3", 30),
    ("Skyline Terrace", "天际露台", "5", 400),
)
TRACKS = (("Trade", "贸易"), ("Climate finance", "气候金融"), ("Technology", "科技"))
SPEAKERS = (
    # English name, Chinese name, title en/zh, organization en/zh
    ("Chen Weiming", "陈伟明", "Dean, School of Economics", "经济学院院长",
     "Eastlake University", "东湖大学"),
    ("Amina Haddad", "阿米娜·哈达德", "Chief Economist", "首席经济学家", "Riverbank Research", "河岸研究院"),
    ("Lukas Hoffmann", "卢卡斯·霍夫曼", "Director of Research", "研究主任", "Institute for Global Policy",
     "全球政策研究所"),
    ("Sato Yoko", "佐藤阳子", "Head of Sustainable Finance", "可持续金融主管", "Asia Climate Finance Initiative",
     "亚洲气候金融倡议"),
    ("Li Xiaoyan", "李晓燕", "Founder and CEO", "创始人兼首席执行官", "Cedar Analytics", "雪松数据"),
    ("Daniel Okafor", "丹尼尔·奥卡福", "Senior Fellow", "高级研究员", "New Silk Road Forum", "新丝路论坛"),
    ("Kim Seo-yeon", "金瑞妍", "Professor of Computer Science", "计算机科学教授", "Lakeview Business School",
     "湖景商学院"),
    ("Elena Sokolova", "叶莲娜·索科洛娃", "Managing Partner", "管理合伙人", "Meridian Sovereign Fund",
     "子午主权基金"),
)

# Each day's programme: hour, minute, length in minutes, kind, track (index or None), room index,
# English and Chinese titles, speaker indexes, visibility.
DAY_PLAN = (
    (
        (8, 30, 30, "break", None, 0, "Arrival and coffee", "签到与咖啡", (), "public"),
        (9, 0, 60, "keynote", None, 0, "Opening keynote: trade after the storm", "开幕主旨演讲：风暴之后的贸易",
         (0,), "public"),
        (10, 30, 75, "panel", 0, 1, "Supply chains that bend and do not break", "韧性供应链：弯而不折",
         (2, 5), "public"),
        (10, 30, 75, "panel", 1, 2, "Pricing carbon across borders", "跨境碳定价", (3, 1), "public"),
        (12, 0, 90, "meal", None, 4, "Lunch on the terrace", "露台午餐", (), "public"),
        (14, 0, 90, "workshop", 2, 2, "Workshop: AI for customs and trade data", "工作坊：人工智能与海关贸易数据",
         (4, 6), "public"),
        (14, 0, 60, "roundtable", 0, 3, "Ministers' roundtable on market access", "部长圆桌：市场准入",
         (), "invitation"),
        (16, 0, 75, "panel", 1, 1, "Green bonds: from pledge to portfolio", "绿色债券：从承诺到投资组合",
         (7, 3), "public"),
        (19, 0, 150, "meal", None, 0, "Welcome dinner", "欢迎晚宴", (), "categories"),
    ),
    (
        (9, 0, 60, "keynote", None, 0, "Keynote: the next billion digital traders", "主旨演讲：下一个十亿数字贸易商",
         (6,), "public"),
        (10, 30, 75, "panel", 2, 1, "Data flows and trust", "数据流动与信任", (4, 2), "public"),
        (10, 30, 75, "panel", 0, 2, "Ports, corridors and the new maritime map", "港口、走廊与新的海运版图",
         (5, 7), "public"),
        (12, 0, 90, "meal", None, 4, "Lunch on the terrace", "露台午餐", (), "public"),
        (14, 0, 90, "workshop", 1, 2, "Workshop: measuring transition risk", "工作坊：转型风险的度量",
         (1, 3), "public"),
        (16, 0, 60, "panel", None, 1, "Women leading cross-border investment", "引领跨境投资的女性",
         (3, 7, 4), "public"),
    ),
    (
        (9, 0, 60, "keynote", None, 0, "Keynote: finance for a warming world", "主旨演讲：应对变暖世界的金融",
         (1,), "public"),
        (10, 30, 90, "panel", 0, 1, "Closing plenary: a shared agenda for trade", "闭幕全体会议：贸易的共同议程",
         (0, 2, 5), "public"),
        (12, 30, 90, "meal", None, 4, "Farewell lunch", "告别午餐", (), "public"),
    ),
)

HOTELS = (
    ("Riverside Grand Hotel", "滨江大酒店", "100 Binjiang Avenue, Shanghai", "上海市滨江大道100号",
     (("Deluxe King", "豪华大床房", "1280.00", "organizer", 60), ("Executive Suite", "行政套房", "2680.00",
                                                                   "organizer", 12))),
    ("Lujiazui Garden Hotel", "陆家嘴花园酒店", "18 Century Avenue, Shanghai", "上海市世纪大道18号",
     (("Superior Twin", "高级双床房", "860.00", "guest", 80),)),
)
VEHICLES = (
    # label, plate, driver, capacity, meeting point
    ("Airport shuttle A", "沪A·D2391", "Zhang Wei", 40, "Pudong Airport T2, arrivals hall, gate 5"),
    ("Airport shuttle B", "沪A·D2392", "Liu Yang", 40, "Pudong Airport T1, arrivals hall, gate 2"),
    ("VIP car 1 (Hongqi H9)", "沪A·V8801", "Wang Qiang", 3, "Arrivals hall, gate 3"),
    ("VIP car 2 (Hongqi H9)", "沪A·V8802", "Zhao Lei", 3, "Arrivals hall, gate 3"),
    ("Van 1", "沪A·F5120", "Sun Hao", 6, "Arrivals hall, gate 5"),
)
FLIGHTS = (("MU", "China Eastern", "PVG", "T1"), ("CA", "Air China", "PVG", "T2"), ("LH", "Lufthansa", "PVG", "T2"),
           ("EK", "Emirates", "PVG", "T1"), ("SQ", "Singapore Airlines", "PVG", "T2"), ("FM", "Shanghai Airlines",
                                                                                        "SHA", "T2"))
# The coordinator's list of airports and stations: guests choose from it, so one place is one group.
STATIONS = (("Shanghai Pudong International Airport", "PVG", "airport"),
            ("Shanghai Hongqiao International Airport", "SHA", "airport"),
            ("Shanghai Hongqiao Railway Station", "", "station"))
TRAINS = ("G2", "G7", "G11", "G102", "G1372")
DIETS = (("vegetarian", ""), ("halal", ""), ("vegan", ""), ("kosher", ""), ("other", "No pork, no alcohol in sauces"))
ALLERGIES = (("peanuts", "anaphylactic"), ("shellfish", "severe"), ("milk", "mild"), ("wheat_gluten", "severe"))


def event_today(zone) -> date:
    return datetime.now(UTC).astimezone(zone).date()


def _image(kind: str) -> str:
    """The demo's logo, cover or venue map, drawn here and stored as an organizer's upload would be."""
    if kind == "logo":
        picture = Image.new("RGBA", (480, 160), (255, 255, 255, 0))
        draw = ImageDraw.Draw(picture)
        draw.ellipse((8, 8, 152, 152), fill=(29, 78, 137, 255))
        draw.arc((36, 36, 124, 124), 200, 520, fill=(255, 255, 255, 255), width=12)
        draw.rectangle((176, 52, 460, 72), fill=(29, 78, 137, 255))
        draw.rectangle((176, 92, 400, 108), fill=(122, 95, 23, 255))
    elif kind == "cover":
        picture = Image.new("RGB", (1920, 720))
        draw = ImageDraw.Draw(picture)
        for y in range(720):  # dusk over the river: deep blue into gold
            t = y / 719
            draw.line((0, y, 1920, y), fill=(int(29 + 180 * t), int(78 + 80 * t), int(137 - 90 * t)))
        for i, x in enumerate(range(0, 1920, 64)):  # a skyline
            height = 120 + (i * 137) % 260
            draw.rectangle((x, 720 - height, x + 52, 720), fill=(20, 33, 61))
    else:
        picture = Image.new("RGB", (1200, 800), (251, 250, 247))
        draw = ImageDraw.Draw(picture)
        font = ImageFont.load_default(size=28)
        draw.rectangle((0, 640, 1200, 800), fill=(164, 196, 222))
        draw.text((40, 700), "Huangpu River", fill=(20, 33, 61), font=font)
        draw.rectangle((120, 120, 760, 560), outline=(20, 33, 61), width=6)
        draw.text((160, 150), "Convention Centre", fill=(20, 33, 61), font=font)
        draw.rectangle((160, 220, 520, 520), fill=(29, 78, 137))
        draw.text((190, 350), "Grand Ballroom", fill=(255, 255, 255), font=font)
        draw.rectangle((560, 220, 720, 360), fill=(122, 95, 23))
        draw.text((570, 270), "Desk", fill=(255, 255, 255), font=font)
        draw.polygon(((440, 60), (480, 110), (400, 110)), fill=(164, 38, 44))
        draw.text((500, 70), "North entrance", fill=(20, 33, 61), font=font)
        draw.rectangle((880, 160, 1120, 360), outline=(20, 33, 61), width=4)
        draw.text((900, 240), "Metro exit 6", fill=(20, 33, 61), font=font)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return look.store_image(out.getvalue(), kind)


def dress(event: Event) -> None:
    """The event's look and practical information."""
    event.accent_colour = ACCENT
    event.logo_image = _image("logo")
    event.cover_image = _image("cover")
    event.map_image = _image("map")
    for name, value in PRACTICAL.items():
        setattr(event, name, value)


def programme(rng: random.Random, event: Event, confirmed: list[Registration]) -> list[Session]:
    """Rooms, tracks, speakers and three days of sessions; confirmed guests hold some in their agendas."""
    zone = event.zone
    rooms = [Room(event_id=event.id, name_en=en, name_zh=zh, floor=floor, capacity=capacity)
             for en, zh, floor, capacity in ROOMS]
    tracks = [Track(event_id=event.id, name_en=en, name_zh=zh, position=i) for i, (en, zh) in enumerate(TRACKS)]
    speakers = [Speaker(event_id=event.id, name_en=en, name_zh=zh, title_en=te, title_zh=tz, organization_en=oe,
                        organization_zh=oz) for en, zh, te, tz, oe, oz in SPEAKERS]
    db.session.add_all(rooms + tracks + speakers)
    by_category = {c.code: c for c in event.categories}
    vips = [r for r in confirmed if r.category.code == "vip"]
    sessions = []
    for offset, day in enumerate(DAY_PLAN):
        on = event.starts_on + timedelta(days=offset)
        for hour, minute, minutes, kind, track, room, en, zh, speaking, visibility in day:
            starts = datetime.combine(on, time(hour, minute), tzinfo=zone).astimezone(UTC)
            session = Session(
                event_id=event.id, title_en=en, title_zh=zh, kind=kind, visibility=visibility,
                starts_at=starts, ends_at=starts + timedelta(minutes=minutes), room=rooms[room],
                track=tracks[track] if track is not None else None, speakers=[speakers[i] for i in speaking],
                capacity=40 if kind == "workshop" else None,
            )
            if visibility == "categories":
                session.categories = [by_category["vip"], by_category["speaker"]]
            if visibility == "invitation":
                session.invitees = vips[:12]
            sessions.append(session)
    db.session.add_all(sessions)
    db.session.flush()
    choosable = [s for s in sessions if s.visibility == "public" and s.kind in ("keynote", "panel", "workshop")]
    opening, others = choosable[0], choosable[1:]
    taken = {s.id: 0 for s in choosable}
    for registration in confirmed:
        # Everyone holds the opening keynote, today: the kiosk's welcome screen lists it.
        for session in [opening, *rng.sample(others, 3)]:
            if session.capacity is not None and taken[session.id] >= session.capacity:
                continue
            taken[session.id] += 1
            db.session.add(AgendaEntry(registration_id=registration.id, session_id=session.id))
    return sessions


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
    for n, (label, plate, driver, capacity, meeting_point) in enumerate(VEHICLES):
        vehicles.append(Vehicle(
            event_id=event.id, label=label, plate=plate, driver_name=driver,
            driver_phone=f"+86 139 0000 {1000 + n}", capacity=capacity, meeting_point=meeting_point,
            departs_at=soon + timedelta(hours=n) if n < 2 else None,
        ))
    stations = [Station(event_id=event.id, name=name, code=code, kind=kind) for name, code, kind in STATIONS]
    db.session.add_all(vehicles + stations)
    db.session.flush()
    by_code = {s.code or s.kind: s for s in stations}
    seats = {v.id: 0 for v in vehicles}
    legs = []
    travellers = [r for r in confirmed if r.category.code in ("vip", "speaker") or rng.random() < 0.25]
    for i, registration in enumerate(travellers):
        carrier, name, code, terminal = rng.choice(FLIGHTS)
        mode, number = "flight", f"{carrier}{rng.randrange(100, 999)}"
        if i % 14 == 3 and registration.category.code != "vip":
            # Some come the day before by high-speed train from Beijing or Hangzhou.
            mode, name, code, terminal, number = "train", "China Railway", "station", "", rng.choice(TRAINS)
        station = by_code[code]
        day = event.starts_on - timedelta(days=1) if i % 2 else event.starts_on
        lands = datetime.combine(day, time(rng.randrange(7, 22), rng.choice((0, 15, 30, 45))), tzinfo=zone)
        arrival = TransportLeg(
            event_id=event.id, registration_id=registration.id, direction="arrival", mode=mode,
            carrier=name, number=number, scheduled_at=lands.astimezone(UTC),
            station=station.name, station_id=station.id, terminal=terminal, passengers=1,
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
            station=station.name, station_id=station.id, terminal=terminal, pickup_wanted=rng.random() < 0.7,
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
        diet, detail = rng.choice(DIETS)
        db.session.add(DietaryNeeds(registration_id=registration.id, diet=diet, diet_detail=detail))
        if rng.random() < 0.3:
            allergen, severity = rng.choice(ALLERGIES)
            db.session.add(Allergy(registration_id=registration.id, allergen=allergen, severity=severity))
        count += 1
    return count


def announcements(event: Event, author: User) -> list[Announcement]:
    now = utcnow()
    posted = [
        Announcement(event_id=event.id, level="info", created_by_id=author.id, starts_at=now - timedelta(hours=2),
                     text_en="Shuttles run every 20 minutes from both partner hotels until 10:00.",
                     text_zh="两家合作酒店的接驳车每20分钟一班，运行至10:00。"),
        Announcement(event_id=event.id, level="important", created_by_id=author.id,
                     starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(days=1),
                     text_en="The panel on carbon pricing moves to the Bund Room, level 2.",
                     text_zh="跨境碳定价分论坛改至二层外滩厅举行。"),
    ]
    db.session.add_all(posted)
    return posted


def survey(event: Event) -> Survey:
    """An open survey for confirmed guests, with a rating, a choice and a comment."""
    opened = utcnow() - timedelta(hours=1)
    asked = Survey(
        event_id=event.id, title_en="How is the Summit going?", title_zh="您对峰会的感受如何？",
        intro_en="Three questions, one minute. Your answers help us improve tomorrow.",
        intro_zh="三个问题，只需一分钟。您的回答将帮助我们改进明天的安排。",
        audience="confirmed", opened_at=opened,
    )
    asked.questions = [
        Question(kind="rating_1_5", service_area="venue", position=0, required=True,
                 text_en="How do you rate the venue?", text_zh="您如何评价会场？"),
        Question(kind="single_choice", position=1, text_en="Which track interests you most?",
                 text_zh="您最感兴趣的是哪个分论坛？",
                 choices=[Choice(label_en=en, label_zh=zh, position=i) for i, (en, zh) in enumerate(TRACKS)]),
        Question(kind="long_text", position=2, text_en="Anything we should do better?",
                 text_zh="有什么需要我们改进的地方吗？"),
    ]
    db.session.add(asked)
    return asked


def seed(rng: random.Random, event: Event, organizer: User) -> dict[str, int]:
    """Everything above for the demo event; the caller commits."""
    confirmed = [r for r in event_registrations(event) if r.state == CONFIRMED]
    dress(event)
    sessions = programme(rng, event, confirmed)
    stays = lodging(rng, event, confirmed)
    legs = transport(rng, event, confirmed)
    diets = needs(rng, confirmed)
    announcements(event, organizer)
    survey(event)
    return {"sessions": len(sessions), "stays": len(stays), "journeys": len(legs), "diets": diets}


def event_registrations(event: Event) -> list[Registration]:
    return db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)).all()
