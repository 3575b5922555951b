"""commendation review of exited households, and policy dialogues with their follow-up items

Revision ID: 8c4e2a6f1d53
Revises: 7a3c5e1f9b42
Create Date: 2026-12-04 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c4e2a6f1d53'
down_revision = '7a3c5e1f9b42'
branch_labels = None
depends_on = None

STATES = ('proposed', 'approved', 'declined')


def upgrade():
    op.create_table('commendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum(*STATES, name='commendationstate', native_enum=False, length=20), nullable=False),
    sa.Column('proposal_note', sa.String(length=500), nullable=False),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_commendation_household_id_household')),
    sa.ForeignKeyConstraint(['proposed_by'], ['user.id'], name=op.f('fk_commendation_proposed_by_user')),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], name=op.f('fk_commendation_decided_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commendation')),
    sa.UniqueConstraint('household_id', 'period', name=op.f('uq_commendation_household_id_period'))
    )
    with op.batch_alter_table('commendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commendation_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commendation_period'), ['period'], unique=False)

    op.create_table('dialogue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_dialogue_area_id_area')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user.id'], name=op.f('fk_dialogue_recorded_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue'))
    )
    with op.batch_alter_table('dialogue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogue_period'), ['period'], unique=False)

    op.create_table('dialogue_attendee',
    sa.Column('dialogue_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogue.id'], name=op.f('fk_dialogue_attendee_dialogue_id_dialogue')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_dialogue_attendee_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('dialogue_id', 'organisation_id', name=op.f('pk_dialogue_attendee'))
    )
    op.create_table('dialogue_item',
    sa.Column('dialogue_id', sa.Integer(), nullable=False),
    sa.Column('plan_item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogue.id'], name=op.f('fk_dialogue_item_dialogue_id_dialogue')),
    sa.ForeignKeyConstraint(['plan_item_id'], ['plan_item.id'], name=op.f('fk_dialogue_item_plan_item_id_plan_item')),
    sa.PrimaryKeyConstraint('dialogue_id', 'plan_item_id', name=op.f('pk_dialogue_item'))
    )


def downgrade():
    op.drop_table('dialogue_item')
    op.drop_table('dialogue_attendee')
    op.drop_table('dialogue')
    op.drop_table('commendation')
