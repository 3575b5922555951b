"""the quick screening (Phiếu A) of a household for a list year

Revision ID: 3f7b9d2e5a61
Revises: 3f7b1d9c2a64
Create Date: 2026-12-04 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f7b9d2e5a61'
down_revision = '3f7b1d9c2a64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('household_screening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_code', sa.String(length=40), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('listed_or_applied', sa.Boolean(), nullable=False),
    sa.Column('signs', sa.String(length=400), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['area.id'], name=op.f('fk_household_screening_village_id_area')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_household_screening_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_screening')),
    sa.UniqueConstraint('household_code', 'period', name=op.f('uq_household_screening_household_code_period'))
    )
    with op.batch_alter_table('household_screening', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_screening_household_code'), ['household_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_screening_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_screening_village_id'), ['village_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_screening_submission_id'), ['submission_id'], unique=False)


def downgrade():
    with op.batch_alter_table('household_screening', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_screening_submission_id'))
        batch_op.drop_index(batch_op.f('ix_household_screening_village_id'))
        batch_op.drop_index(batch_op.f('ix_household_screening_period'))
        batch_op.drop_index(batch_op.f('ix_household_screening_household_code'))

    op.drop_table('household_screening')
