"""Name lookup ("the internet address book"): each configured resolver, and the system's way."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from desktop.diagnostics.bounded import call_with_timeout


@dataclass(frozen=True)
class ResolverAnswer:
    server: str
    answered: bool  # any reply at all, even "no such name" or a refusal
    rtt_ms: float | None
    error: str | None

    @property
    def kind(self) -> str:
        """resolved, no_such_name, error_reply (answered, but refused or failed) or
        no_answer: the difference between "does not answer" and "answers, but cannot
        find the names" is the difference between two fixes for IT."""
        if self.answered and self.error is None:
            return "resolved"
        if self.answered and (self.error or "").startswith(NO_SUCH_NAME):
            return "no_such_name"
        if self.answered:
            return "error_reply"
        return "no_answer"


NO_SUCH_NAME = "answered: no such name"
ERROR_REPLY = "answered with an error"
# getaddrinfo's "the name does not exist" (the resolver answered), by platform:
# EAI_NONAME and EAI_NODATA (glibc, macOS), WSAHOST_NOT_FOUND and WSANO_DATA (Windows).
_NO_SUCH_NAME_ERRNOS = {
    getattr(socket, "EAI_NONAME", -2),
    getattr(socket, "EAI_NODATA", -5),
    11001,
    11004,
}


@dataclass(frozen=True)
class SystemLookup:
    name: str
    ok: bool
    addresses: tuple[str, ...]
    elapsed_ms: float | None
    error: str | None
    no_such_name: bool = False  # the system's resolver answered that the name does not exist


def configured_resolvers() -> list[str]:
    """The name servers this computer is set to use (resolv.conf, or the Windows registry)."""
    import dns.resolver  # loaded only for the network walk

    try:
        return list(dns.resolver.Resolver(configure=True).nameservers)
    except (dns.resolver.NoResolverConfiguration, OSError):
        return []


def ask_resolver(server: str, name: str, timeout: float) -> ResolverAnswer:
    """Ask one server directly. Any DNS reply, even "no such name", means it answered."""
    import dns.exception
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server]
    resolver.lifetime = timeout
    resolver.timeout = timeout
    t0 = time.perf_counter()
    try:
        resolver.resolve(name, "A", search=False)
        return ResolverAnswer(server, True, (time.perf_counter() - t0) * 1000, None)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return ResolverAnswer(server, True, (time.perf_counter() - t0) * 1000, NO_SUCH_NAME)
    except dns.resolver.LifetimeTimeout:
        return ResolverAnswer(server, False, None, f"no answer within {timeout:.1f} s")
    except dns.resolver.NoNameservers as exc:
        # dnspython says "... answered SERVFAIL" (or REFUSED) when a reply came back.
        if " answered " in str(exc):
            return ResolverAnswer(
                server, True, (time.perf_counter() - t0) * 1000, f"{ERROR_REPLY}: {exc}"
            )
        return ResolverAnswer(server, False, None, f"failed: {exc}")
    except (dns.exception.DNSException, OSError) as exc:
        return ResolverAnswer(server, False, None, f"{type(exc).__name__}: {exc}")


def system_lookup(name: str, timeout: float) -> SystemLookup:
    """Look the name up the way every program on this computer does (getaddrinfo)."""
    t0 = time.perf_counter()
    try:
        infos = call_with_timeout(
            lambda: socket.getaddrinfo(name, 443, proto=socket.IPPROTO_TCP),
            timeout,
            name="ally-lookup",
        )
    except TimeoutError:
        return SystemLookup(name, False, (), None, f"no answer within {timeout:.1f} s")
    except OSError as exc:
        return SystemLookup(
            name,
            False,
            (),
            (time.perf_counter() - t0) * 1000,
            f"{type(exc).__name__}: {exc.strerror or exc}",
            isinstance(exc, socket.gaierror) and exc.errno in _NO_SUCH_NAME_ERRNOS,
        )
    addresses = tuple(sorted({info[4][0] for info in infos}))
    return SystemLookup(name, True, addresses, (time.perf_counter() - t0) * 1000, None)
