"""event look: an accent colour, logo, cover and map images, and practical information

Revision ID: 0020_event_look
Revises: 0019_handoff_visit
Create Date: 2026-12-06 05:30:00.000000

Each event carries its own look (portal/events/look.py): an accent colour checked
for contrast, and images stored under the instance folder by the name of their
content. The practical information (how to get there, Wi-Fi, dress code,
contacts) is shown on the event's home page.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_event_look'
down_revision = '0019_handoff_visit'
branch_labels = None
depends_on = None

TEXTS = ('getting_there_en', 'getting_there_zh', 'contacts_en', 'contacts_zh')
STRINGS = (('accent_colour', 7), ('logo_image', 80), ('cover_image', 80), ('map_image', 80),
           ('wifi', 200), ('dress_code_en', 300), ('dress_code_zh', 300))


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        for name, length in STRINGS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))
        for name in TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), server_default='', nullable=False))
        batch_op.create_check_constraint('accent_colour', "accent_colour = '' OR length(accent_colour) = 7")


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint('accent_colour', type_='check')
        for name in reversed(TEXTS):
            batch_op.drop_column(name)
        for name, _length in reversed(STRINGS):
            batch_op.drop_column(name)
