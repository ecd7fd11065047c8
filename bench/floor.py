"""The write floor: the least a request that records something can cost on this stack.

Flask, Flask-SQLAlchemy with Concierge's own engine settings (on SQLite: WAL,
the writers' queue, BEGIN IMMEDIATE), one INSERT and its commit, a 303. No
session, CSRF, sign-in, rate limit, audit or template. Served by the same
gunicorn settings as Concierge and the "hello" ceiling, in the same run, it
shows how much of the ceiling any check-in could reach before doing its own work.
"""

import os

from flask import Flask, redirect
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from portal.database import database_uri, engine_options

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(os.environ["DATABASE_URL"], app.instance_path)
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
metadata = MetaData()
writes = Table("bench_floor_writes", metadata, Column("id", Integer, primary_key=True),
               Column("token", String(32), nullable=False, unique=True))
db = SQLAlchemy(app, metadata=metadata)
_WRITE = insert(writes)


@app.post("/")
def write():
    """One row, committed; a different row each request, as each scan is a different guest."""
    db.session.execute(_WRITE, {"token": os.urandom(16).hex()})
    db.session.commit()
    return redirect("/written", 303)


def create_table() -> None:
    """Made by the runner before the servers start (workers would race to make it)."""
    with app.app_context():
        metadata.create_all(db.engine)
        db.engine.dispose()
