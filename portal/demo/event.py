"""The demo event itself: its dates and texts in both languages, its look and practical information.

The event runs from today in its own time zone, so the kiosk's "today" and the
guests' My trip have something to show whenever the demo is made.
"""

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

from portal import look
from portal.database import utcnow
from portal.models import Event

SLUG = "demo"
TIMEZONE = "Asia/Shanghai"
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
    # One line for every reader, so it is written as the venue's bilingual signs are.
    wifi="网络 Network: Summit-Guest · 密码 Password: riverside2027",
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


def event_today(zone) -> date:
    """Today's date where the event is."""
    return datetime.now(UTC).astimezone(zone).date()


def make_event(today: date) -> Event:
    """The demo event, running from `today` (in its own time zone) so the kiosk's "today" has content."""
    year = today.year
    starts = today
    zone = ZoneInfo(TIMEZONE)

    def local(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=zone)

    return Event(
        slug=SLUG,
        name_en=f"Global Leaders Summit {year}",
        name_zh=f"{year}全球领袖峰会",
        starts_on=starts,
        ends_on=starts + timedelta(days=2),
        timezone=TIMEZONE,
        venue_en="Huangpu Riverside International Convention Centre, 88 Binjiang Avenue, Shanghai",
        venue_zh="上海市滨江大道88号 黄浦滨江国际会议中心",
        description_en=(
            "Three days of keynotes, closed-door roundtables and site visits on trade, climate finance "
            "and technology, with ministers, business leaders and researchers from more than thirty "
            "countries and regions."
        ),
        description_zh=(
            "为期三天的主旨演讲、闭门圆桌与实地考察，聚焦贸易、气候金融与科技，"
            "汇聚来自三十多个国家和地区的部长、企业领袖与学者。"
        ),
        privacy_notice_en=(
            "The Summit secretariat uses your details only to organise your attendance: registration, "
            "badges, lodging, transport and catering. Dietary, accessibility and medical details are "
            "seen only by the staff who need them and are deleted after the event."
        ),
        privacy_notice_zh=(
            "峰会秘书处仅为安排您的参会（注册、证件、住宿、交通与餐饮）使用您的信息。"
            "饮食、无障碍与医疗信息仅对需要的工作人员可见，并于会后删除。"
        ),
        status="published",
        public_registration=True,
        # Every registration is reviewed: this is how a demo holds guests awaiting approval.
        approval_required=True,
        registration_opens_at=utcnow() - timedelta(days=75),
        # Still open while it runs: a visitor of the demo can register too.
        registration_closes_at=local(starts + timedelta(days=2), 12),
        changes_close_at=local(starts + timedelta(days=2), 12),
    )


# Where the map names each place: x, y, English, Chinese, colour.
MAP_LABELS = (
    (40, 690, "Huangpu River", "黄浦江", (20, 33, 61)),
    (160, 140, "Convention Centre", "会议中心", (20, 33, 61)),
    (190, 340, "Grand Ballroom", "宴会大厅", (255, 255, 255)),
    (570, 255, "Desk", "服务台", (255, 255, 255)),
    (500, 50, "North entrance", "北门", (20, 33, 61)),
    (900, 225, "Metro exit 6", "地铁6号口", (20, 33, 61)),
)
# Fonts that draw Chinese, where Debian and Ubuntu, Fedora, macOS and Windows keep one.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


def _map_font(size: int):
    """A font for the map's labels, and whether it draws Chinese; Pillow's own (Latin only) when none is found."""
    for path in CJK_FONTS:
        try:
            return ImageFont.truetype(path, size), True
        except OSError:
            continue
    return ImageFont.load_default(size=size), False


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
        draw.rectangle((0, 640, 1200, 800), fill=(164, 196, 222))
        draw.rectangle((120, 120, 760, 560), outline=(20, 33, 61), width=6)
        draw.rectangle((160, 220, 520, 520), fill=(29, 78, 137))
        draw.rectangle((560, 220, 720, 360), fill=(122, 95, 23))
        draw.polygon(((440, 60), (480, 110), (400, 110)), fill=(164, 38, 44))
        draw.rectangle((880, 160, 1120, 360), outline=(20, 33, 61), width=4)
        font, chinese = _map_font(28)
        # One map for every reader: each place in English, and in Chinese under it when a font can draw it.
        for x, y, english, zh, colour in MAP_LABELS:
            draw.text((x, y), english, fill=colour, font=font)
            if chinese:
                draw.text((x, y + 34), zh, fill=colour, font=font)
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
