"""report bodies compressed with lz4 on PostgreSQL 14 and later

A report body (about 13 KB of JSON) is stored out of line and compressed. PostgreSQL's
default, pglz, cost its server more processor time per report taken than anything else
it does for the relay; lz4 compresses as well for these bodies at a fraction of the cost.
Only new values are written with lz4: bodies stored before stay as they are and read
back the same. SQLite, and PostgreSQL servers before 14 or built without lz4, are left
untouched.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LZ4_AVAILABLE = sa.text(
    "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
)


def _postgres_with_lz4() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or bind.dialect.server_version_info < (14,):
        return False
    return bool(bind.execute(LZ4_AVAILABLE).scalar())


def upgrade() -> None:
    if _postgres_with_lz4():
        op.execute("ALTER TABLE reports ALTER COLUMN body SET COMPRESSION lz4")


def downgrade() -> None:
    if _postgres_with_lz4():
        op.execute("ALTER TABLE reports ALTER COLUMN body SET COMPRESSION DEFAULT")
