"""Name lookup ("the internet address book"): each configured resolver, and the system's way."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from desktop.diagnostics.bounded import call_with_timeout


@dataclass(frozen=True)
class ResolverAnswer:
    server: str
    answered: bool
    rtt_ms: float | None
    error: str | None


@dataclass(frozen=True)
class SystemLookup:
    name: str
    ok: bool
    addresses: tuple[str, ...]
    elapsed_ms: float | None
    error: str | None


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
        return ResolverAnswer(
            server, True, (time.perf_counter() - t0) * 1000, "answered: no such name"
        )
    except dns.resolver.LifetimeTimeout:
        return ResolverAnswer(server, False, None, f"no answer within {timeout:.1f} s")
    except dns.resolver.NoNameservers as exc:
        return ResolverAnswer(server, False, None, f"refused or failed: {exc}")
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
        )
    addresses = tuple(sorted({info[4][0] for info in infos}))
    return SystemLookup(name, True, addresses, (time.perf_counter() - t0) * 1000, None)
