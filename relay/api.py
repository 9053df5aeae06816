"""What desktops talk to: enrol, send a report, ask about their own reports.

Every request body is read as a stream with a size cap and a time limit, so a huge or a
slow body is refused while it arrives, not after it filled memory. Every answer about a
report is scoped to the device that asks: another device's report is "not found", the
same as one that does not exist.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ally_helpdesk.report_format import SCHEMA as REPORT_SCHEMA
from ally_helpdesk.report_format import json_schema
from relay import RECEIPT_SCHEMA, __version__
from relay.context import Relay
from relay.db import sqlite_not_writable
from relay.intake import NotStored
from relay.report_json import parse_report
from relay.store import Refused

log = logging.getLogger("relay.api")
# \Z, not $: "$" also matches before a newline at the end, and an id ending in one became
# a file name with a newline in IT's folder and a forward stuck on an invalid header.
UUID = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
NUMBER = re.compile(r"\A[0-9]{1,9}\Z")  # within a 32-bit integer on every database
ENROL_MAX_BYTES = 4096
INLINE_CHECK_BYTES = 64 * 1024
NOT_STORED_RETRY_S = 60  # the database full or away: the device tries again after this
_validator: list[Any] = []
_fast_validator: list[Any] = []


def fast_validator() -> Any:
    """jsonschema-rs, compiled once: it says whether a report is valid in about 10 µs
    where jsonschema takes 1.7 ms for the same report. Formats are annotations only, as
    in jsonschema without a format checker."""
    if not _fast_validator:
        import jsonschema_rs

        schema = json_schema()
        _fast_validator.append(jsonschema_rs.validator_for(schema, validate_formats=False))
    return _fast_validator[0]


def validator() -> Any:
    """jsonschema, the judge of any report the fast check refuses: its verdict and its
    words stand. Built on first use (it takes a while to import)."""
    if not _validator:
        import jsonschema

        schema = json_schema()
        _validator.append(jsonschema.Draft202012Validator(schema))
    return _validator[0]


class BodyError(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


async def read_body(request: Request, limit: int, timeout_s: float) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise BodyError(413, "too_large")

    async def collect() -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyError(413, "too_large")
            chunks.append(chunk)
        return b"".join(chunks)

    try:
        return await asyncio.wait_for(collect(), timeout_s)
    except asyncio.TimeoutError as exc:
        raise BodyError(408, "too_slow") from exc


def error(status: int, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code}, status, headers=headers)


def bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    return value[7:].strip() if value[:7].lower() == "bearer " else None


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def device_of(relay: Relay, request: Request):  # type: ignore[no-untyped-def]
    token = bearer(request)
    await relay.check_revocations()
    cached = relay.device_cached(token)
    if cached is not None:
        return cached
    mark = relay.revocation_mark()  # before the lookup: a revocation meanwhile counts
    try:
        row = await run_in_threadpool(relay.store.device, token)
    except Refused as exc:
        request.state.log_extra = {"refused": exc.reason}
        raise
    relay.remember_device(token or "", row, mark)
    return row


def refused(exc: Refused) -> JSONResponse:
    return error(401, exc.reason, {"WWW-Authenticate": 'Bearer realm="ally-relay"'})


async def enrol(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    wait = relay.enrol_limit.take(client(request))
    if wait:
        return error(429, "slow_down", {"Retry-After": str(int(wait) + 1)})
    try:
        body = await read_body(request, ENROL_MAX_BYTES, relay.settings.server.body_timeout_s)
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            raise ValueError("no token")
        name = str(data.get("name") or "")[:255]
        version = str(data.get("ally_version") or "")[:40]
    except BodyError as exc:
        return error(exc.status, exc.error)
    except (ValueError, UnicodeDecodeError):
        return error(400, "bad_request")
    try:
        device = await run_in_threadpool(
            relay.store.enrol, data["token"], name, version, client(request)
        )
    except Refused as exc:
        log.warning("enrolment refused", extra={"reason": exc.reason, "client": client(request)})
        return error(403, exc.reason)
    log.info("device enrolled", extra={"device": device.id, "device_name": name})
    return JSONResponse(
        {"device_id": device.id, "device_token": str(device), "relay": f"ally-relay/{__version__}"},
        201,
    )


def check_report(body: bytes, key: str | None) -> dict[str, Any]:
    report = parse_report(body)
    if not isinstance(report, dict) or report.get("schema") != REPORT_SCHEMA:
        raise ValueError("not an Ally report")
    if not isinstance(report.get("id"), str) or not UUID.match(report["id"]):
        raise ValueError("the report id is not a UUID")
    if key is not None and key != report["id"]:
        raise ValueError("Idempotency-Key differs from the report id")
    if fast_validator().is_valid(report):
        return report
    # Refused by the fast check: jsonschema decides, as it did before there was one (a
    # test holds the two to the same verdicts), and names the first problem.
    error = next(validator().iter_errors(report), None)
    if error is not None:
        raise ValueError(f"{error.json_path}: {error.message}")
    return report


async def take_report(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    try:
        device = await device_of(relay, request)
    except Refused as exc:
        return refused(exc)
    request.state.log_extra = {"device": device.id}
    wait = relay.report_limit.take(device.id)
    if wait:
        return error(429, "slow_down", {"Retry-After": str(int(wait) + 1)})
    s = relay.settings.server
    try:
        body = await read_body(request, s.max_body_bytes, s.body_timeout_s)
    except BodyError as exc:
        return error(exc.status, exc.error)
    key = request.headers.get("idempotency-key")
    try:
        # A typical report (15-50 KB) is checked in a fraction of a millisecond, right
        # here; a big one (a screenshot) on a worker thread, so that the event loop stays
        # responsive.
        if len(body) <= INLINE_CHECK_BYTES:
            report = check_report(body, key)
        else:
            report = await run_in_threadpool(check_report, body, key)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        request.state.log_extra["why"] = str(exc)[:300]
        return error(422, "not_a_report")
    try:
        accepted = await relay.intake.accept(device.id, report, body)
    except Refused:
        return error(409, "conflict")
    except NotStored as exc:  # logged by the intake; the device keeps it, sends it later
        relay.report_limit.give_back(device.id)
        request.state.log_extra["why"] = str(exc)
        return error(503, "not_stored", {"Retry-After": str(NOT_STORED_RETRY_S)})
    relay.forwarder_wake()
    request.state.log_extra.update(report=accepted.number, new=accepted.new)
    return JSONResponse(
        {
            "schema": RECEIPT_SCHEMA,
            "report_id": accepted.report_id,
            "number": accepted.number,
            "status_url": f"/api/v1/reports/{accepted.number}",
        },
        201 if accepted.new else 200,
    )


async def report_status(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    try:
        device = await device_of(relay, request)
    except Refused as exc:
        return refused(exc)
    wait = relay.status_limit.take(device.id)
    if wait:
        return error(429, "slow_down", {"Retry-After": str(int(wait) + 1)})
    key = request.path_params["key"]
    if not (NUMBER.match(key) or UUID.match(key)):
        return error(404, "not_found")
    row = await run_in_threadpool(relay.store.report_of, device.id, key)
    if row is None:
        return error(404, "not_found")
    ticket_status = await run_in_threadpool(relay.ticket_status, row)
    return JSONResponse(
        {
            "report_id": row.report_id,
            "number": row.number,
            "state": row.state,  # queued, delivered, stopped
            "ticket": row.reference,
            "ticket_status": ticket_status,
        }
    )


async def whoami(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    try:
        device = await device_of(relay, request)
    except Refused as exc:
        return refused(exc)
    version = request.headers.get("x-ally-version")
    if version:
        await run_in_threadpool(relay.store.touch, device.id, version)
    return JSONResponse({"device_id": device.id, "name": device.name})


async def health(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    try:
        queue = await run_in_threadpool(relay.store.queue_stats)
    except Exception as exc:  # the database is away: say so, do not crash
        log.error("health check: database unavailable", extra={"detail": str(exc)[:300]})
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    unwritable = sqlite_not_writable(relay.settings.database)
    if unwritable is not None:  # readable but not writable: no report could be taken in
        log.error("health check: database not writable", extra={"detail": unwritable})
        return JSONResponse(
            {
                "status": "unavailable",
                "database": relay.store.engine.dialect.name,
                "storing_reports": "cannot_write",
                "detail": unwritable,  # the file or folder this account cannot write
                "queue": queue,
            },
            503,
        )
    if relay.intake.failing is not None:  # reports cannot be stored: not healthy
        return JSONResponse(
            {
                "status": "unavailable",
                "database": relay.store.engine.dialect.name,
                "storing_reports": "failing",
                "queue": queue,
            },
            503,
        )
    return JSONResponse(
        {
            "status": "ok",
            "version": __version__,
            "database": relay.store.engine.dialect.name,
            "forwarding_to": relay.settings.forward.transport.kind,
            "queue": queue,
        }
    )


routes = [
    Route("/healthz", health, methods=["GET"]),
    Route("/api/v1/enrol", enrol, methods=["POST"]),
    Route("/api/v1/reports", take_report, methods=["POST"]),
    Route("/api/v1/reports/{key}", report_status, methods=["GET"]),
    Route("/api/v1/device", whoami, methods=["GET"]),
]
