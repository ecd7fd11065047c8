"""costs: budget lines per event, per-head meal rates, vehicle rates

Revision ID: 0024_costs
Revises: 0023_guest_search
Create Date: 2026-12-06 08:45:00.000000

The cost view (portal/reporting/costs.py) sets what the organizer budgeted
against what lodging (nights × block rates), transport (vehicles × rates) and
catering (guests at each meal × per-head rates) cost.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024_costs'
down_revision = '0023_guest_search'
branch_labels = None
depends_on = None

CATEGORIES = "category IN ('lodging', 'transport', 'catering', 'venue', 'equipment', 'promotion', 'other')"


def upgrade():
    op.create_table(
        'budget_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(CATEGORIES, name='category'),
        sa.CheckConstraint('amount >= 0', name='amount_not_negative'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name='fk_budget_line_event_id_event',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_budget_line'),
    )
    op.create_index('ix_budget_line_event_id', 'budget_line', ['event_id'], unique=False)
    op.create_table(
        'meal_rate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('meal', sa.String(length=20), nullable=False),
        sa.Column('per_head', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.CheckConstraint('per_head >= 0', name='per_head_not_negative'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name='fk_meal_rate_event_id_event', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_meal_rate'),
        sa.UniqueConstraint('event_id', 'meal', name='uq_meal_rate_event_id_meal'),
    )
    op.create_index('ix_meal_rate_event_id', 'meal_rate', ['event_id'], unique=False)
    for table in ('vehicle', 'meal'):
        column = 'rate' if table == 'vehicle' else 'per_head'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Numeric(precision=10, scale=2), nullable=True))
            batch_op.add_column(sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False))


def downgrade():
    for table in ('meal', 'vehicle'):
        column = 'rate' if table == 'vehicle' else 'per_head'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('currency')
            batch_op.drop_column(column)
    op.drop_index('ix_meal_rate_event_id', table_name='meal_rate')
    op.drop_table('meal_rate')
    op.drop_index('ix_budget_line_event_id', table_name='budget_line')
    op.drop_table('budget_line')
