"""Why a step of the network walk failed: a short code next to IT's words.

The rules match on the code (a timeout on a slow path is excused; a name server that
answered "no such name" is another fix than one that is silent), never on the words,
which come from [evidence.network_walk] in the catalog and may be in any language.
"""

from __future__ import annotations

from typing import Any

TIMEOUT = "timeout"  # nothing came back in time
NO_SUCH_NAME = "no_such_name"  # a name server answered that the name does not exist
ERROR_REPLY = "error_reply"  # a name server answered with a refusal or a failure
REFUSED = "refused"  # the host answered by refusing the connection
FAILED = "failed"  # any other failure; the words say which
# net/http_checks.py also says "certificate", "proxy", "server_error", "unexpected_status"
# and the root causes it finds in requests' errors (its _CAUSES); only TIMEOUT, NO_SUCH_NAME
# and ERROR_REPLY are matched by the rules.


def words(key: str, /, **values: Any) -> str:
    """IT's words ``key`` of [evidence.network_walk], filled in."""
    from desktop.diagnostics.it_words import it_says

    return it_says("network_walk", key, **values)
