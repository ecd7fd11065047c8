"""offline: kiosks allowed to check guests in without the server, and the scans they sync

Revision ID: 0011_offline
Revises: 0011_lifecycle
Create Date: 2026-12-06 02:00:00.000000

A kiosk an organizer allows to work offline gets a key for its manifest
(portal/checkin/offline.py) and reports its queue when it syncs. Each scan it
synced is kept once in offline_scan, its nonce unique, so a retry is harmless.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_offline'
down_revision = "0011_lifecycle"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offline_scan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('nonce', sa.String(length=43), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('told', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('conflict', sa.String(length=16), nullable=False),
    sa.Column('check_in_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('checked_in', 'duplicate', 'refused')", name=op.f('ck_offline_scan_outcome')),
    sa.CheckConstraint("told IN ('welcome', 'help_desk')", name=op.f('ck_offline_scan_told')),
    sa.ForeignKeyConstraint(['check_in_id'], ['check_in.id'], name=op.f('fk_offline_scan_check_in_id_check_in'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_offline_scan_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk_device.id'], name=op.f('fk_offline_scan_kiosk_id_kiosk_device'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_offline_scan_registration_id_registration'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_scan')),
    sa.UniqueConstraint('nonce', name=op.f('uq_offline_scan_nonce'))
    )
    with op.batch_alter_table('offline_scan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_scan_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offline_scan_registration_id'), ['registration_id'], unique=False)

    with op.batch_alter_table('kiosk_device', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offline_allowed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('offline_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('offline_waiting', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('kiosk_device', schema=None) as batch_op:
        batch_op.drop_column('last_synced_at')
        batch_op.drop_column('offline_waiting')
        batch_op.drop_column('offline_key')
        batch_op.drop_column('offline_allowed')

    with op.batch_alter_table('offline_scan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_scan_registration_id'))
        batch_op.drop_index(batch_op.f('ix_offline_scan_event_id'))

    op.drop_table('offline_scan')
