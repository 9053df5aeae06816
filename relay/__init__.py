"""Ally Relay: the server IT runs so that desktops hold no helpdesk credentials.

Desktops enrol once and get a device token of their own; the relay stores each report in
a durable queue (SQLite or PostgreSQL), answers with a receipt naming the report, forwards
it with Ally's own transports (Request Tracker, email, webhook, folder), and answers each
device about its own reports only. Never installed on desktops (the ``relay`` extra).
"""

__version__ = "0.1.0"
RECEIPT_SCHEMA = "ally.relay-receipt/1"
