"""support plans: organisations, their responsibilities and the plan items of households

Revision ID: 7a3c5e1f9b42
Revises: 6b2d8f4a1c37
Create Date: 2026-12-04 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3c5e1f9b42'
down_revision = '6b2d8f4a1c37'
branch_labels = None
depends_on = None

KINDS = (
    'commune_committee', 'fatherland_front', 'womens_union', 'farmers_union', 'veterans',
    'youth_union', 'vbsp', 'school', 'health_station', 'business', 'sponsor',
)
STATES = ('planned', 'in_progress', 'delivered', 'not_possible')


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='organisationkind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_organisation_area_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('area_id', 'name', name=op.f('uq_organisation_area_id_name'))
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_area_id'), ['area_id'], unique=False)

    op.create_table('responsibility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('cadre', sa.String(length=200), nullable=False),
    sa.Column('sponsor', sa.Boolean(), nullable=False),
    sa.Column('committed', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_responsibility_household_id_household')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_responsibility_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['village_id'], ['area.id'], name=op.f('fk_responsibility_village_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsibility'))
    )
    with op.batch_alter_table('responsibility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsibility_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsibility_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsibility_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsibility_village_id'), ['village_id'], unique=False)

    op.create_table('plan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('support', sa.String(length=500), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=0), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('state', sa.Enum(*STATES, name='planstate', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_plan_item_household_id_household')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_plan_item_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_item'))
    )
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_item_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_item_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_item_period'), ['period'], unique=False)


def downgrade():
    op.drop_table('plan_item')
    op.drop_table('responsibility')
    op.drop_table('organisation')
