"""coordinator roles: lodging, transport and catering coordinators instead of one "coordinator"

Revision ID: 0021_coordinator_roles
Revises: 0020_event_look
Create Date: 2026-12-06 08:45:00.000000

Each coordinator reaches only their own area (least access). Everyone who held
"coordinator" for an event keeps what they could do: they now hold the three
roles there, and their open sessions carry the new names (a session whose roles
are no longer all held would end at its next request). A CHECK keeps the role
column to the roles the console knows.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_coordinator_roles'
down_revision = '0020_event_look'
branch_labels = None
depends_on = None

COORDINATORS = ('lodging', 'transport', 'catering')
ROLES = ('organizer', *COORDINATORS, 'helpdesk')


def one_of(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _rename_in_sessions(old, new):
    # A session's roles read "<event id>:<role> ...": rename the role where it is held.
    op.execute(sa.text("UPDATE sign_in_session SET roles = REPLACE(roles, :old, :new) WHERE roles LIKE :held")
               .bindparams(old=f":{old}", new=f":{new}", held=f"%:{old}%"))


def upgrade():
    for role in COORDINATORS:
        op.execute(sa.text(
            "INSERT INTO staff_role (user_id, event_id, role) "
            "SELECT user_id, event_id, :role FROM staff_role old WHERE old.role = 'coordinator' "
            "AND NOT EXISTS (SELECT 1 FROM staff_role held WHERE held.user_id = old.user_id "
            "AND held.event_id = old.event_id AND held.role = :role)").bindparams(role=role))
    op.execute("DELETE FROM staff_role WHERE role = 'coordinator'")
    _rename_in_sessions('coordinator', 'catering')
    with op.batch_alter_table('staff_role', schema=None) as batch_op:
        batch_op.create_check_constraint('role', one_of('role', ROLES))


def downgrade():
    with op.batch_alter_table('staff_role', schema=None) as batch_op:
        batch_op.drop_constraint('role', type_='check')
    op.execute(
        "INSERT INTO staff_role (user_id, event_id, role) "
        "SELECT DISTINCT user_id, event_id, 'coordinator' FROM staff_role "
        "WHERE role IN ('lodging', 'transport', 'catering')")
    op.execute("DELETE FROM staff_role WHERE role IN ('lodging', 'transport', 'catering')")
    for role in COORDINATORS:
        _rename_in_sessions(role, 'coordinator')
