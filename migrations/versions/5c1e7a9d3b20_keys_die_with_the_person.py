"""keys die with the person: users' key version, web-form app users' person, known devices'
failed sign-ins

Revision ID: 5c1e7a9d3b20
Revises: 5e1a7c3d9b20
Create Date: 2026-12-03 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e7a9d3b20'
down_revision = '5e1a7c3d9b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('key_version', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_app_user_user_id_user'), 'user', ['user_id'], ['id'])

    # The officers' web-form app users (login "web.<user id>"; a phone's login never holds a
    # dot) get their person; with no key version their old tokens stop working, and the
    # officer's next visit to the web form issues one tied to them. One whose person is gone
    # is revoked. (Parsed here, not cast in SQL: PostgreSQL may cast a phone's login too.)
    connection = op.get_bind()
    people = {row.id for row in connection.execute(sa.text('SELECT id FROM "user"'))}
    web_form_users = connection.execute(
        sa.text("SELECT id, login FROM app_user WHERE login LIKE 'web.%'")
    ).all()
    for app_user_id, login in web_form_users:
        suffix = login.removeprefix("web.")
        person = int(suffix) if suffix.isdigit() else None
        if person in people:
            connection.execute(
                sa.text("UPDATE app_user SET user_id = :person WHERE id = :id"),
                {"person": person, "id": app_user_id},
            )
        else:
            connection.execute(
                sa.text(
                    "UPDATE app_user SET revoked_at = CURRENT_TIMESTAMP "
                    "WHERE id = :id AND revoked_at IS NULL"
                ),
                {"id": app_user_id},
            )

    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_login_failure_device'), ['device'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_device'))
        batch_op.drop_column('device')

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_app_user_user_id_user'), type_='foreignkey')
        batch_op.drop_column('key_version')
        batch_op.drop_column('user_id')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('key_version')
