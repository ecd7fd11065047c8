"""comms: survey reminders may be sent more than once, each counted

Revision ID: 0018_comms
Revises: 0017_stations_meals
Create Date: 2026-12-06 05:30:00.000000

survey.reminders_sent: how many reminders went out. The organizer confirms each
one for the number shown; the send wins only while the count is still the one
the organizer saw, so a double click or two organizers send one reminder, not two.
A survey already reminded counts one.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_comms'
down_revision = '0017_stations_meals'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders_sent', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint('reminders_sent_not_negative', 'reminders_sent >= 0')
    op.execute("UPDATE survey SET reminders_sent = 1 WHERE reminder_sent_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_constraint('reminders_sent_not_negative', type_='check')
        batch_op.drop_column('reminders_sent')
