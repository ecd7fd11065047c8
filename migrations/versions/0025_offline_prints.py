"""offline prints: badges a kiosk printed without the server, logged at its next sync

Revision ID: 0025_offline_prints
Revises: 0024_costs
Create Date: 2026-12-06 09:50:00.000000

A kiosk working offline queues each badge it prints with an id of its own;
the sync (kiosk/offline.py) logs it in badge_print, flagged offline, once:
the id is unique.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_offline_prints'
down_revision = '0024_costs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('badge_print', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offline', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('nonce', sa.String(length=43), nullable=True))
        batch_op.create_unique_constraint('uq_badge_print_nonce', ['nonce'])
        batch_op.create_check_constraint(
            'offline_by_kiosk', 'NOT offline OR (nonce IS NOT NULL AND staff_id IS NULL)')


def downgrade():
    with op.batch_alter_table('badge_print', schema=None) as batch_op:
        batch_op.drop_constraint('offline_by_kiosk', type_='check')
        batch_op.drop_constraint('uq_badge_print_nonce', type_='unique')
        batch_op.drop_column('nonce')
        batch_op.drop_column('offline')
