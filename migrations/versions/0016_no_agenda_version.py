"""no agenda version: the agenda is rendered from the database on every request, no cache to key

Revision ID: 0016_no_agenda_version
Revises: 0015_rules
Create Date: 2026-12-06 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_no_agenda_version'
down_revision = '0015_rules'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('agenda_version')


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_version', sa.Integer(), server_default='0', nullable=False))
