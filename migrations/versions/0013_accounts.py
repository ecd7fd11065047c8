"""accounts: server-side sessions, and sign-in links that prove an address before any account

Revision ID: 0011_accounts
Revises: 0011_offline
Create Date: 2026-11-27 09:00:00.000000

A session lived only in the signed cookie, so nothing could end it. Each signed-in
browser now has a sign_in_session row; the cookie carries its token, the row its hash.

A sign-in link names the address it proves; a link asked for on a registration page
may be for an address with no account yet (user_id empty), made when it is used.

Public registration used to make an account for any address, unproved, and let that
browser set a password: an account's password may have been set by a stranger. Guests
sign in by e-mailed link, so every password of an account without a staff role is
dropped; its owner signs in by link and may set a new one. Staff passwords were set
with `flask create-staff` and stay.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_accounts'
down_revision = "0011_offline"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('proved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('roles', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_sign_in_session_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_session')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_session_token_hash')),
    )
    with op.batch_alter_table('sign_in_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('sign_in_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    op.execute("UPDATE sign_in_link SET email = "
               "(SELECT user_account.email FROM user_account WHERE user_account.id = sign_in_link.user_id)")
    with op.batch_alter_table('sign_in_link', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)

    op.execute("UPDATE user_account SET password_hash = NULL WHERE password_hash IS NOT NULL "
               "AND NOT is_admin AND id NOT IN (SELECT user_id FROM staff_role)")


def downgrade():
    op.execute("DELETE FROM sign_in_link WHERE user_id IS NULL")
    with op.batch_alter_table('sign_in_link', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('email')
    with op.batch_alter_table('sign_in_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_session_user_id'))
    op.drop_table('sign_in_session')
