"""``ally-relay health``: ask the relay running on this machine for its /healthz, at the
address and port its own settings name, over TLS when it speaks TLS itself. For a
container's HEALTHCHECK or a monitoring agent, so that neither has to know the port.

With TLS, the answer must come from the holder of the relay's own certificate
(``tls_cert`` is the trust anchor, the chain may be partial); the name in it is not
compared, because this asks the loopback address, which no certificate names.
"""

from __future__ import annotations

import json
import ssl
import sys
import urllib.error
import urllib.request

from ally_words import say
from relay.config import ServerSettings

EXIT_OK, EXIT_FAIL = 0, 1
TIMEOUT_S = 4.0


def local_url(server: ServerSettings) -> str:
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(server.host, server.host)
    if ":" in host:
        host = f"[{host}]"
    return f"{'https' if server.tls_cert else 'http'}://{host}:{server.port}/healthz"


def probe(server: ServerSettings) -> int:
    """0 when the relay answers that it is well; else 1, with what it said or why not."""
    context = None
    if server.tls_cert:
        context = ssl.create_default_context(cafile=server.tls_cert)
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        context.check_hostname = False
    url = local_url(server)
    # Never through a proxy from the environment: this asks the relay on this machine.
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    try:
        with opener.open(url, timeout=TIMEOUT_S) as answer:
            body = answer.read(65536)
            status = answer.status
    except urllib.error.HTTPError as exc:  # 503: the relay says what is wrong
        body, status = exc.read(65536), exc.code
    except (OSError, ssl.SSLError) as exc:
        sys.stderr.write(say("no_answer", "relay_cli", url=url, error=exc) + "\n")
        return EXIT_FAIL
    try:
        said = json.loads(body)
    except ValueError:
        said = body[:200].decode("utf-8", "replace")
    print(json.dumps({"url": url, "http_status": status, "answer": said}))
    return EXIT_OK if status == 200 else EXIT_FAIL
