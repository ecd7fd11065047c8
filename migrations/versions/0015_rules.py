"""rules: the database refuses states, check-ins and second active requests the services refuse

Revision ID: 0015_rules
Revises: 0001_baseline
Create Date: 2026-12-06 05:30:00.000000

CHECK constraints keep every state column to its model's STATES (registration,
lodging request, transport leg, help-desk ticket, outbound mail) and a
transport leg's direction to arrival or departure; a check-in names exactly one
of its kiosk and its member of staff. Partial unique indexes allow one active
lodging request per registration and one active transport leg per direction.

On SQLite a CHECK comes with a copy of the table (batch mode); the copy of
registration would lose the search index's triggers of 0010, so they are read
before and made again after.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_rules'
down_revision = '0001_baseline'
branch_labels = None
depends_on = None

REGISTRATION_STATES = ("pending", "confirmed", "waitlisted", "cancelled", "declined")
LODGING_STATES = ("requested", "waitlisted", "confirmed", "declined", "cancelled")
LODGING_ACTIVE = ("requested", "confirmed", "waitlisted")
TRANSPORT_STATES = ("requested", "scheduled", "completed", "cancelled")
TRANSPORT_ACTIVE = ("requested", "scheduled")
TICKET_STATES = ("new", "open", "pending", "resolved", "closed")
MAIL_STATES = ("pending", "sent", "failed")

STATE_CHECKS = {
    "registration": REGISTRATION_STATES,
    "lodging_request": LODGING_STATES,
    "transport_leg": TRANSPORT_STATES,
    "ticket": TICKET_STATES,
    "outbound_mail": MAIL_STATES,
}


def one_of(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _triggers_on(table):
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    return [sql for (sql,) in bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"), {"table": table})]


def upgrade():
    for table, states in STATE_CHECKS.items():
        triggers = _triggers_on(table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint('state', one_of("state", states))
            if table == "transport_leg":
                batch_op.create_check_constraint('direction', one_of("direction", ("arrival", "departure")))
        for sql in triggers:
            op.execute(sql)
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_check_constraint('kiosk_or_staff', "(kiosk_id IS NULL) <> (staff_id IS NULL)")
    op.create_index('uq_lodging_request_one_active', 'lodging_request', ['registration_id'], unique=True,
                    sqlite_where=sa.text(one_of("state", LODGING_ACTIVE)),
                    postgresql_where=sa.text(one_of("state", LODGING_ACTIVE)))
    op.create_index('uq_transport_leg_one_active', 'transport_leg', ['registration_id', 'direction'], unique=True,
                    sqlite_where=sa.text(one_of("state", TRANSPORT_ACTIVE)),
                    postgresql_where=sa.text(one_of("state", TRANSPORT_ACTIVE)))


def downgrade():
    op.drop_index('uq_transport_leg_one_active', table_name='transport_leg')
    op.drop_index('uq_lodging_request_one_active', table_name='lodging_request')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_constraint('kiosk_or_staff', type_='check')
    for table in reversed(STATE_CHECKS):
        if table == "registration" and op.get_bind().dialect.name == "sqlite":
            _registration_as_0011_left_it()
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == "transport_leg":
                batch_op.drop_constraint('direction', type_='check')
            batch_op.drop_constraint('state', type_='check')


def _registration_as_0011_left_it():
    """On SQLite, registration without its state check, admitted_over_capacity's check on the column again.

    The copy of the table in upgrade() made that column check a table check, which
    0011's downgrade (ALTER TABLE ... DROP COLUMN) could not get past.
    """
    bind = op.get_bind()
    admitted = [row_id for (row_id,) in bind.execute(
        sa.text("SELECT id FROM registration WHERE admitted_over_capacity"))]
    triggers = _triggers_on("registration")
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint('state', type_='check')
        batch_op.drop_constraint('admitted_confirmed', type_='check')
        batch_op.drop_column('admitted_over_capacity')
    op.execute("ALTER TABLE registration ADD COLUMN admitted_over_capacity BOOLEAN DEFAULT 0 NOT NULL "
               "CONSTRAINT ck_registration_admitted_confirmed "
               "CHECK (NOT admitted_over_capacity OR state = 'confirmed')")
    for row_id in admitted:
        op.execute(sa.text("UPDATE registration SET admitted_over_capacity = 1 WHERE id = :id").bindparams(id=row_id))
    for sql in triggers:
        op.execute(sql)
