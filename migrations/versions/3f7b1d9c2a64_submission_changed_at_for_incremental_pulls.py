"""a record's last change by an edit or a review (Central's updatedAt), indexed per form for
incremental OData pulls

Revision ID: 3f7b1d9c2a64
Revises: 3f7b9d2e5a18
Create Date: 2026-12-04 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f7b1d9c2a64'
down_revision = '3f7b9d2e5a18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_submission_form_id_changed_at', ['form_id', 'changed_at'], unique=False)
    # The records already there: their last edit or officer's change of review state, as the
    # feed computed it before the column existed (max ignores the side that has none).
    op.execute(
        "UPDATE submission SET changed_at = (SELECT max(moment) FROM ("
        " SELECT max(v.received_at) AS moment FROM submission_version v"
        "  WHERE v.submission_id = submission.id AND v.deprecated_id IS NOT NULL"
        " UNION ALL"
        " SELECT max(c.at) AS moment FROM submission_comment c"
        "  WHERE c.submission_id = submission.id AND c.review_state IS NOT NULL"
        ") AS changes)"
    )


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_form_id_changed_at')
        batch_op.drop_column('changed_at')
