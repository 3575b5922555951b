"""where a village hung before a reform re-hung it (area_placement)

Revision ID: 3f7b9d2e5a18
Revises: 9e5b3c7d2a14
Create Date: 2026-12-04 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f7b9d2e5a18'
down_revision = '9e5b3c7d2a14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('area_placement',
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_area_placement_area_id_area')),
    sa.PrimaryKeyConstraint('area_id', 'valid_to', name=op.f('pk_area_placement'))
    )


def downgrade():
    op.drop_table('area_placement')
