"""linked accounts: users.person_id points at the person's primary account

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 21:40:00

A Discord and a Telegram account are different people unless an admin links them; a linked account
names its primary here so label resolution can count the person once (storage/labels.py).
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Plain ALTER, not batch: rebuilding `users` would drop it, and with foreign keys on that
        # cascades into deleting every label (PRAGMA foreign_keys cannot change inside the transaction).
        op.execute("ALTER TABLE users ADD COLUMN person_id INTEGER REFERENCES users (id)")
    else:
        op.add_column("users", sa.Column("person_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_users_person_id_users", "users", "users", ["person_id"], ["id"])
    op.create_index("ix_users_person_id", "users", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_users_person_id", table_name="users")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE users DROP COLUMN person_id")  # SQLite >= 3.35, again without a rebuild
    else:
        op.drop_constraint("fk_users_person_id_users", "users", type_="foreignkey")
        op.drop_column("users", "person_id")
