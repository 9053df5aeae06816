"""One module per way of reaching IT, all with the same small interface (base.py).

Adding a helpdesk (Zammad, GLPI, Jira Service Management) means adding one module here
and naming it in TRANSPORTS.
"""
