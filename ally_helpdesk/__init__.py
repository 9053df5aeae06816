"""What the desktop and the relay share about a report: its format and schema, how IT reads
it (the HTML view and its charts, judged by the same limits and spells as the desktop's
findings), the transports that hand it to a helpdesk and their policy keys.

No Qt and no psutil here: the relay installs this package and the words (``ally_words``),
never the desktop. Only ``ally_words`` may be imported from here
(tests/unit/test_import_graph.py holds the layers).
"""

__version__ = "0.1.0"
