"""handoff_visit: one kiosk hand-off ticket per visit

Revision ID: 0019_handoff_visit
Revises: 0018_comms
Create Date: 2026-12-06 05:40:00.000000

ticket.kiosk_nonce: the kiosk visit a hand-off ticket was opened for, unique per
kiosk, so two guests sent to the desk from one kiosk get two tickets and a
retried scan finds its own.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_handoff_visit'
down_revision = '0018_comms'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kiosk_nonce', sa.String(length=43), nullable=True))
        batch_op.create_unique_constraint('uq_ticket_kiosk_nonce', ['kiosk_id', 'kiosk_nonce'])


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ticket_kiosk_nonce', type_='unique')
        batch_op.drop_column('kiosk_nonce')
