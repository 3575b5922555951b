"""the forwarding queue and the leases of single-holder work move into the database

Revision ID: 9e5b3c7d2a14
Revises: 8c4e2a6f1d53
Create Date: 2026-12-04 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e5b3c7d2a14'
down_revision = '8c4e2a6f1d53'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forward_item',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('files_sent', sa.Text(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['submission_version.id'], name=op.f('fk_forward_item_version_id_submission_version')),
    sa.PrimaryKeyConstraint('version_id', name=op.f('pk_forward_item'))
    )
    with op.batch_alter_table('forward_item', schema=None) as batch_op:
        batch_op.create_index('ix_forward_item_due', ['state', 'next_try_at'], unique=False)
    op.create_table('lease',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_lease'))
    )


def downgrade():
    op.drop_table('lease')
    with op.batch_alter_table('forward_item', schema=None) as batch_op:
        batch_op.drop_index('ix_forward_item_due')
    op.drop_table('forward_item')
