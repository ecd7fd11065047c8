"""robust: imported invitations whose mail is still to be written; a roommate asked by address

Revision ID: 0011_robust
Revises: 0011_accounts
Create Date: 2026-12-02 10:00:00.000000

invitation.mail_pending: a big import stores its invitations at once and leaves
their mails to the sender, a batch at a time (portal/staff/services.py).

lodging_request.roommate_email: the address a guest typed for their roommate. The
other guest is asked by that address and linked (roommate_id) only when they
accept, so the answer to the guest who typed it is the same whoever it belongs
to. Requests already naming a roommate keep the roommate's address; one not yet
accepted is again an open question to that address.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_robust'
down_revision = "0011_accounts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_pending', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_invitation_mail_pending', ['mail_pending'], unique=False)

    with op.batch_alter_table('lodging_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roommate_email', sa.String(length=254), server_default='', nullable=False))
        batch_op.create_index('ix_lodging_request_roommate_email', ['roommate_email'], unique=False)
    op.execute(
        "UPDATE lodging_request SET roommate_email = "
        "(SELECT lower(registration.email) FROM registration WHERE registration.id = lodging_request.roommate_id) "
        "WHERE roommate_id IS NOT NULL"
    )
    op.execute("UPDATE lodging_request SET roommate_id = NULL WHERE roommate_confirmed_at IS NULL")


def downgrade():
    op.execute(
        "UPDATE lodging_request SET roommate_id = (SELECT registration.id FROM registration "
        "WHERE registration.event_id = lodging_request.event_id "
        "AND lower(registration.email) = lodging_request.roommate_email "
        "ORDER BY registration.id LIMIT 1) WHERE roommate_id IS NULL AND roommate_email <> ''"
    )
    with op.batch_alter_table('lodging_request', schema=None) as batch_op:
        batch_op.drop_index('ix_lodging_request_roommate_email')
        batch_op.drop_column('roommate_email')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index('ix_invitation_mail_pending')
        batch_op.drop_column('mail_pending')
