"""The guest's own data: everything stored about them as JSON, and erasing their account.

Each feature that stores something about a guest registers it here, so the
download and the erasure grow with the app instead of being rewritten:

    @privacy.data_provider("lodging")
    def lodging_data(user, registrations):      # -> anything json.dumps can write
        ...

    @privacy.erasure_step
    def erase_lodging(user, registrations):     # runs inside the erasure's transaction
        ...

Providers and steps receive the user and all of that user's registrations (every
event), because "everything about me" is not limited to one event.
"""

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import Registration, User

DataProvider = Callable[[User, list[Registration]], object]
ErasureStep = Callable[[User, list[Registration]], None]

# What an erasure step writes where a name or a message was.
ERASED_NAME = "[erased]"

_providers: dict[str, DataProvider] = {}
_erasure_steps: list[ErasureStep] = []


def data_provider(name: str):
    """Register `name`'s part of the guest's data download. Use as a decorator at import time."""

    def register(provider: DataProvider) -> DataProvider:
        _providers[name] = provider
        return provider

    return register


def erasure_step(step: ErasureStep) -> ErasureStep:
    """Register a step of account erasure; steps run in registration order, in one transaction."""
    if step not in _erasure_steps:
        _erasure_steps.append(step)
    return step


def registrations_of(user: User) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.user_id == user.id).order_by(Registration.id)))


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def export_user_data(user: User) -> dict:
    """Everything the registered providers hold about `user`."""
    registrations = registrations_of(user)
    data = {"exported_at": utcnow()}
    for name, provider in _providers.items():
        data[name] = provider(user, registrations)
    return data


def user_data_json(user: User) -> bytes:
    return json.dumps(export_user_data(user), default=_json_default, ensure_ascii=False, indent=2).encode("utf-8")


def columns_of(row) -> dict:
    """A row's own columns as a dict: the providers for plain tables need no field list to keep up."""
    return {column.key: getattr(row, column.key) for column in row.__mapper__.column_attrs}


def run_erasure_steps(user: User, registrations: list[Registration]) -> None:
    """Every registered erasure step, in registration order (privacy.erasure.erase_account runs them)."""
    for step in _erasure_steps:
        step(user, registrations)


from portal.privacy import providers  # noqa: E402,F401  (the built-in providers)
