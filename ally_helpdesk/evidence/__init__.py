"""How the evidence in a report is measured and said: the limits the findings are judged by,
spells over a limit, the statistics of a history and plain numbers. Shared so that the
person's window, IT's view on the desktop and IT's view in the relay never disagree."""
