"""Name lookup ("the internet address book"): each configured resolver, and the system's way."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from desktop.diagnostics.bounded import call_with_timeout
from desktop.diagnostics.net.causes import ERROR_REPLY, FAILED, NO_SUCH_NAME, TIMEOUT, words


@dataclass(frozen=True)
class ResolverAnswer:
    server: str
    answered: bool  # any reply at all, even "no such name" or a refusal
    rtt_ms: float | None
    error: str | None
    cause: str | None = None  # a code of net/causes.py when there was no good answer

    @property
    def kind(self) -> str:
        """resolved, no_such_name, error_reply (answered, but refused or failed) or
        no_answer: the difference between "does not answer" and "answers, but cannot
        find the names" is the difference between two fixes for IT."""
        if self.answered and self.error is None:
            return "resolved"
        if self.answered and self.cause == NO_SUCH_NAME:
            return "no_such_name"
        if self.answered:
            return "error_reply"
        return "no_answer"


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
    cause: str | None = None  # a code of net/causes.py when it failed


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
        elapsed = (time.perf_counter() - t0) * 1000
        return ResolverAnswer(server, True, elapsed, words(NO_SUCH_NAME), NO_SUCH_NAME)
    except dns.resolver.LifetimeTimeout:
        return ResolverAnswer(server, False, None, _no_answer(timeout), TIMEOUT)
    except dns.resolver.NoNameservers as exc:
        # dnspython says "... answered SERVFAIL" (or REFUSED) when a reply came back.
        if " answered " in str(exc):
            elapsed = (time.perf_counter() - t0) * 1000
            said = words(ERROR_REPLY, error=exc)
            return ResolverAnswer(server, True, elapsed, said, ERROR_REPLY)
        return ResolverAnswer(server, False, None, words(FAILED, error=exc), FAILED)
    except (dns.exception.DNSException, OSError) as exc:
        return ResolverAnswer(server, False, None, f"{type(exc).__name__}: {exc}", FAILED)


def _no_answer(timeout: float) -> str:
    return words("no_answer_within", seconds=timeout)


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
        return SystemLookup(name, False, (), None, _no_answer(timeout), cause=TIMEOUT)
    except OSError as exc:
        no_such_name = isinstance(exc, socket.gaierror) and exc.errno in _NO_SUCH_NAME_ERRNOS
        return SystemLookup(
            name,
            False,
            (),
            (time.perf_counter() - t0) * 1000,
            f"{type(exc).__name__}: {exc.strerror or exc}",
            no_such_name,
            NO_SUCH_NAME if no_such_name else FAILED,
        )
    addresses = tuple(sorted({info[4][0] for info in infos}))
    return SystemLookup(name, True, addresses, (time.perf_counter() - t0) * 1000, None)
