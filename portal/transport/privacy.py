"""Transport's part of the guest's data download and of account erasure.

The download holds the guest's own journeys and, for a journey seated in a car,
the car as the guest was told of it (label, meeting point, when it leaves): the
driver's phone and the other passengers are not the guest's data. Erasure
deletes the journeys; a car's seats are counted from its journeys, so the seat
comes free with the row.
"""

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from portal import audit, privacy
from portal.extensions import db
from portal.models import TransportLeg


@privacy.data_provider("transport")
def transport_data(user, registrations):
    ids = [r.id for r in registrations]
    if not ids:
        return []
    slugs = {r.id: r.event.slug for r in registrations}
    legs = db.session.scalars(select(TransportLeg).where(TransportLeg.registration_id.in_(ids))
                              .options(joinedload(TransportLeg.vehicle)).order_by(TransportLeg.id)).all()
    result = []
    for leg in legs:
        values = {**privacy.columns_of(leg), "event": slugs[leg.registration_id]}
        values["vehicle"] = {"label": leg.vehicle.label, "meeting_point_en": leg.vehicle.meeting_point_en,
                             "meeting_point_zh": leg.vehicle.meeting_point_zh,
                             "departs_at": leg.vehicle.departs_at} if leg.vehicle else None
        result.append(values)
    return result


@privacy.erasure_step
def erase_transport(user, registrations):
    ids = [r.id for r in registrations]
    if not ids:
        return
    events = {r.id: r.event for r in registrations}
    legs = db.session.execute(select(TransportLeg.id, TransportLeg.registration_id, TransportLeg.direction,
                                     TransportLeg.state).where(TransportLeg.registration_id.in_(ids))
                              .order_by(TransportLeg.id)).all()
    for leg_id, registration_id, direction, state in legs:
        audit.record(events[registration_id], user, "transport.erased", f"transport_leg:{leg_id}",
                     f"{direction} {state}")
    if legs:
        db.session.execute(delete(TransportLeg).where(TransportLeg.id.in_([leg.id for leg in legs])))
