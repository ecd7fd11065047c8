"""The event's places: its listed airports and stations, and where each car picks up and drops off.

Guests choose a station from the event's list, or type their own words for "other"; typed
words that are a listed station's name (in either language) or code join that station, so
"PVG" and the listed Shanghai Pudong airport share a car. A car's other end is the guest's
hotel, else the venue.
"""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Event, LodgingRequest, RoomBlock, Station, TransportLeg
from portal.models.lodging import CONFIRMED as STAY_CONFIRMED
from portal.models.transport import STATION_KINDS
from portal.rules import RuleRefused


def stations_of(event: Event) -> list[Station]:
    return db.session.scalars(select(Station).where(Station.event_id == event.id)
                              .order_by(Station.kind, Station.name_en, Station.id)).all()


def save_station(event: Event, station: Station | None, name_en: str, name_zh: str, code: str, kind: str,
                 actor) -> Station:
    """Add or change a listed station; journeys whose typed name or code is this one join it."""
    name_en, name_zh, code = " ".join(name_en.split()), " ".join(name_zh.split()), code.strip().upper()
    if not name_en:
        raise RuleRefused("no-station", "name_en")
    if kind not in STATION_KINDS:
        raise RuleRefused("unknown-station-kind", "kind")
    # One place, one station: no name of it, in either language, may name another listed station.
    # Compared in Python: SQLite's lower() folds ASCII only ("Ü" stays), and an event lists a few stations.
    others = [listed for listed in stations_of(event) if station is None or listed.id != station.id]
    for field, name in (("name_en", name_en), ("name_zh", name_zh)):
        if name and any(name.casefold() in {listed.name_en.casefold(), listed.name_zh.casefold()}
                        for listed in others):
            raise RuleRefused("station-exists", field)
    station = station or Station(event_id=event.id)
    station.name_en, station.name_zh, station.code, station.kind = name_en, name_zh, code, kind
    db.session.add(station)
    db.session.flush()
    typed = _spellings(station)
    for leg in db.session.scalars(select(TransportLeg).where(TransportLeg.event_id == event.id,
                                                             TransportLeg.station_id.is_(None))):
        if leg.station.strip().casefold() in typed:
            leg.station_id = station.id
    audit.record(event, actor, "transport.station", f"station:{station.id}", station.label)
    db.session.commit()
    return station


def remove_station(event: Event, station: Station, actor) -> None:
    """Take a station off the list; journeys that chose it keep its name (in the guest's language) as their words."""
    for leg in db.session.scalars(select(TransportLeg).where(TransportLeg.station_id == station.id)
                                  .options(joinedload(TransportLeg.registration))):
        chinese = leg.registration.language == "zh_Hans" and station.name_zh
        leg.station, leg.station_id = (station.name_zh if chinese else station.name_en), None
    audit.record(event, actor, "transport.station_removed", f"station:{station.id}", station.label)
    db.session.delete(station)
    db.session.commit()


def station_for(event: Event, station_id: int | None, typed: str | None) -> tuple[Station | None, str]:
    """The listed station a journey chose (or whose name or code the guest typed), and the name to keep.

    A listed station's name is kept in English whatever the guest reads, so saving the same journey again
    from a page in the other language is no change; pages show the station itself in the reader's language.
    """
    if station_id is not None:
        station = db.session.scalar(select(Station).where(Station.id == station_id, Station.event_id == event.id))
        if station is None:
            raise RuleRefused("unknown-station", "station_choice")
        return station, station.name_en
    typed = " ".join((typed or "").split())
    if not typed:
        raise RuleRefused("no-station", "station")
    return matching_station(event, typed), typed


def matching_station(event: Event, typed: str) -> Station | None:
    """The listed station whose name (in either language) or code is what the guest typed, letter case aside."""
    wanted = typed.strip().casefold()
    return next((s for s in stations_of(event) if wanted and wanted in _spellings(s)), None)


def _spellings(station: Station) -> set[str]:
    """What a guest may type for a listed station: either name or the code, letter case folded."""
    return {station.name_en.casefold(), station.name_zh.casefold(), station.code.casefold()} - {""}


def hotels_for(legs: list[TransportLeg]) -> dict[int, str]:
    """Registration id -> the hotel of their first confirmed stay (as guest or accepted roommate)."""
    ids = {leg.registration_id for leg in legs}
    if not ids:
        return {}
    stays = db.session.scalars(
        select(LodgingRequest).where(LodgingRequest.state == STAY_CONFIRMED,
                                     (LodgingRequest.registration_id.in_(ids))
                                     | (LodgingRequest.roommate_id.in_(ids)
                                        & LodgingRequest.roommate_confirmed_at.is_not(None)))
        .options(joinedload(LodgingRequest.block).joinedload(RoomBlock.hotel))
        .order_by(LodgingRequest.check_in, LodgingRequest.id)).all()
    found: dict[int, str] = {}
    for stay in stays:
        for guest in (stay.registration_id, stay.roommate_id):
            if guest in ids and guest not in found:
                found[guest] = stay.block.hotel.name
    return found


def places(event: Event, legs: list[TransportLeg]) -> dict[int, tuple[str, str]]:
    """Leg id -> (pick-up, drop-off): the station one way, the guest's hotel (else the venue) the other."""
    hotels = hotels_for(legs)
    venue = event.venue
    result = {}
    for leg in legs:
        station = leg.place
        if leg.terminal:
            station = f"{station} · {leg.terminal}"
        stay = hotels.get(leg.registration_id) or venue or _("The venue")
        result[leg.id] = (station, stay) if leg.direction == "arrival" else (stay, station)
    return result
