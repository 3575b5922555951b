"""roles named by level: district_officer becomes upper_officer (the area tree decides what
is above a commune: a province, or a district where a tree still has one)

Revision ID: 6b2d8f4a1c37
Revises: 5c1e7a9d3b20
Create Date: 2026-12-04 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b2d8f4a1c37'
down_revision = '5c1e7a9d3b20'
branch_labels = None
depends_on = None

# The role column is a plain string (a non-native enum without a CHECK): only the rows change.
# The audit log keeps its words as written then; the details of a role change name the old
# value, which is history, not a role anyone holds.


def upgrade():
    op.execute(sa.text("UPDATE \"user\" SET role = 'upper_officer' WHERE role = 'district_officer'"))


def downgrade():
    op.execute(sa.text("UPDATE \"user\" SET role = 'district_officer' WHERE role = 'upper_officer'"))
