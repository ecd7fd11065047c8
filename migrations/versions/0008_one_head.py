"""one head: foundation, agenda, kiosk, help desk, lodging and transport, needs, surveys

The features were built side by side from the foundation; this joins their
branches so `flask db upgrade` has one head to go to. New migrations follow it.

Revision ID: 0008_one_head
Revises: 0004_helpdesk, 0005_lodging_transport, 0006_needs, 0007_surveys
Create Date: 2026-11-26 07:58:44.580059

"""
# revision identifiers, used by Alembic.
revision = '0008_one_head'
down_revision = ('0004_helpdesk', '0005_lodging_transport', '0006_needs', '0007_surveys')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
