"""`flask seed-demo`: a bilingual demo event with guests in every state, and its staff.

Every name, organization and address is invented; e-mail addresses use the
reserved example.* domains, so nothing the demo does can reach a real inbox.
The guests are written directly, in one transaction and without any mail: the
demo shows a registration desk part-way through, not two hundred fresh sign-ups.
"""

import random
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
from babel import Locale
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portal import demo_venue
from portal.auth.tokens import new_token, token_hash
from portal.checkin import devices
from portal.database import utcnow
from portal.extensions import db
from portal.guests import tickets
from portal.models import (
    Category, Event, Invitation, Registration, RegistrationChange, StaffRole, TransportLeg, User,
)
from portal.models.registration import CANCELLED, CONFIRMED, DECLINED, PENDING, WAITLISTED

SLUG = "demo"
SEED = 2027
TIMEZONE = "Asia/Shanghai"

# who, e-mail, display name. Each install draws its own passwords and prints them once
# (a demo left on a reachable server must not open with a password the whole world
# read here); a real deployment makes its staff with `flask create-staff`.
STAFF = (
    ("admin", "admin@demo.example.org", "Demo Administrator"),
    ("organizer", "organizer@demo.example.org", "Chen Jing 陈静"),
    ("coordinator", "coordinator@demo.example.org", "Lukas Becker"),
    ("helpdesk", "helpdesk@demo.example.org", "Sun Li 孙丽"),
)
# The roles each demo account holds; the demo's one coordinator runs rooms, cars and the kitchen.
DEMO_ROLES = {"organizer": ("organizer",), "coordinator": ("lodging", "transport", "catering"),
              "helpdesk": ("helpdesk",)}

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

DECLINE_REASONS = (
    "The delegate quota for your organization is already filled.",
    "Press accreditation needs a letter from your editor; please write to the press office.",
    "Places at this edition are reserved for member organizations.",
)
CANCEL_REASONS = ("", "", "Schedule conflict", "Travel not approved", "Visa not issued in time")


@dataclass(frozen=True)
class Person:
    name_original: str
    name_latin: str
    surname: str
    female: bool
    country: str
    language: str


# --- Names ------------------------------------------------------------------
# Each list holds (original script, Latin) pairs; the Latin is as a passport writes it.

CHINESE_SURNAMES = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"),
    ("罗", "Luo"), ("高", "Gao"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
    ("欧阳", "Ouyang"), ("司马", "Sima"),
)
CHINESE_GIVEN_MALE = (
    ("伟", "Wei"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"),
    ("志明", "Zhiming"), ("建华", "Jianhua"), ("国栋", "Guodong"), ("海涛", "Haitao"), ("晓东", "Xiaodong"),
    ("浩然", "Haoran"), ("子轩", "Zixuan"), ("宇航", "Yuhang"), ("文博", "Wenbo"), ("俊杰", "Junjie"),
)
CHINESE_GIVEN_FEMALE = (
    ("芳", "Fang"), ("静", "Jing"), ("丽", "Li"), ("敏", "Min"), ("燕", "Yan"), ("婷", "Ting"),
    ("晓燕", "Xiaoyan"), ("雅琴", "Yaqin"), ("欣怡", "Xinyi"), ("梓涵", "Zihan"), ("慧敏", "Huimin"),
    ("思雨", "Siyu"), ("佳怡", "Jiayi"), ("美玲", "Meiling"), ("雪梅", "Xuemei"), ("若曦", "Ruoxi"),
)
JAPANESE_SURNAMES = (
    ("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"), ("渡辺", "Watanabe"),
    ("伊藤", "Ito"), ("山本", "Yamamoto"), ("中村", "Nakamura"), ("小林", "Kobayashi"), ("加藤", "Kato"),
)
JAPANESE_GIVEN_MALE = (("健", "Ken"), ("翔太", "Shota"), ("大輔", "Daisuke"), ("拓也", "Takuya"), ("誠", "Makoto"))
JAPANESE_GIVEN_FEMALE = (("陽子", "Yoko"), ("美咲", "Misaki"), ("遥", "Haruka"), ("恵", "Megumi"), ("由美", "Yumi"))
KOREAN_SURNAMES = (("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"), ("강", "Kang"), ("윤", "Yoon"))
KOREAN_GIVEN_MALE = (("민준", "Min-jun"), ("서준", "Seo-jun"), ("도윤", "Do-yun"), ("지훈", "Ji-hoon"), ("현우", "Hyun-woo"))
KOREAN_GIVEN_FEMALE = (("서연", "Seo-yeon"), ("지우", "Ji-woo"), ("수아", "Su-ah"), ("하은", "Ha-eun"), ("민지", "Min-ji"))
ARABIC_GIVEN_MALE = (
    ("محمد", "Mohammed"), ("أحمد", "Ahmed"), ("خالد", "Khaled"), ("عمر", "Omar"), ("يوسف", "Youssef"),
    ("طارق", "Tariq"), ("سالم", "Salem"),
)
ARABIC_GIVEN_FEMALE = (("فاطمة", "Fatima"), ("ليلى", "Layla"), ("نور", "Nour"), ("مريم", "Mariam"), ("هدى", "Huda"))
ARABIC_SURNAMES = (
    ("الحربي", "Al-Harbi"), ("المنصوري", "Al-Mansouri"), ("حداد", "Haddad"), ("الزعبي", "Al-Zoubi"),
    ("الكعبي", "Al-Kaabi"), ("عبد الله", "Abdullah"), ("النعيمي", "Al-Nuaimi"), ("فرج", "Farag"),
)
# Russian family names change with gender: (male, female) in Cyrillic and in Latin.
RUSSIAN_SURNAMES = (
    ("Иванов", "Иванова", "Ivanov", "Ivanova"), ("Смирнов", "Смирнова", "Smirnov", "Smirnova"),
    ("Кузнецов", "Кузнецова", "Kuznetsov", "Kuznetsova"), ("Соколов", "Соколова", "Sokolov", "Sokolova"),
    ("Волков", "Волкова", "Volkov", "Volkova"), ("Морозов", "Морозова", "Morozov", "Morozova"),
)
RUSSIAN_GIVEN_MALE = (("Алексей", "Aleksei"), ("Дмитрий", "Dmitry"), ("Сергей", "Sergei"), ("Михаил", "Mikhail"))
RUSSIAN_GIVEN_FEMALE = (("Анна", "Anna"), ("Елена", "Elena"), ("Ольга", "Olga"), ("Мария", "Maria"), ("Наталья", "Natalia"))
HINDI_GIVEN_MALE = (("राहुल", "Rahul"), ("अर्जुन", "Arjun"), ("विक्रम", "Vikram"), ("आदित्य", "Aditya"))
HINDI_GIVEN_FEMALE = (("प्रिया", "Priya"), ("अनन्या", "Ananya"), ("नेहा", "Neha"), ("कविता", "Kavita"))
HINDI_SURNAMES = (("शर्मा", "Sharma"), ("पटेल", "Patel"), ("गुप्ता", "Gupta"), ("मेहता", "Mehta"), ("राव", "Rao"))
THAI_GIVEN_MALE = (("สมชาย", "Somchai"), ("ธนากร", "Thanakorn"))
THAI_GIVEN_FEMALE = (("สุดารัตน์", "Sudarat"), ("พิมพ์ชนก", "Phimchanok"))
THAI_SURNAMES = (("ศรีสุข", "Srisuk"), ("วงศ์ไทย", "Wongthai"), ("จันทร์เพ็ญ", "Chanphen"))

# Latin-script countries: given names (male, female) and family names.
LATIN_NAMES = {
    "US": (("James", "Michael", "David", "Daniel", "Robert"), ("Emily", "Sarah", "Jessica", "Laura", "Olivia"),
           ("Johnson", "Williams", "Brown", "Miller", "Davis", "Anderson", "Thompson", "Rivera")),
    "GB": (("Oliver", "Harry", "Thomas", "William"), ("Charlotte", "Amelia", "Sophie", "Eleanor"),
           ("Smith", "Taylor", "Wright", "Evans", "Hughes", "O'Brien", "Clarke")),
    "DE": (("Lukas", "Jonas", "Maximilian", "Felix"), ("Anna", "Lena", "Katharina", "Sophie"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner")),
    "FR": (("Louis", "Antoine", "Julien", "Mathieu"), ("Camille", "Élodie", "Chloé", "Manon"),
           ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard")),
    "ES": (("José", "Javier", "Álvaro", "Pablo"), ("Lucía", "María", "Carmen", "Inés"),
           ("García", "Fernández", "López", "Martínez", "Sánchez")),
    "IT": (("Marco", "Luca", "Giovanni", "Alessandro"), ("Giulia", "Francesca", "Chiara", "Elena"),
           ("Rossi", "Russo", "Ferrari", "Esposito", "Romano", "Colombo")),
    "BR": (("João", "Gabriel", "Rafael"), ("Ana", "Beatriz", "Juliana"), ("Silva", "Santos", "Oliveira", "Souza")),
    "SE": (("Erik", "Anders", "Johan"), ("Ingrid", "Astrid", "Karin"), ("Andersson", "Johansson", "Lindqvist")),
    "NL": (("Daan", "Pieter", "Sem"), ("Sanne", "Eva", "Lotte"), ("de Vries", "van Dijk", "Bakker", "Visser")),
    "PL": (("Piotr", "Tomasz", "Krzysztof"), ("Agnieszka", "Katarzyna", "Magdalena"), ("Nowak", "Wójcik", "Kowalczyk")),
    "TR": (("Mehmet", "Emre", "Can"), ("Elif", "Zeynep", "Ayşe"), ("Yılmaz", "Kaya", "Demir", "Şahin")),
    "NG": (("Chinedu", "Oluwaseun", "Emeka"), ("Ngozi", "Adaeze", "Folake"), ("Okafor", "Adeyemi", "Nwosu", "Balogun")),
    "KE": (("Brian", "Kevin", "Samuel"), ("Wanjiru", "Akinyi", "Faith"), ("Otieno", "Kamau", "Mwangi", "Wanjala")),
    "ZA": (("Thabo", "Sipho", "Pieter"), ("Naledi", "Lerato", "Annelise"), ("Nkosi", "Dlamini", "van der Merwe")),
    "AU": (("Jack", "Liam", "Noah"), ("Isla", "Mia", "Grace"), ("Walker", "Harris", "Kelly", "Murphy")),
    "CA": (("Ethan", "Nathan", "Mathis"), ("Émilie", "Chloe", "Ava"), ("Tremblay", "Gagnon", "Roy", "MacDonald")),
    "SG": (("Wei Jie", "Darren", "Marcus"), ("Hui Min", "Rachel", "Shu Fen"), ("Tan", "Lim", "Ng", "Ong")),
    "VN": (("Minh", "Quang", "Duc"), ("Linh", "Thu", "Hoa"), ("Nguyen", "Tran", "Le", "Pham")),
    "ID": (("Budi", "Agus", "Rizky"), ("Siti", "Dewi", "Putri"), ("Santoso", "Wijaya", "Halim")),
    "MX": (("Alejandro", "Diego", "Andrés"), ("Valentina", "Sofía", "Daniela"), ("Hernández", "González", "Ramírez")),
}

# country: (script, weight, phone prefix, mobile pattern)
COUNTRIES = {
    "CN": ("zh", 70, "+86", "13{1} {4} {4}|15{1} {4} {4}|18{1} {4} {4}|199 {4} {4}"),
    "HK": ("zh", 5, "+852", "{4} {4}"),
    "TW": ("zh", 4, "+886", "9{2} {3} {3}"),
    "JP": ("ja", 10, "+81", "90 {4} {4}"),
    "KR": ("ko", 9, "+82", "10 {4} {4}"),
    "AE": ("ar", 5, "+971", "50 {3} {4}"),
    "SA": ("ar", 4, "+966", "55 {3} {4}"),
    "EG": ("ar", 3, "+20", "10 {4} {4}"),
    "RU": ("ru", 5, "+7", "9{2} {3}-{2}-{2}"),
    "KZ": ("ru", 2, "+7", "70{1} {3} {4}"),
    "IN": ("hi", 5, "+91", "9{4} {5}"),
    "TH": ("th", 3, "+66", "8{1} {3} {4}"),
    "US": ("latin", 12, "+1", "415 555 01{2}"),
    "GB": ("latin", 7, "+44", "7700 900{3}"),
    "DE": ("latin", 7, "+49", "151 {4} {4}"),
    "FR": ("latin", 6, "+33", "6 {2} {2} {2} {2}"),
    "ES": ("latin", 3, "+34", "6{2} {3} {3}"),
    "IT": ("latin", 3, "+39", "3{2} {3} {4}"),
    "BR": ("latin", 3, "+55", "11 9{4}-{4}"),
    "SE": ("latin", 2, "+46", "70 {3} {2} {2}"),
    "NL": ("latin", 2, "+31", "6 {4} {4}"),
    "PL": ("latin", 2, "+48", "5{2} {3} {3}"),
    "TR": ("latin", 2, "+90", "5{2} {3} {2} {2}"),
    "NG": ("latin", 3, "+234", "80{1} {3} {4}"),
    "KE": ("latin", 2, "+254", "7{2} {3} {3}"),
    "ZA": ("latin", 2, "+27", "8{1} {3} {4}"),
    "AU": ("latin", 3, "+61", "4{2} {3} {3}"),
    "CA": ("latin", 3, "+1", "604 555 01{2}"),
    "SG": ("latin", 4, "+65", "9{3} {4}"),
    "VN": ("latin", 2, "+84", "9{1} {3} {2} {2}"),
    "ID": ("latin", 2, "+62", "81{1} {4} {4}"),
    "MX": ("latin", 2, "+52", "55 {4} {4}"),
}


def _pick(rng: random.Random, pairs):
    return pairs[rng.randrange(len(pairs))]


def make_person(rng: random.Random, country: str) -> Person:
    """A plausible guest from `country`, named in their script and in Latin letters."""
    script = COUNTRIES[country][0]
    female = rng.random() < 0.45
    language = "zh_Hans" if script == "zh" else "en"
    if script == "zh":
        family, given = _pick(rng, CHINESE_SURNAMES), _pick(rng, CHINESE_GIVEN_FEMALE if female else CHINESE_GIVEN_MALE)
        return Person(family[0] + given[0], f"{family[1]} {given[1]}", family[1], female, country, language)
    if script == "ja":
        family, given = _pick(rng, JAPANESE_SURNAMES), _pick(rng, JAPANESE_GIVEN_FEMALE if female else JAPANESE_GIVEN_MALE)
        return Person(f"{family[0]} {given[0]}", f"{given[1]} {family[1]}", family[1], female, country, language)
    if script == "ko":
        family, given = _pick(rng, KOREAN_SURNAMES), _pick(rng, KOREAN_GIVEN_FEMALE if female else KOREAN_GIVEN_MALE)
        return Person(family[0] + given[0], f"{family[1]} {given[1]}", family[1], female, country, language)
    if script == "ru":
        family = _pick(rng, RUSSIAN_SURNAMES)
        given = _pick(rng, RUSSIAN_GIVEN_FEMALE if female else RUSSIAN_GIVEN_MALE)
        cyrillic, latin = (family[1], family[3]) if female else (family[0], family[2])
        return Person(f"{given[0]} {cyrillic}", f"{given[1]} {latin}", latin, female, country, language)
    lists = {
        "ar": (ARABIC_GIVEN_MALE, ARABIC_GIVEN_FEMALE, ARABIC_SURNAMES),
        "hi": (HINDI_GIVEN_MALE, HINDI_GIVEN_FEMALE, HINDI_SURNAMES),
        "th": (THAI_GIVEN_MALE, THAI_GIVEN_FEMALE, THAI_SURNAMES),
    }
    if script in lists:
        males, females, families = lists[script]
        given, family = _pick(rng, females if female else males), _pick(rng, families)
        return Person(f"{given[0]} {family[0]}", f"{given[1]} {family[1]}", family[1], female, country, language)
    males, females, families = LATIN_NAMES[country]
    given, family = _pick(rng, females if female else males), _pick(rng, families)
    name = f"{given} {family}"
    return Person(name, name, family, female, country, language)


def make_phone(rng: random.Random, country: str) -> str:
    _, _, prefix, patterns = COUNTRIES[country]
    number = rng.choice(patterns.split("|"))
    while "{" in number:
        start = number.index("{")
        end = number.index("}", start)
        digits = "".join(str(rng.randrange(10)) for _ in range(int(number[start + 1:end])))
        number = number[:start] + digits + number[end + 1:]
    return f"{prefix} {number}"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("ł", "l"))
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -'")).lower()


def make_email(person: Person, domain: str, taken: set[str]) -> str:
    given = _ascii(person.name_latin).replace(_ascii(person.surname), "").strip()
    local = ".".join(part for part in (given, _ascii(person.surname)) if part)
    local = local.replace(" ", "").replace("'", "").replace("-", "")
    address, n = f"{local}@{domain}", 1
    while address in taken:
        n += 1
        address = f"{local}{n}@{domain}"
    taken.add(address)
    return address


# --- Organizations and titles -------------------------------------------------------
# (name, e-mail domain) per category; all invented, the domains all reserved ones.

ORGANIZATIONS = {
    # Business leaders; officials are made by _vip_position from their country.
    "vip": (
        ("Huaxin Capital Group", "huaxin-capital.example.com"),
        ("Meridian Sovereign Fund", "meridian-fund.example.com"),
        ("Pacific Shipping Holdings", "pacship.example.com"),
        ("Orion Energy", "orion-energy.example.com"),
        ("Nordlys Industries", "nordlys.example.com"),
        ("Tianfu Automotive", "tianfu-auto.example.com"),
    ),
    "speaker": (
        ("Eastlake University, School of Economics", "eastlake-university.example.org"),
        ("Institute for Global Policy", "igp.example.org"),
        ("Asia Climate Finance Initiative", "acfi.example.org"),
        ("Lakeview Business School", "lakeview-school.example.org"),
        ("Riverbank Research", "riverbank.example.com"),
        ("New Silk Road Forum", "nsrf.example.org"),
        ("Cedar Analytics", "cedar-analytics.example.com"),
    ),
    "delegate": (
        ("Jinhai Pharmaceuticals", "jinhai-pharma.example.com"),
        ("Bluewater Logistics", "bluewater.example.com"),
        ("Yangtze Smart Manufacturing", "ysm.example.com"),
        ("Helios Solar", "helios-solar.example.com"),
        ("Kestrel Partners", "kestrel.example.com"),
        ("Sakura Trading", "sakura-trading.example.com"),
        ("Hanbit Electronics", "hanbit.example.com"),
        ("Gulf Horizon Investments", "gulf-horizon.example.com"),
        ("Volga Rail Systems", "volgarail.example.com"),
        ("Anden Consulting", "anden.example.com"),
        ("Northbridge Bank", "northbridge.example.com"),
        ("Lotus Hospitality Group", "lotus-hospitality.example.com"),
        ("Greenfield AgriTech", "greenfield.example.com"),
        ("Delta Medical Devices", "delta-medical.example.com"),
        ("Silverline Telecom", "silverline.example.net"),
        ("Chamber of Commerce of the Pearl River Delta", "prd-chamber.example.org"),
    ),
    "press": (
        ("Global Business Review", "gbr-news.example.com"),
        ("Asia Markets Daily", "asiamarkets.example.com"),
        ("China Finance Weekly", "cfweekly.example.com"),
        ("Continental Broadcasting", "continental-news.example.net"),
        ("The Harbour Post", "harbourpost.example.com"),
        ("Pan-Arab Economic Monitor", "paem.example.com"),
    ),
}
TITLES = {
    "vip": ("Chair of the Board", "Chief Executive Officer", "President", "Managing Partner", "Vice Chair"),
    "speaker": ("Professor of Economics", "Chief Economist", "Director of Research", "Senior Fellow",
                "Dean", "Head of Sustainable Finance", "Founder and CEO"),
    "delegate": ("Head of Strategy", "Senior Manager, International Business", "Director of Operations",
                 "Vice President, Partnerships", "Investment Analyst", "General Counsel", "Procurement Lead",
                 "Head of Government Affairs", "Project Manager", "Chief Financial Officer"),
    "press": ("Correspondent", "Bureau Chief", "Senior Editor", "Photographer", "Broadcast Producer",
              "Economics Reporter"),
}


OFFICIAL_TITLES = ("Minister", "Vice Minister", "Ambassador", "Consul General")


def _position(rng: random.Random, person: Person, code: str) -> tuple[str, str, str]:
    """Organization, its e-mail domain and the guest's title; a third of VIPs are officials."""
    if code == "vip" and rng.random() < 0.35 and person.country not in ("HK", "TW"):
        if person.country == "CN":
            return ("Shanghai Municipal Commission of Commerce", "sh-commerce.example.org",
                    rng.choice(("Director-General", "Deputy Director-General")))
        country = Locale("en").territories[person.country]
        slug = _ascii(country).replace(" ", "-")
        if country.startswith(("United", "Netherlands")):
            country = f"the {country}"
        title = rng.choice(OFFICIAL_TITLES)
        if title in ("Minister", "Vice Minister"):
            return f"Ministry of Trade, {country}", f"trade-{slug}.example.org", title
        if title == "Ambassador":
            return f"Embassy of {country} in China", f"embassy-{slug}.example.org", title
        return f"Consulate General of {country} in Shanghai", f"consulate-{slug}.example.org", title
    organization, domain = rng.choice(ORGANIZATIONS[code])
    return organization, domain, rng.choice(TITLES[code])


def _honorific(rng: random.Random, person: Person, code: str, title: str) -> str:
    if title in OFFICIAL_TITLES:
        return "HE"
    if code == "speaker" and (title.startswith("Professor") or title == "Dean"):
        return "Prof"
    if code in ("speaker", "vip") and rng.random() < 0.3:
        return "Dr"
    if rng.random() < 0.08:
        return ""
    return "Ms" if person.female else "Mr"


# --- The event ---------------------------------------------------------------


def _demo_event(today: date) -> Event:
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


def _weighted_state(rng: random.Random, weights) -> str:
    return rng.choices(STATE_ORDER, weights=weights)[0]


def _country(rng: random.Random) -> str:
    names = list(COUNTRIES)
    weights = [COUNTRIES[c][1] for c in names]
    return rng.choices(names, weights=weights)[0]


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
        reason = rng.choice(DECLINE_REASONS)
        registration.decision_reason = reason
        steps.append((DECLINED, organizer, reason))
    elif state == CANCELLED:
        if rng.random() < 0.6:
            steps.append((CONFIRMED, organizer, ""))
        steps.append((CANCELLED, guest, rng.choice(CANCEL_REASONS)))

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


def _staff(event: Event) -> dict[str, User]:
    accounts = {}
    for role, email, name in STAFF:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, display_name=name, language="en")
            db.session.add(user)
        if role == "admin":
            user.is_admin = True
        else:
            user.roles.extend(StaffRole(event_id=event.id, role=held) for held in DEMO_ROLES[role])
        accounts[role] = user
    return accounts


def seed(rng: random.Random) -> dict[str, int]:
    """Write the demo event, its staff, guests and open invitations in one transaction."""
    now = utcnow()
    event = _demo_event(demo_venue.event_today(ZoneInfo(TIMEZONE)))
    event.categories = Category.defaults()
    db.session.add(event)
    db.session.flush()  # the event's id, for the staff roles
    staff = _staff(event)
    organizer = staff["organizer"]
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
            person = make_person(rng, _country(rng))
            organization, domain, title = _position(rng, person, code)
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
                honorific=_honorific(rng, person, code, title), organization=organization, job_title=title,
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
        person = make_person(rng, _country(rng))
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
    db.session.flush()
    counts.update(demo_venue.seed(rng, event, organizer))
    db.session.commit()
    return counts


def draw_passwords() -> dict[str, str]:
    """A fresh random password for each demo staff account, set now (not committed); role → password."""
    passwords = {}
    for role, email, _name in STAFF:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            passwords[role] = secrets.token_urlsafe(12)
            user.set_password(passwords[role])
    return passwords


def _print_sign_in(passwords: dict[str, str]) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo(f"\nSign in at {base}/login with the password field (under “Staff”):")
    for role, email, _name in STAFF:
        click.echo(f"  {role:<12} {email:<30} password: {passwords[role]}")
    click.echo("These passwords are shown this once; `flask seed-demo --new-passwords` sets new ones.")


def _print_kiosk_walkthrough(event: Event, base: str) -> None:
    """A kiosk for the lobby, and how to pair a browser as it."""
    organizer = db.session.scalar(select(User).where(User.email == STAFF[1][1]))
    device, code = devices.create_device(event, "Lobby kiosk", "North lobby, beside the guest services desk",
                                         organizer)
    click.echo(f"\nTry the kiosk: open {base}/kiosk/pair in another browser and type the pairing code "
               f"{devices.format_pairing_code(code)} (valid {devices.PAIRING_MINUTES} minutes; the organizer "
               f"gets a new one under Kiosks).")
    guest = db.session.scalar(
        select(Registration).join(TransportLeg, TransportLeg.registration_id == Registration.id)
        .where(Registration.event_id == event.id, Registration.state == CONFIRMED,
               TransportLeg.vehicle_id.is_not(None), TransportLeg.scheduled_at > utcnow())
        .order_by(TransportLeg.scheduled_at, Registration.id).limit(1))
    if guest is not None:
        click.echo(f"Then check a guest in: under “No QR code?” type {guest.name_latin}'s confirmation code "
                   f"{guest.confirmation_code}; the welcome screen shows their hotel, shuttle and sessions.")


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Add the demo even though the database holds other events.")
@click.option("--new-passwords", is_flag=True, help="Give the demo's staff new passwords, and print them.")
@with_appcontext
def seed_demo(force: bool, new_passwords: bool) -> None:
    """Create the bilingual demo event with its guests and staff (safe to run twice)."""
    existing = db.session.scalar(select(Event).where(Event.slug == SLUG))
    if existing is not None:
        guests = db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.event_id == existing.id)
        )
        click.echo(f"The demo event “{existing.name_en}” is already there ({guests} guests); nothing changed.")
        if new_passwords:
            passwords = draw_passwords()
            db.session.commit()
            _print_sign_in(passwords)
        else:
            click.echo("Its staff passwords were shown when it was made; `flask seed-demo --new-passwords` "
                       "sets new ones.")
        return
    others = db.session.scalars(select(Event.slug).where(Event.slug != SLUG).order_by(Event.slug)).all()
    if others and not force:
        raise click.ClickException(
            f"This database holds real events ({', '.join(others[:5])}); the demo, its guests and its staff "
            "accounts would be written beside them. Use --force if that is what you want.")
    counts = seed(random.Random(SEED))
    passwords = draw_passwords()
    db.session.commit()
    event = db.session.scalar(select(Event).where(Event.slug == SLUG))
    base = current_app.config["BASE_URL"].rstrip("/")
    guests = {state: counts[state] for state in STATE_ORDER}
    summary = ", ".join(f"{n} {state}" for state, n in guests.items())
    click.echo(f"Created the demo event “{event.name_en} / {event.name_zh}” at {base}/e/{SLUG}/")
    click.echo(f"  {sum(guests.values())} guests: {summary}; capacity {event.capacity} (full), "
               f"{OPEN_INVITATIONS} open invitations.")
    click.echo(f"  {counts['sessions']} sessions, {counts['stays']} hotel stays, {counts['journeys']} journeys, "
               f"{counts['diets']} special diets, an open survey; running {event.starts_on} to {event.ends_on}.")
    _print_sign_in(passwords)
    _print_kiosk_walkthrough(event, base)
