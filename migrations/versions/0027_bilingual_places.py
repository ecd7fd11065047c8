"""bilingual places: stations and meeting points in English and Chinese

Revision ID: 0027_bilingual_places
Revises: 0026_one_first_print
Create Date: 2026-12-06 14:40:00.000000

A listed airport or station and a car's meeting point were stored once, in
whatever language the coordinator typed, and a Chinese guest read English.
Both are now stored twice, as the event's other texts are: station.name becomes
name_en and name_zh, vehicle.meeting_point becomes meeting_point_en and
meeting_point_zh. The old text goes into both, so every reader sees what they
saw before until a coordinator writes the translation. Station names stay
unique per event by their English name, the one every station has.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027_bilingual_places'
down_revision = '0026_one_first_print'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('name_zh', sa.String(length=120), server_default='', nullable=False))
    station = sa.table('station', sa.column('name', sa.String), sa.column('name_en', sa.String),
                       sa.column('name_zh', sa.String))
    op.execute(station.update().values(name_en=station.c.name, name_zh=station.c.name))
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_constraint('uq_station_event_id_name', type_='unique')
        batch_op.drop_column('name')
        # Every station has its English name: the default was only for the rows copied above.
        batch_op.alter_column('name_en', server_default=None)
        batch_op.create_unique_constraint('uq_station_event_id_name_en', ['event_id', 'name_en'])

    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_point_en', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('meeting_point_zh', sa.String(length=300), server_default='', nullable=False))
    vehicle = sa.table('vehicle', sa.column('meeting_point', sa.String), sa.column('meeting_point_en', sa.String),
                       sa.column('meeting_point_zh', sa.String))
    op.execute(vehicle.update().values(meeting_point_en=vehicle.c.meeting_point,
                                       meeting_point_zh=vehicle.c.meeting_point))
    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.drop_column('meeting_point')
        batch_op.alter_column('meeting_point_en', server_default=None)


def downgrade():
    # Going back keeps one text: the English, which every station has.
    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_point', sa.String(length=300), server_default='', nullable=False))
    vehicle = sa.table('vehicle', sa.column('meeting_point', sa.String), sa.column('meeting_point_en', sa.String))
    op.execute(vehicle.update().values(meeting_point=vehicle.c.meeting_point_en))
    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.drop_column('meeting_point_zh')
        batch_op.drop_column('meeting_point_en')
        batch_op.alter_column('meeting_point', server_default=None)

    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=120), server_default='', nullable=False))
    station = sa.table('station', sa.column('name', sa.String), sa.column('name_en', sa.String))
    op.execute(station.update().values(name=station.c.name_en))
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_constraint('uq_station_event_id_name_en', type_='unique')
        batch_op.drop_column('name_zh')
        batch_op.drop_column('name_en')
        batch_op.alter_column('name', server_default=None)
        batch_op.create_unique_constraint('uq_station_event_id_name', ['event_id', 'name'])
