"""The relay's tables, declared once for SQLite and PostgreSQL (SQLAlchemy Core).

Alembic's migrations (``relay/migrations/versions``) create and change these; a test
compares the two so that a column added here without a migration fails.
Times are seconds since the epoch as floats: the same on both databases, cheap to
compare in the forwarding queue, and shown in UTC on IT's pages.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

enrolment_tokens = Table(
    "enrolment_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("note", String(200), nullable=False, default=""),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=True),  # None: until revoked
    Column("max_uses", Integer, nullable=True),  # None: any number of devices
    Column("uses", Integer, nullable=False, default=0),
    Column("revoked_at", Float, nullable=True),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("name", String(255), nullable=False),  # the host name the desktop gave
    Column("ally_version", String(40), nullable=False, default=""),
    Column("enrolled_at", Float, nullable=False),
    Column("enrolled_with", String(32), ForeignKey("enrolment_tokens.id"), nullable=True),
    Column("enrolled_from", String(64), nullable=False, default=""),  # client address
    Column("last_seen_at", Float, nullable=True),
    Column("revoked_at", Float, nullable=True),
)

reports = Table(
    "reports",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),  # what people are told
    Column("report_id", String(36), nullable=False, unique=True),  # the desktop's uuid
    Column("device_id", String(32), ForeignKey("devices.id"), nullable=False),
    Column("received_at", Float, nullable=False),
    Column("body", LargeBinary, nullable=True),  # None once dropped after keep_delivered_days
    Column("body_sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("symptom", String(20), nullable=False, default=""),
    Column("hostname", String(255), nullable=False, default=""),
    Column("headline", String(500), nullable=False, default=""),
    Column("state", String(12), nullable=False, default="queued"),  # queued|delivered|stopped
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False, default=0.0),
    Column("lease_until", Float, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("transport", String(40), nullable=True),
    Column("reference", String(255), nullable=True),  # the helpdesk's ticket number
    Column("ticket_url", String(1000), nullable=True),
    Column("delivered_at", Float, nullable=True),
    Column("ticket_status", String(40), nullable=True),
    Column("status_checked_at", Float, nullable=True),
)
# The forwarders' claim walks this index in order and stops at the first free, due row:
# a 10,000-report backlog costs the same per claim as an empty queue.
Index("ix_reports_queue", reports.c.state, reports.c.next_attempt_at, reports.c.number)
Index("ix_reports_device", reports.c.device_id, reports.c.number)

# One row (id 1) whose generation goes up whenever a device's token stops or changes
# (triggers on devices, migration 0003): each relay process reads it at most every 2 s
# and forgets the devices it remembered when it moved.
device_changes = Table(
    "device_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", Integer, nullable=False),
)

admin_users = Table(
    "admin_users",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float, nullable=True),
)

admin_sessions = Table(
    "admin_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_name", String(100), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)
