"""meal times: the organizer's own time for breakfast, lunch and dinner

Revision ID: 0022_meal_times
Revises: 0021_coordinator_roles
Create Date: 2026-12-06 09:00:00.000000

meal_time: when one of the daily meals is served at an event, every day; an
event without a row serves it at the usual time (portal/needs/meals.py).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022_meal_times'
down_revision = '0021_coordinator_roles'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'meal_time',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('meal', sa.String(length=10), nullable=False),
        sa.Column('served_at', sa.Time(), nullable=False),
        sa.CheckConstraint("meal IN ('breakfast', 'lunch', 'dinner')", name='meal'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name='fk_meal_time_event_id_event', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_meal_time'),
        sa.UniqueConstraint('event_id', 'meal', name='uq_meal_time_event_id_meal'),
    )
    op.create_index('ix_meal_time_event_id', 'meal_time', ['event_id'], unique=False)


def downgrade():
    op.drop_index('ix_meal_time_event_id', table_name='meal_time')
    op.drop_table('meal_time')
