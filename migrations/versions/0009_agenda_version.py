"""agenda version: the event's programme counter that keys the cached agenda cards

Revision ID: 0009_agenda_version
Revises: 0008_one_head
Create Date: 2026-11-26 09:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_agenda_version'
down_revision = '0008_one_head'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('agenda_version')
