"""records held outside their sender's area: a version's hold, its sender's area and the
village it names

Revision ID: 5e1a7c3d9b20
Revises: b0960b162b66
Create Date: 2026-11-28 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c3d9b20'
down_revision = 'b0960b162b66'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_hold', sa.Enum('held', 'applied', 'rejected', name='areahold', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('sender_area_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('named_village_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_submission_version_sender_area_id_area'), 'area', ['sender_area_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_submission_version_named_village_id_area'), 'area', ['named_village_id'], ['id'])


def downgrade():
    with op.batch_alter_table('submission_version', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submission_version_named_village_id_area'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_submission_version_sender_area_id_area'), type_='foreignkey')
        batch_op.drop_column('named_village_id')
        batch_op.drop_column('sender_area_id')
        batch_op.drop_column('area_hold')
