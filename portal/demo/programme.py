"""The demo's programme: rooms, tracks, speakers and three days of sessions, the
guests' personal agendas, today's announcements and an open survey.
"""

import random
from datetime import UTC, datetime, time, timedelta

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AgendaEntry, Announcement, Choice, Event, Question, Registration, Room, Session, Speaker, Survey, Track, User,
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


def announcements(event: Event, author: User) -> list[Announcement]:
    """Two announcements running now: shuttle times, and a panel that moved."""
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
