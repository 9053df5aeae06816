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


def ask_resolver(server: str, name: str, timeout: float, port: int = 53) -> ResolverAnswer:
    """Ask one server directly. Any DNS reply, even "no such name", means it answered.

    The question goes out three times, with the same id, a third of the time apart while
    no reply has come, and a reply to any of them counts: on a lossy path a lost datagram
    must not make a working name server look dead (resolvers retransmit for the same
    reason), and on a slow path the first question is still waited for."""
    import dns.exception
    import dns.flags
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype

    query = dns.message.make_query(name, dns.rdatatype.A)
    destination = (server, port)
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    t0 = time.perf_counter()
    deadline = time.time() + timeout  # dnspython's expirations are wall-clock times
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            reply = None
            for wait_until in (deadline - timeout * 2 / 3, deadline - timeout / 3, deadline):
                dns.query.send_udp(sock, query, destination, deadline)
                try:
                    reply, _ = dns.query.receive_udp(
                        sock,
                        destination,
                        wait_until,
                        ignore_unexpected=True,  # a datagram from elsewhere is not the answer
                        ignore_errors=True,  # nor is one that is not this question's reply
                        query=query,
                    )
                    break
                except dns.exception.Timeout:
                    continue
    except (dns.exception.DNSException, OSError) as exc:
        return ResolverAnswer(server, False, None, f"{type(exc).__name__}: {exc}", FAILED)
    if reply is None:
        return ResolverAnswer(server, False, None, _no_answer(timeout), TIMEOUT)
    elapsed = (time.perf_counter() - t0) * 1000
    rcode = reply.rcode()
    if rcode == dns.rcode.NOERROR and (reply.answer or reply.flags & dns.flags.TC):
        return ResolverAnswer(server, True, elapsed, None)
    if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):  # no such name, or no address for it
        return ResolverAnswer(server, True, elapsed, words(NO_SUCH_NAME), NO_SUCH_NAME)
    said = words(ERROR_REPLY, error=f"{server} answered {dns.rcode.to_text(rcode)}")
    return ResolverAnswer(server, True, elapsed, said, ERROR_REPLY)


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
