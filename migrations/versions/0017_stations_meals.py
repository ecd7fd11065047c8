"""stations and meals: an airport list per event, buffers that keep cars from stranding guests, receptions

Revision ID: 0017_stations_meals
Revises: 0016_no_agenda_version
Create Date: 2026-12-06 05:30:00.000000

station: the airports and stations the coordinator lists for an event; a guest's
journey names one (transport_leg.station_id) or, as "other", keeps its own words.
event.pickup_buffer_minutes / dropoff_buffer_minutes: how long after landing a
pickup may leave, and how long before departure a drop-off must arrive.
vehicle.arrives_at: when a drop-off run reaches the airport or station.
meal: the meals the organizer adds to a day (receptions); breakfast, lunch and
dinner are given.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_stations_meals'
down_revision = '0016_no_agenda_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'station',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('code', sa.String(length=10), server_default='', nullable=False),
        sa.Column('kind', sa.String(length=10), server_default='airport', nullable=False),
        sa.CheckConstraint("kind IN ('airport', 'station')", name='station_kind'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name='fk_station_event_id_event', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_station'),
        sa.UniqueConstraint('event_id', 'name', name='uq_station_event_id_name'),
    )
    op.create_index('ix_station_event_id', 'station', ['event_id'], unique=False)
    op.create_table(
        'meal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('served_at', sa.Time(), nullable=False),
        sa.Column('name_en', sa.String(length=120), nullable=False),
        sa.Column('name_zh', sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name='fk_meal_event_id_event', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_meal'),
        sa.UniqueConstraint('event_id', 'day', 'name_en', name='uq_meal_event_id_day_name_en'),
    )
    op.create_index('ix_meal_event_id', 'meal', ['event_id'], unique=False)
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pickup_buffer_minutes', sa.Integer(), server_default='45', nullable=False))
        batch_op.add_column(sa.Column('dropoff_buffer_minutes', sa.Integer(), server_default='120', nullable=False))
        batch_op.create_check_constraint('pickup_buffer', 'pickup_buffer_minutes BETWEEN 0 AND 720')
        batch_op.create_check_constraint('dropoff_buffer', 'dropoff_buffer_minutes BETWEEN 0 AND 720')
    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arrives_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('transport_leg', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_transport_leg_station_id', ['station_id'], unique=False)
        batch_op.create_foreign_key('fk_transport_leg_station_id_station', 'station', ['station_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('transport_leg', schema=None) as batch_op:
        batch_op.drop_constraint('fk_transport_leg_station_id_station', type_='foreignkey')
        batch_op.drop_index('ix_transport_leg_station_id')
        batch_op.drop_column('station_id')
    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.drop_column('arrives_at')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint('dropoff_buffer', type_='check')
        batch_op.drop_constraint('pickup_buffer', type_='check')
        batch_op.drop_column('dropoff_buffer_minutes')
        batch_op.drop_column('pickup_buffer_minutes')
    op.drop_index('ix_meal_event_id', table_name='meal')
    op.drop_table('meal')
    op.drop_index('ix_station_event_id', table_name='station')
    op.drop_table('station')
