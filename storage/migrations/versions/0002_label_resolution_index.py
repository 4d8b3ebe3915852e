"""covering index for label resolution

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 20:35:00

Resolving 1,000,000 labels groups them by (image, city) with each voter's kind and time; this index
lets SQLite read them in that order from the index alone (bench/label_store.py, bench/README.md).
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.create_index("ix_labels_resolution", ["image_id", "city_id", "user_id", "kind", "updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.drop_index("ix_labels_resolution")
