"""baseline: the whole schema, with the guest search index each database keeps

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-06 05:30:00.000000

The tables come from the models (the schema test compares them). The staff
guest search's index is not in the models (`search.maintained_by_migrations`):
PostgreSQL keeps one pg_trgm GIN index on the searched columns joined by a unit
separator (which no search can hold) and lowered, asked with that same
expression and LIKE '%…%'; SQLite keeps an FTS5 table with the trigram
tokenizer, filled by triggers on registration, asked with MATCH
(portal/staff/search.py).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_baseline'
down_revision = None
branch_labels = None
depends_on = None

SEARCH_COLUMNS = ("name_original", "name_latin", "surname", "email", "organization", "confirmation_code")
# The expression portal/staff/search.py asks, to the letter, so the planner finds the index.
SEARCH_TEXT = ("lower(" + " || E'\\x1f' || ".join(f"coalesce({column}, '')" for column in SEARCH_COLUMNS)
               + ")")


def upgrade():
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('venue_en', sa.String(length=300), nullable=False),
    sa.Column('venue_zh', sa.String(length=300), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('privacy_notice_en', sa.Text(), nullable=False),
    sa.Column('privacy_notice_zh', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('public_registration', sa.Boolean(), nullable=False),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('registration_opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changes_close_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('agenda_version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('freed_rooms', sa.String(length=10), server_default='offer', nullable=False),
    sa.Column('reply_by', sa.Date(), nullable=True),
    sa.CheckConstraint("freed_rooms IN ('offer', 'confirm')", name=op.f('ck_event_freed_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('slug', name=op.f('uq_event_slug'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('agenda_room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('floor', sa.String(length=40), nullable=False),
    sa.Column('directions_en', sa.Text(), nullable=False),
    sa.Column('directions_zh', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_agenda_room_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_room'))
    )
    op.create_index(op.f('ix_agenda_room_event_id'), 'agenda_room', ['event_id'], unique=False)
    op.create_table('agenda_speaker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('organization_en', sa.String(length=200), nullable=False),
    sa.Column('organization_zh', sa.String(length=200), nullable=False),
    sa.Column('bio_en', sa.Text(), nullable=False),
    sa.Column('bio_zh', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_agenda_speaker_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_speaker'))
    )
    op.create_index(op.f('ix_agenda_speaker_event_id'), 'agenda_speaker', ['event_id'], unique=False)
    op.create_table('agenda_track',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_agenda_track_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_track'))
    )
    op.create_index(op.f('ix_agenda_track_event_id'), 'agenda_track', ['event_id'], unique=False)
    op.create_table('announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('text_zh', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_announcement_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_announcement_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement'))
    )
    op.create_index('ix_announcement_event_window', 'announcement', ['event_id', 'starts_at'], unique=False)
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_entry_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_audit_entry_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    op.create_index(op.f('ix_audit_entry_at'), 'audit_entry', ['at'], unique=False)
    op.create_index(op.f('ix_audit_entry_event_id'), 'audit_entry', ['event_id'], unique=False)
    op.create_table('canned_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_canned_reply_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_reply'))
    )
    op.create_index(op.f('ix_canned_reply_event_id'), 'canned_reply', ['event_id'], unique=False)
    op.create_table('category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('open_to_public', sa.Boolean(), nullable=False),
    sa.Column('reserved_places', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('reserved_places >= 0', name=op.f('ck_category_reserved_places')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_category_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category')),
    sa.UniqueConstraint('event_id', 'code', name=op.f('uq_category_event_id_code'))
    )
    op.create_index(op.f('ix_category_event_id'), 'category', ['event_id'], unique=False)
    op.create_table('hotel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('address_en', sa.String(length=300), nullable=False),
    sa.Column('address_zh', sa.String(length=300), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_hotel_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotel'))
    )
    op.create_index(op.f('ix_hotel_event_id'), 'hotel', ['event_id'], unique=False)
    op.create_table('kiosk_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pairing_code_hash', sa.String(length=64), nullable=True),
    sa.Column('pairing_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('credential_hash', sa.String(length=64), nullable=True),
    sa.Column('paired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offline_allowed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('offline_key', sa.String(length=64), nullable=True),
    sa.Column('offline_waiting', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_kiosk_device_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_kiosk_device_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_device')),
    sa.UniqueConstraint('credential_hash', name=op.f('uq_kiosk_device_credential_hash')),
    sa.UniqueConstraint('pairing_code_hash', name=op.f('uq_kiosk_device_pairing_code_hash'))
    )
    op.create_index(op.f('ix_kiosk_device_event_id'), 'kiosk_device', ['event_id'], unique=False)
    op.create_table('outbound_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('inline_parts', sa.Text(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_outbound_mail_event_id_event'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_mail')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbound_mail_message_id'))
    )
    op.create_index('ix_outbound_mail_due', 'outbound_mail', ['state', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbound_mail_event_id'), 'outbound_mail', ['event_id'], unique=False)
    op.create_table('response_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('first_response_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_response_target_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_target')),
    sa.UniqueConstraint('event_id', 'priority', name=op.f('uq_response_target_event_id_priority'))
    )
    op.create_table('sign_in_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('next_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_in_link_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_link_token_hash'))
    )
    op.create_index(op.f('ix_sign_in_link_user_id'), 'sign_in_link', ['user_id'], unique=False)
    op.create_table('sign_in_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('proved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('roles', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_in_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_session_token_hash'))
    )
    op.create_index(op.f('ix_sign_in_session_user_id'), 'sign_in_session', ['user_id'], unique=False)
    op.create_table('staff_permission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('permission', sa.String(length=20), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_staff_permission_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user_account.id'], name=op.f('fk_staff_permission_granted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_staff_permission_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_permission')),
    sa.UniqueConstraint('user_id', 'event_id', 'permission', name=op.f('uq_staff_permission_user_id_event_id_permission'))
    )
    op.create_index(op.f('ix_staff_permission_event_id'), 'staff_permission', ['event_id'], unique=False)
    op.create_index(op.f('ix_staff_permission_user_id'), 'staff_permission', ['user_id'], unique=False)
    op.create_table('staff_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_staff_role_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_staff_role_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_role')),
    sa.UniqueConstraint('user_id', 'event_id', 'role', name=op.f('uq_staff_role_user_id_event_id_role'))
    )
    op.create_index(op.f('ix_staff_role_event_id'), 'staff_role', ['event_id'], unique=False)
    op.create_index(op.f('ix_staff_role_user_id'), 'staff_role', ['user_id'], unique=False)
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('intro_en', sa.Text(), nullable=False),
    sa.Column('intro_zh', sa.Text(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invitations_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_survey_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey'))
    )
    op.create_index(op.f('ix_survey_event_id'), 'survey', ['event_id'], unique=False)
    op.create_table('ticket_counter',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_ticket_counter_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_ticket_counter'))
    )
    op.create_table('vehicle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=False),
    sa.Column('driver_name', sa.String(length=200), nullable=False),
    sa.Column('driver_phone', sa.String(length=40), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('meeting_point', sa.String(length=300), nullable=False),
    sa.Column('departs_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_vehicle_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicle'))
    )
    op.create_index(op.f('ix_vehicle_event_id'), 'vehicle', ['event_id'], unique=False)
    op.create_table('agenda_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_agenda_session_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['agenda_room.id'], name=op.f('fk_agenda_session_room_id_agenda_room'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['track_id'], ['agenda_track.id'], name=op.f('fk_agenda_session_track_id_agenda_track'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_session'))
    )
    op.create_index('ix_agenda_session_event_start', 'agenda_session', ['event_id', 'starts_at'], unique=False)
    op.create_index(op.f('ix_agenda_session_room_id'), 'agenda_session', ['room_id'], unique=False)
    op.create_index(op.f('ix_agenda_session_track_id'), 'agenda_session', ['track_id'], unique=False)
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mail_pending', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_invitation_category_id_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_invitation_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('event_id', 'email', name=op.f('uq_invitation_event_id_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash'))
    )
    op.create_index(op.f('ix_invitation_event_id'), 'invitation', ['event_id'], unique=False)
    op.create_index('ix_invitation_mail_pending', 'invitation', ['mail_pending'], unique=False)
    op.create_table('room_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('hotel_id', sa.Integer(), nullable=False),
    sa.Column('room_type_en', sa.String(length=200), nullable=False),
    sa.Column('room_type_zh', sa.String(length=200), nullable=False),
    sa.Column('nightly_rate', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payer', sa.String(length=10), nullable=False),
    sa.Column('arrival_from', sa.Date(), nullable=False),
    sa.Column('departure_until', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_room_block_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hotel_id'], ['hotel.id'], name=op.f('fk_room_block_hotel_id_hotel'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_block'))
    )
    op.create_index(op.f('ix_room_block_event_id'), 'room_block', ['event_id'], unique=False)
    op.create_index(op.f('ix_room_block_hotel_id'), 'room_block', ['hotel_id'], unique=False)
    op.create_table('survey_category',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_survey_category_category_id_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_category_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'category_id', name=op.f('pk_survey_category'))
    )
    op.create_index(op.f('ix_survey_category_category_id'), 'survey_category', ['category_id'], unique=False)
    op.create_table('survey_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_section_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_section'))
    )
    op.create_index(op.f('ix_survey_section_survey_id'), 'survey_section', ['survey_id'], unique=False)
    op.create_table('agenda_session_category',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_agenda_session_category_category_id_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_agenda_session_category_session_id_agenda_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'category_id', name=op.f('pk_agenda_session_category'))
    )
    op.create_index(op.f('ix_agenda_session_category_category_id'), 'agenda_session_category', ['category_id'], unique=False)
    op.create_table('agenda_session_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_agenda_session_change_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_agenda_session_change_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_agenda_session_change_session_id_agenda_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_session_change'))
    )
    op.create_index(op.f('ix_agenda_session_change_event_id'), 'agenda_session_change', ['event_id'], unique=False)
    op.create_index(op.f('ix_agenda_session_change_session_id'), 'agenda_session_change', ['session_id'], unique=False)
    op.create_table('agenda_session_speaker',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('speaker_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_agenda_session_speaker_session_id_agenda_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['speaker_id'], ['agenda_speaker.id'], name=op.f('fk_agenda_session_speaker_speaker_id_agenda_speaker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'speaker_id', name=op.f('pk_agenda_session_speaker'))
    )
    op.create_index(op.f('ix_agenda_session_speaker_speaker_id'), 'agenda_session_speaker', ['speaker_id'], unique=False)
    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('name_original', sa.String(length=200), nullable=False),
    sa.Column('name_latin', sa.String(length=200), nullable=False),
    sa.Column('surname', sa.String(length=100), nullable=False),
    sa.Column('honorific', sa.String(length=40), nullable=False),
    sa.Column('organization', sa.String(length=200), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ticket_code', sa.String(length=43), nullable=False),
    sa.Column('confirmation_code', sa.String(length=12), nullable=False),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('waitlisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('admitted_over_capacity', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint("NOT admitted_over_capacity OR state = 'confirmed'", name=op.f('ck_registration_admitted_confirmed')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_registration_category_id_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_registration_invitation_id_invitation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_registration_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('event_id', 'confirmation_code', name=op.f('uq_registration_event_id_confirmation_code')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_registration_event_id_user_id')),
    sa.UniqueConstraint('ticket_code', name=op.f('uq_registration_ticket_code'))
    )
    op.create_index('ix_registration_event_state', 'registration', ['event_id', 'state'], unique=False)
    op.create_index(op.f('ix_registration_surname'), 'registration', ['surname'], unique=False)
    op.create_index(op.f('ix_registration_user_id'), 'registration', ['user_id'], unique=False)
    op.create_table('room_night',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('block_id', sa.Integer(), nullable=False),
    sa.Column('night', sa.Date(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.CheckConstraint('taken >= 0 AND taken <= total', name=op.f('ck_room_night_within_total')),
    sa.ForeignKeyConstraint(['block_id'], ['room_block.id'], name=op.f('fk_room_night_block_id_room_block'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_night')),
    sa.UniqueConstraint('block_id', 'night', name=op.f('uq_room_night_block_id_night'))
    )
    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('service_area', sa.String(length=20), nullable=True),
    sa.Column('text_en', sa.String(length=500), nullable=False),
    sa.Column('text_zh', sa.String(length=500), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('condition_question_id', sa.Integer(), nullable=True),
    sa.Column('condition_value', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['condition_question_id'], ['survey_question.id'], name=op.f('fk_survey_question_condition_question_id_survey_question'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['section_id'], ['survey_section.id'], name=op.f('fk_survey_question_section_id_survey_section'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question'))
    )
    op.create_index(op.f('ix_survey_question_condition_question_id'), 'survey_question', ['condition_question_id'], unique=False)
    op.create_index(op.f('ix_survey_question_section_id'), 'survey_question', ['section_id'], unique=False)
    op.create_index(op.f('ix_survey_question_survey_id'), 'survey_question', ['survey_id'], unique=False)
    op.create_table('accessibility_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('wheelchair', sa.Boolean(), nullable=False),
    sa.Column('step_free', sa.Boolean(), nullable=False),
    sa.Column('hearing_loop', sa.Boolean(), nullable=False),
    sa.Column('sign_language', sa.Boolean(), nullable=False),
    sa.Column('seating', sa.Boolean(), nullable=False),
    sa.Column('other', sa.String(length=1000), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_accessibility_needs_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accessibility_needs')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_accessibility_needs_registration_id'))
    )
    op.create_table('agenda_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_agenda_entry_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_agenda_entry_session_id_agenda_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_entry')),
    sa.UniqueConstraint('registration_id', 'session_id', name=op.f('uq_agenda_entry_registration_id_session_id'))
    )
    op.create_index(op.f('ix_agenda_entry_session_id'), 'agenda_entry', ['session_id'], unique=False)
    op.create_table('agenda_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_agenda_feed_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_feed')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_agenda_feed_registration_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_agenda_feed_token_hash'))
    )
    op.create_table('agenda_schedule_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['change_id'], ['agenda_session_change.id'], name=op.f('fk_agenda_schedule_notice_change_id_agenda_session_change'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_agenda_schedule_notice_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_schedule_notice')),
    sa.UniqueConstraint('registration_id', 'change_id', name=op.f('uq_agenda_schedule_notice_registration_id_change_id'))
    )
    op.create_index(op.f('ix_agenda_schedule_notice_change_id'), 'agenda_schedule_notice', ['change_id'], unique=False)
    op.create_table('agenda_session_invitee',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_agenda_session_invitee_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_agenda_session_invitee_session_id_agenda_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'registration_id', name=op.f('pk_agenda_session_invitee'))
    )
    op.create_index(op.f('ix_agenda_session_invitee_registration_id'), 'agenda_session_invitee', ['registration_id'], unique=False)
    op.create_table('allergy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('allergen', sa.String(length=20), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_allergy_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allergy')),
    sa.UniqueConstraint('registration_id', 'allergen', name=op.f('uq_allergy_registration_id_allergen'))
    )
    op.create_index(op.f('ix_allergy_registration_id'), 'allergy', ['registration_id'], unique=False)
    op.create_table('badge_print',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('reprint', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_badge_print_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk_device.id'], name=op.f('fk_badge_print_kiosk_id_kiosk_device'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_badge_print_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['user_account.id'], name=op.f('fk_badge_print_staff_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_print'))
    )
    op.create_index(op.f('ix_badge_print_event_id'), 'badge_print', ['event_id'], unique=False)
    op.create_index(op.f('ix_badge_print_registration_id'), 'badge_print', ['registration_id'], unique=False)
    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('nonce', sa.String(length=43), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_check_in_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk_device.id'], name=op.f('fk_check_in_kiosk_id_kiosk_device'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_check_in_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['user_account.id'], name=op.f('fk_check_in_staff_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_check_in_registration_id'))
    )
    op.create_index(op.f('ix_check_in_at'), 'check_in', ['at'], unique=False)
    op.create_index(op.f('ix_check_in_event_id'), 'check_in', ['event_id'], unique=False)
    op.create_table('dietary_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('diet', sa.String(length=20), nullable=False),
    sa.Column('diet_detail', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_dietary_needs_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dietary_needs')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_dietary_needs_registration_id'))
    )
    op.create_table('lodging_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('block_id', sa.Integer(), nullable=False),
    sa.Column('check_in', sa.Date(), nullable=False),
    sa.Column('check_out', sa.Date(), nullable=False),
    sa.Column('occupancy', sa.Integer(), nullable=False),
    sa.Column('roommate_id', sa.Integer(), nullable=True),
    sa.Column('roommate_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('roommate_email', sa.String(length=254), server_default='', nullable=False),
    sa.Column('accessible', sa.Boolean(), nullable=False),
    sa.Column('smoking', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('confirmation_number', sa.String(length=60), nullable=False),
    sa.Column('room_number', sa.String(length=20), nullable=False),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.Column('holds_rooms', sa.Boolean(), nullable=False),
    sa.Column('review_reason', sa.String(length=40), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['block_id'], ['room_block.id'], name=op.f('fk_lodging_request_block_id_room_block'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_lodging_request_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_lodging_request_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['roommate_id'], ['registration.id'], name=op.f('fk_lodging_request_roommate_id_registration'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lodging_request'))
    )
    op.create_index(op.f('ix_lodging_request_block_id'), 'lodging_request', ['block_id'], unique=False)
    op.create_index(op.f('ix_lodging_request_event_id'), 'lodging_request', ['event_id'], unique=False)
    op.create_index(op.f('ix_lodging_request_registration_id'), 'lodging_request', ['registration_id'], unique=False)
    op.create_index(op.f('ix_lodging_request_roommate_email'), 'lodging_request', ['roommate_email'], unique=False)
    op.create_index(op.f('ix_lodging_request_roommate_id'), 'lodging_request', ['roommate_id'], unique=False)
    op.create_table('medical_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('notes', sa.String(length=2000), nullable=False),
    sa.Column('emergency_name', sa.String(length=200), nullable=False),
    sa.Column('emergency_phone', sa.String(length=40), nullable=False),
    sa.Column('emergency_relation', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_medical_notes_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_medical_notes')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_medical_notes_registration_id'))
    )
    op.create_table('needs_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('notice_version', sa.String(length=20), nullable=False),
    sa.Column('notice_text', sa.Text(), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_needs_consent_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs_consent')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_needs_consent_registration_id'))
    )
    op.create_table('registration_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=12), nullable=False),
    sa.Column('to_state', sa.String(length=12), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_registration_change_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_registration_change_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_change'))
    )
    op.create_index(op.f('ix_registration_change_registration_id'), 'registration_change', ['registration_id'], unique=False)
    op.create_table('session_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 1 AND score <= 5', name=op.f('ck_session_rating_score_1_to_5')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_session_rating_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_session_rating_session_id_agenda_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_rating')),
    sa.UniqueConstraint('registration_id', 'session_id', name=op.f('uq_session_rating_registration_id_session_id'))
    )
    op.create_index(op.f('ix_session_rating_session_id'), 'session_rating', ['session_id'], unique=False)
    op.create_table('survey_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('label_zh', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_choice_question_id_survey_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_choice'))
    )
    op.create_index(op.f('ix_survey_choice_question_id'), 'survey_choice', ['question_id'], unique=False)
    op.create_table('survey_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('submitted', sa.Boolean(), nullable=False),
    sa.Column('draft_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_survey_participation_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_participation_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_participation')),
    sa.UniqueConstraint('draft_key', name=op.f('uq_survey_participation_draft_key')),
    sa.UniqueConstraint('survey_id', 'registration_id', name=op.f('uq_survey_participation_survey_id_registration_id'))
    )
    op.create_index(op.f('ix_survey_participation_registration_id'), 'survey_participation', ['registration_id'], unique=False)
    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('draft', sa.Boolean(), nullable=False),
    sa.Column('draft_owner_key', sa.String(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_survey_response_category_id_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_survey_response_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('draft_owner_key', name=op.f('uq_survey_response_draft_owner_key')),
    sa.UniqueConstraint('survey_id', 'registration_id', name=op.f('uq_survey_response_survey_id_registration_id'))
    )
    op.create_index(op.f('ix_survey_response_category_id'), 'survey_response', ['category_id'], unique=False)
    op.create_index('ix_survey_response_survey_draft', 'survey_response', ['survey_id', 'draft'], unique=False)
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pending_seconds', sa.Integer(), nullable=False),
    sa.Column('pending_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_seconds', sa.Integer(), nullable=True),
    sa.Column('resolution_seconds', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_ticket_assignee_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_ticket_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk_device.id'], name=op.f('fk_ticket_kiosk_id_kiosk_device'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_ticket_registration_id_registration'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket')),
    sa.UniqueConstraint('event_id', 'number', name=op.f('uq_ticket_event_id_number'))
    )
    op.create_index(op.f('ix_ticket_assignee_id'), 'ticket', ['assignee_id'], unique=False)
    op.create_index('ix_ticket_event_state', 'ticket', ['event_id', 'state'], unique=False)
    op.create_index('ix_ticket_event_updated', 'ticket', ['event_id', 'updated_at'], unique=False)
    op.create_index(op.f('ix_ticket_registration_id'), 'ticket', ['registration_id'], unique=False)
    op.create_table('transport_leg',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('carrier', sa.String(length=60), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('station', sa.String(length=120), nullable=False),
    sa.Column('terminal', sa.String(length=40), nullable=False),
    sa.Column('passengers', sa.Integer(), nullable=False),
    sa.Column('luggage', sa.Integer(), nullable=False),
    sa.Column('pickup_wanted', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_transport_leg_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_transport_leg_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicle.id'], name=op.f('fk_transport_leg_vehicle_id_vehicle'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transport_leg'))
    )
    op.create_index('ix_transport_leg_event_direction_time', 'transport_leg', ['event_id', 'direction', 'scheduled_at'], unique=False)
    op.create_index(op.f('ix_transport_leg_registration_id'), 'transport_leg', ['registration_id'], unique=False)
    op.create_index(op.f('ix_transport_leg_vehicle_id'), 'transport_leg', ['vehicle_id'], unique=False)
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
    op.create_index(op.f('ix_offline_scan_event_id'), 'offline_scan', ['event_id'], unique=False)
    op.create_index(op.f('ix_offline_scan_registration_id'), 'offline_scan', ['registration_id'], unique=False)
    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_answer_question_id_survey_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_answer_response_id_survey_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer')),
    sa.UniqueConstraint('response_id', 'question_id', name=op.f('uq_survey_answer_response_id_question_id'))
    )
    op.create_index(op.f('ix_survey_answer_question_id'), 'survey_answer', ['question_id'], unique=False)
    op.create_table('ticket_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=20), nullable=False),
    sa.Column('old', sa.String(length=200), nullable=False),
    sa.Column('new', sa.String(length=200), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_ticket_change_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_change_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_change'))
    )
    op.create_index(op.f('ix_ticket_change_ticket_id'), 'ticket_change', ['ticket_id'], unique=False)
    op.create_table('ticket_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_ticket_message_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_message_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_message'))
    )
    op.create_index(op.f('ix_ticket_message_ticket_id'), 'ticket_message', ['ticket_id'], unique=False)
    op.create_table('ticket_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_rating_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_rating')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_ticket_rating_token_hash'))
    )
    op.create_index(op.f('ix_ticket_rating_ticket_id'), 'ticket_rating', ['ticket_id'], unique=False)
    op.create_table('survey_answer_choice',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('choice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['survey_answer.id'], name=op.f('fk_survey_answer_choice_answer_id_survey_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['choice_id'], ['survey_choice.id'], name=op.f('fk_survey_answer_choice_choice_id_survey_choice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'choice_id', name=op.f('pk_survey_answer_choice'))
    )
    op.create_index(op.f('ix_survey_answer_choice_choice_id'), 'survey_answer_choice', ['choice_id'], unique=False)
    _create_search_index()


def _create_search_index():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # fastupdate off: a new guest goes straight into the index instead of a pending list that every
        # search then reads until a vacuum (after an import of thousands, the planner gave up on the index).
        op.execute(f"CREATE INDEX ix_registration_search ON registration USING gin ({SEARCH_TEXT} gin_trgm_ops) "
                   f"WITH (fastupdate = off)")
        return
    if dialect != "sqlite":
        return
    listed = ", ".join(SEARCH_COLUMNS)
    new = ", ".join(f"new.{c}" for c in SEARCH_COLUMNS)
    old = ", ".join(f"old.{c}" for c in SEARCH_COLUMNS)
    op.execute(f"CREATE VIRTUAL TABLE registration_search USING fts5({listed}, content='registration', "
               f"content_rowid='id', tokenize='trigram')")
    op.execute(f"CREATE TRIGGER registration_search_insert AFTER INSERT ON registration BEGIN "
               f"INSERT INTO registration_search (rowid, {listed}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER registration_search_delete AFTER DELETE ON registration BEGIN "
               f"INSERT INTO registration_search (registration_search, rowid, {listed}) "
               f"VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER registration_search_update AFTER UPDATE OF {listed} ON registration BEGIN "
               f"INSERT INTO registration_search (registration_search, rowid, {listed}) "
               f"VALUES ('delete', old.id, {old}); "
               f"INSERT INTO registration_search (rowid, {listed}) VALUES (new.id, {new}); END")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_registration_search")
    elif dialect == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS registration_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS registration_search")
    op.drop_index(op.f('ix_survey_answer_choice_choice_id'), table_name='survey_answer_choice')
    op.drop_table('survey_answer_choice')
    op.drop_index(op.f('ix_ticket_rating_ticket_id'), table_name='ticket_rating')
    op.drop_table('ticket_rating')
    op.drop_index(op.f('ix_ticket_message_ticket_id'), table_name='ticket_message')
    op.drop_table('ticket_message')
    op.drop_index(op.f('ix_ticket_change_ticket_id'), table_name='ticket_change')
    op.drop_table('ticket_change')
    op.drop_index(op.f('ix_survey_answer_question_id'), table_name='survey_answer')
    op.drop_table('survey_answer')
    op.drop_index(op.f('ix_offline_scan_registration_id'), table_name='offline_scan')
    op.drop_index(op.f('ix_offline_scan_event_id'), table_name='offline_scan')
    op.drop_table('offline_scan')
    op.drop_index(op.f('ix_transport_leg_vehicle_id'), table_name='transport_leg')
    op.drop_index(op.f('ix_transport_leg_registration_id'), table_name='transport_leg')
    op.drop_index('ix_transport_leg_event_direction_time', table_name='transport_leg')
    op.drop_table('transport_leg')
    op.drop_index(op.f('ix_ticket_registration_id'), table_name='ticket')
    op.drop_index('ix_ticket_event_updated', table_name='ticket')
    op.drop_index('ix_ticket_event_state', table_name='ticket')
    op.drop_index(op.f('ix_ticket_assignee_id'), table_name='ticket')
    op.drop_table('ticket')
    op.drop_index('ix_survey_response_survey_draft', table_name='survey_response')
    op.drop_index(op.f('ix_survey_response_category_id'), table_name='survey_response')
    op.drop_table('survey_response')
    op.drop_index(op.f('ix_survey_participation_registration_id'), table_name='survey_participation')
    op.drop_table('survey_participation')
    op.drop_index(op.f('ix_survey_choice_question_id'), table_name='survey_choice')
    op.drop_table('survey_choice')
    op.drop_index(op.f('ix_session_rating_session_id'), table_name='session_rating')
    op.drop_table('session_rating')
    op.drop_index(op.f('ix_registration_change_registration_id'), table_name='registration_change')
    op.drop_table('registration_change')
    op.drop_table('needs_consent')
    op.drop_table('medical_notes')
    op.drop_index(op.f('ix_lodging_request_roommate_id'), table_name='lodging_request')
    op.drop_index(op.f('ix_lodging_request_roommate_email'), table_name='lodging_request')
    op.drop_index(op.f('ix_lodging_request_registration_id'), table_name='lodging_request')
    op.drop_index(op.f('ix_lodging_request_event_id'), table_name='lodging_request')
    op.drop_index(op.f('ix_lodging_request_block_id'), table_name='lodging_request')
    op.drop_table('lodging_request')
    op.drop_table('dietary_needs')
    op.drop_index(op.f('ix_check_in_event_id'), table_name='check_in')
    op.drop_index(op.f('ix_check_in_at'), table_name='check_in')
    op.drop_table('check_in')
    op.drop_index(op.f('ix_badge_print_registration_id'), table_name='badge_print')
    op.drop_index(op.f('ix_badge_print_event_id'), table_name='badge_print')
    op.drop_table('badge_print')
    op.drop_index(op.f('ix_allergy_registration_id'), table_name='allergy')
    op.drop_table('allergy')
    op.drop_index(op.f('ix_agenda_session_invitee_registration_id'), table_name='agenda_session_invitee')
    op.drop_table('agenda_session_invitee')
    op.drop_index(op.f('ix_agenda_schedule_notice_change_id'), table_name='agenda_schedule_notice')
    op.drop_table('agenda_schedule_notice')
    op.drop_table('agenda_feed')
    op.drop_index(op.f('ix_agenda_entry_session_id'), table_name='agenda_entry')
    op.drop_table('agenda_entry')
    op.drop_table('accessibility_needs')
    op.drop_index(op.f('ix_survey_question_survey_id'), table_name='survey_question')
    op.drop_index(op.f('ix_survey_question_section_id'), table_name='survey_question')
    op.drop_index(op.f('ix_survey_question_condition_question_id'), table_name='survey_question')
    op.drop_table('survey_question')
    op.drop_table('room_night')
    op.drop_index(op.f('ix_registration_user_id'), table_name='registration')
    op.drop_index(op.f('ix_registration_surname'), table_name='registration')
    op.drop_index('ix_registration_event_state', table_name='registration')
    op.drop_table('registration')
    op.drop_index(op.f('ix_agenda_session_speaker_speaker_id'), table_name='agenda_session_speaker')
    op.drop_table('agenda_session_speaker')
    op.drop_index(op.f('ix_agenda_session_change_session_id'), table_name='agenda_session_change')
    op.drop_index(op.f('ix_agenda_session_change_event_id'), table_name='agenda_session_change')
    op.drop_table('agenda_session_change')
    op.drop_index(op.f('ix_agenda_session_category_category_id'), table_name='agenda_session_category')
    op.drop_table('agenda_session_category')
    op.drop_index(op.f('ix_survey_section_survey_id'), table_name='survey_section')
    op.drop_table('survey_section')
    op.drop_index(op.f('ix_survey_category_category_id'), table_name='survey_category')
    op.drop_table('survey_category')
    op.drop_index(op.f('ix_room_block_hotel_id'), table_name='room_block')
    op.drop_index(op.f('ix_room_block_event_id'), table_name='room_block')
    op.drop_table('room_block')
    op.drop_index('ix_invitation_mail_pending', table_name='invitation')
    op.drop_index(op.f('ix_invitation_event_id'), table_name='invitation')
    op.drop_table('invitation')
    op.drop_index(op.f('ix_agenda_session_track_id'), table_name='agenda_session')
    op.drop_index(op.f('ix_agenda_session_room_id'), table_name='agenda_session')
    op.drop_index('ix_agenda_session_event_start', table_name='agenda_session')
    op.drop_table('agenda_session')
    op.drop_index(op.f('ix_vehicle_event_id'), table_name='vehicle')
    op.drop_table('vehicle')
    op.drop_table('ticket_counter')
    op.drop_index(op.f('ix_survey_event_id'), table_name='survey')
    op.drop_table('survey')
    op.drop_index(op.f('ix_staff_role_user_id'), table_name='staff_role')
    op.drop_index(op.f('ix_staff_role_event_id'), table_name='staff_role')
    op.drop_table('staff_role')
    op.drop_index(op.f('ix_staff_permission_user_id'), table_name='staff_permission')
    op.drop_index(op.f('ix_staff_permission_event_id'), table_name='staff_permission')
    op.drop_table('staff_permission')
    op.drop_index(op.f('ix_sign_in_session_user_id'), table_name='sign_in_session')
    op.drop_table('sign_in_session')
    op.drop_index(op.f('ix_sign_in_link_user_id'), table_name='sign_in_link')
    op.drop_table('sign_in_link')
    op.drop_table('response_target')
    op.drop_index(op.f('ix_outbound_mail_event_id'), table_name='outbound_mail')
    op.drop_index('ix_outbound_mail_due', table_name='outbound_mail')
    op.drop_table('outbound_mail')
    op.drop_index(op.f('ix_kiosk_device_event_id'), table_name='kiosk_device')
    op.drop_table('kiosk_device')
    op.drop_index(op.f('ix_hotel_event_id'), table_name='hotel')
    op.drop_table('hotel')
    op.drop_index(op.f('ix_category_event_id'), table_name='category')
    op.drop_table('category')
    op.drop_index(op.f('ix_canned_reply_event_id'), table_name='canned_reply')
    op.drop_table('canned_reply')
    op.drop_index(op.f('ix_audit_entry_event_id'), table_name='audit_entry')
    op.drop_index(op.f('ix_audit_entry_at'), table_name='audit_entry')
    op.drop_table('audit_entry')
    op.drop_index('ix_announcement_event_window', table_name='announcement')
    op.drop_table('announcement')
    op.drop_index(op.f('ix_agenda_track_event_id'), table_name='agenda_track')
    op.drop_table('agenda_track')
    op.drop_index(op.f('ix_agenda_speaker_event_id'), table_name='agenda_speaker')
    op.drop_table('agenda_speaker')
    op.drop_index(op.f('ix_agenda_room_event_id'), table_name='agenda_room')
    op.drop_table('agenda_room')
    op.drop_table('user_account')
    op.drop_table('event')
