"""lifecycle: admitting over capacity, reserved places, declined invitations, freed rooms, reply-by

Revision ID: 0011_lifecycle
Revises: 0010_guest_search_index
Create Date: 2026-11-27 10:00:00.000000

The registration lifecycle (portal/lifecycle.py) needs: a registration confirmed over
the capacity (only a confirmed one may be, CHECK); places a category keeps for itself
(never negative, CHECK); an invitation the invitee declined; a lodging request flagged
for the coordinators; the event's choice between offering and confirming freed rooms
(CHECK) and the reply-by date its invitations carry.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_lifecycle'
down_revision = '0010_guest_search_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('freed_rooms', sa.String(length=10), server_default='offer', nullable=False))
        batch_op.add_column(sa.Column('reply_by', sa.Date(), nullable=True))
        batch_op.create_check_constraint('freed_rooms', "freed_rooms IN ('offer', 'confirm')")
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved_places', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint('reserved_places', 'reserved_places >= 0')
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN with its CHECK: a batch copy of the table would drop the search triggers of 0010.
        op.execute("ALTER TABLE registration ADD COLUMN admitted_over_capacity BOOLEAN DEFAULT 0 NOT NULL "
                   "CONSTRAINT ck_registration_admitted_confirmed "
                   "CHECK (NOT admitted_over_capacity OR state = 'confirmed')")
    else:
        with op.batch_alter_table('registration', schema=None) as batch_op:
            batch_op.add_column(sa.Column('admitted_over_capacity', sa.Boolean(), server_default=sa.false(),
                                          nullable=False))
            batch_op.create_check_constraint('admitted_confirmed',
                                             "NOT admitted_over_capacity OR state = 'confirmed'")
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('lodging_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_reason', sa.String(length=40), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('lodging_request', schema=None) as batch_op:
        batch_op.drop_column('review_reason')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('declined_at')
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE registration DROP COLUMN admitted_over_capacity")
    else:
        with op.batch_alter_table('registration', schema=None) as batch_op:
            batch_op.drop_constraint('admitted_confirmed', type_='check')
            batch_op.drop_column('admitted_over_capacity')
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_constraint('reserved_places', type_='check')
        batch_op.drop_column('reserved_places')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint('freed_rooms', type_='check')
        batch_op.drop_column('reply_by')
        batch_op.drop_column('freed_rooms')
