"""one first print: a guest's earliest badge print is the first print, any other a reprint

Revision ID: 0026_one_first_print
Revises: 0025_offline_prints
Create Date: 2026-12-06 11:40:00.000000

A print a kiosk made offline and logged at its next sync could be older than a
print already logged online, and both were logged as the first print. The log
is put right (the earliest print of each guest by time, then by id, is the
first, every other a reprint) and the database keeps it so: one first print
per registration.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_one_first_print'
down_revision = '0025_offline_prints'
branch_labels = None
depends_on = None


def upgrade():
    prints = sa.table('badge_print', sa.column('id', sa.Integer), sa.column('registration_id', sa.Integer),
                      sa.column('at', sa.DateTime), sa.column('reprint', sa.Boolean))
    earlier = prints.alias('earlier')
    first = (sa.select(earlier.c.id).where(earlier.c.registration_id == prints.c.registration_id)
             .order_by(earlier.c.at, earlier.c.id).limit(1).scalar_subquery())
    # Every print a reprint first, then the earliest of each guest the first: never two at once.
    op.execute(prints.update().where(prints.c.id != first).values(reprint=sa.true()))
    op.execute(prints.update().where(prints.c.id == first).values(reprint=sa.false()))
    op.create_index('uq_badge_print_one_first', 'badge_print', ['registration_id'], unique=True,
                    sqlite_where=sa.text('NOT reprint'), postgresql_where=sa.text('NOT reprint'))


def downgrade():
    op.drop_index('uq_badge_print_one_first', table_name='badge_print')
