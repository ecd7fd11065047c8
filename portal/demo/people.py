"""Invented guests for the demo (and for bench/seed.py's large event).

A person is named in their own script and in Latin letters as a passport writes
it, with a phone number of their country, an e-mail address at a reserved
example.* domain, an organization and a title that fit their category.
"""

import random
import unicodedata
from dataclasses import dataclass

from babel import Locale


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


def pick_country(rng: random.Random) -> str:
    """A country drawn by the weights above: most guests from China, some from everywhere."""
    names = list(COUNTRIES)
    weights = [COUNTRIES[c][1] for c in names]
    return rng.choices(names, weights=weights)[0]


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
    """A mobile number as `country` writes it, after its calling code."""
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
    """given.family@domain in ASCII, numbered when `taken` holds it already; added to `taken`."""
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
    # Business leaders; officials are made by pick_position from their country.
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


def pick_position(rng: random.Random, person: Person, code: str) -> tuple[str, str, str]:
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


def pick_honorific(rng: random.Random, person: Person, code: str, title: str) -> str:
    """How the badge addresses the guest: HE for officials, Prof or Dr for some, else Ms or Mr."""
    if title in OFFICIAL_TITLES:
        return "HE"
    if code == "speaker" and (title.startswith("Professor") or title == "Dean"):
        return "Prof"
    if code in ("speaker", "vip") and rng.random() < 0.3:
        return "Dr"
    if rng.random() < 0.08:
        return ""
    return "Ms" if person.female else "Mr"
