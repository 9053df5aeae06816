"""a counter of changes to devices' tokens, for the relays' memory of devices

Every relay process remembers the devices it let in, and asks the database at most once
every 2 seconds whether any device was revoked since (one row, read by its key). The
counter goes up in the database itself, by triggers on ``devices``: a revocation from IT's
page, from ``ally-relay device revoke`` on another machine, or by hand in SQL, a device
deleted, a token replaced — all count, whatever the clocks of the machines that made
them say. Revoking a device already revoked changes nothing and counts nothing.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BUMP = "UPDATE device_changes SET generation = generation + 1 WHERE id = 1"
CHANGED = "OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.token_hash <> NEW.token_hash"

POSTGRES = [
    f"""CREATE FUNCTION ally_device_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {BUMP}; RETURN NULL; END $$""",
    f"""CREATE TRIGGER devices_token_changed AFTER UPDATE OF revoked_at, token_hash
    ON devices FOR EACH ROW WHEN ({CHANGED}) EXECUTE PROCEDURE ally_device_changed()""",
    """CREATE TRIGGER devices_deleted AFTER DELETE ON devices
    FOR EACH ROW EXECUTE PROCEDURE ally_device_changed()""",
]
SQLITE = [
    f"""CREATE TRIGGER devices_token_changed AFTER UPDATE OF revoked_at, token_hash
    ON devices FOR EACH ROW WHEN {CHANGED.replace("IS DISTINCT FROM", "IS NOT")}
    BEGIN {BUMP}; END""",
    f"""CREATE TRIGGER devices_deleted AFTER DELETE ON devices
    FOR EACH ROW BEGIN {BUMP}; END""",
]


def upgrade() -> None:
    table = op.create_table(
        "device_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_changes")),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 0}])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES if postgres else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for trigger in ("devices_token_changed", "devices_deleted"):
        op.execute(f"DROP TRIGGER {trigger}" + (" ON devices" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION ally_device_changed()")
    op.drop_table("device_changes")
