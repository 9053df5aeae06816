"""Asking one name server directly, against a real UDP name server on loopback that
loses, delays, refuses and misbehaves on purpose."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dns.flags
import dns.message
import dns.rcode
import dns.rrset

from desktop.diagnostics.net.causes import ERROR_REPLY, FAILED, NO_SUCH_NAME, TIMEOUT
from desktop.diagnostics.net.names import ask_resolver

NAME = "check.ally.test"


def answer(query: dns.message.Message, rcode: int = dns.rcode.NOERROR) -> bytes:
    reply = dns.message.make_response(query)
    reply.set_rcode(rcode)
    if rcode == dns.rcode.NOERROR:
        reply.answer.append(dns.rrset.from_text(NAME + ".", 60, "IN", "A", "198.18.1.10"))
    return reply.to_wire()


@contextmanager
def name_server(
    behave: Callable[[int, dns.message.Message], list[tuple[float, bytes]]],
) -> Iterator[tuple[int, list[float]]]:
    """A name server on 127.0.0.1: for the n-th question (from 1) ``behave`` gives the
    datagrams to send back, each after its delay. Yields the port and the questions' times."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    asked: list[float] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            asked.append(time.monotonic())
            query = dns.message.from_wire(wire)
            for delay, data in behave(len(asked), query):
                threading.Timer(delay, sock.sendto, (data, peer)).start()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield sock.getsockname()[1], asked
    finally:
        stop.set()
        t.join()
        sock.close()


def test_lost_questions_are_asked_again_and_the_server_counts_as_answering():
    # The first two questions are lost on the way (the server never replies to them).
    with name_server(lambda n, q: [] if n < 3 else [(0, answer(q))]) as (port, asked):
        got = ask_resolver("127.0.0.1", NAME, 1.5, port=port)
    assert got.answered and got.kind == "resolved", got
    assert len(asked) == 3
    gaps = [b - a for a, b in itertools.pairwise(asked)]
    assert all(0.45 <= g <= 0.7 for g in gaps), gaps  # a third of the time apart


def test_a_slow_reply_to_the_first_question_still_counts():
    # 700 ms round trip: the question was sent again at 500 ms, the first reply wins.
    with name_server(lambda n, q: [(0.7, answer(q))] if n == 1 else []) as (port, asked):
        got = ask_resolver("127.0.0.1", NAME, 1.5, port=port)
    assert got.kind == "resolved", got
    assert 650 <= got.rtt_ms < 1000
    assert len(asked) == 2


def test_a_server_that_never_answers_times_out_within_the_limit():
    with name_server(lambda n, q: []) as (port, asked):
        t0 = time.monotonic()
        got = ask_resolver("127.0.0.1", NAME, 0.6, port=port)
        took = time.monotonic() - t0
    assert not got.answered and got.cause == TIMEOUT and got.kind == "no_answer"
    assert 0.55 <= took < 0.9
    assert len(asked) == 3


def test_no_such_name_and_refusals_are_answers():
    with name_server(lambda n, q: [(0, answer(q, dns.rcode.NXDOMAIN))]) as (port, _):
        nx = ask_resolver("127.0.0.1", NAME, 1.0, port=port)
    assert nx.answered and nx.cause == NO_SUCH_NAME and nx.kind == "no_such_name"
    with name_server(lambda n, q: [(0, answer(q, dns.rcode.SERVFAIL))]) as (port, _):
        fail = ask_resolver("127.0.0.1", NAME, 1.0, port=port)
    assert fail.answered and fail.cause == ERROR_REPLY and fail.kind == "error_reply"
    assert "SERVFAIL" in (fail.error or "")

    def no_address(n: int, q: dns.message.Message) -> list[tuple[float, bytes]]:
        return [(0, dns.message.make_response(q).to_wire())]  # the name exists, no A record

    with name_server(no_address) as (port, _):
        empty = ask_resolver("127.0.0.1", NAME, 1.0, port=port)
    assert empty.kind == "no_such_name"


def test_a_truncated_reply_means_the_server_answered():
    def truncated(n: int, q: dns.message.Message) -> list[tuple[float, bytes]]:
        reply = dns.message.make_response(q)
        reply.flags |= dns.flags.TC
        return [(0, reply.to_wire())]

    with name_server(truncated) as (port, _):
        got = ask_resolver("127.0.0.1", NAME, 1.0, port=port)
    assert got.kind == "resolved"


def test_garbage_and_replies_to_other_questions_are_not_taken_for_the_answer():
    def hostile(n: int, q: dns.message.Message) -> list[tuple[float, bytes]]:
        other = dns.message.make_query(NAME, "A")
        other.id = (q.id + 1) % 65536
        return [
            (0, b"\xff" * 40),  # not DNS at all
            (0, b"\x00"),  # too short to be DNS
            (0, answer(other, dns.rcode.SERVFAIL)),  # a reply, but to another question
            (0.1, answer(q)),  # the real one
        ]

    with name_server(hostile) as (port, _):
        got = ask_resolver("127.0.0.1", NAME, 1.0, port=port)
    assert got.kind == "resolved", got


def test_an_address_that_cannot_be_used_is_a_failure_not_a_crash():
    got = ask_resolver("not an address", NAME, 0.5)
    assert not got.answered and got.cause == FAILED
