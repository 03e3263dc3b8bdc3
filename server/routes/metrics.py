"""``/metrics``: operational numbers for Prometheus, read from the database at scrape time.

Besides the database's numbers, each API process serves its own webhook answer times
(``frontdesk_webhook_ack_seconds``, a histogram kept in memory).

With ``FRONTDESK_METRICS_TOKEN`` set, a scraper must send it as a bearer token. Without it, only
clients on this machine (loopback addresses, not relayed by a proxy) may scrape.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from collections.abc import Iterable, Mapping

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from server.deps import StateDep
from server.prometheus import CONTENT_TYPE, Metric, Sample, exposition
from server.webhook_fast_path import FrontdeskAPI
from tools.sql.operations_metrics import OperationsSnapshot, read_operations

router = APIRouter(tags=["monitoring"])
log = logging.getLogger("frontdesk.server")

PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
"""A request carrying one of these came through a proxy: its loopback address says nothing about its origin."""


def _is_loopback(request: Request) -> bool:
    if request.client is None or any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def _refusal(request: Request, token: str | None) -> Response | None:
    """Why this request may not scrape (401 or 403), or None when it may."""
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode()):
            return None
        return JSONResponse(
            {"detail": "send the metrics token as 'Authorization: Bearer <FRONTDESK_METRICS_TOKEN>'"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if _is_loopback(request):
        return None
    return JSONResponse(
        {
            "detail": "only this machine may scrape /metrics without a token; set FRONTDESK_METRICS_TOKEN "
            "and configure Prometheus to send it as a bearer token"
        },
        status_code=403,
    )


def _labelled(counts: Iterable[tuple[tuple[str, ...], int]], names: tuple[str, ...]) -> tuple[Sample, ...]:
    """One sample per count, labelled `names` = its key, in the order of the keys."""
    return tuple(Sample(value, tuple(zip(names, key, strict=True))) for key, value in sorted(counts))


def _up(value: int) -> Metric:
    return Metric(
        "frontdesk_up", "gauge", "1 when the database answered this scrape, else 0.", (Sample(value),)
    )


def operations_metrics(snapshot: OperationsSnapshot) -> list[Metric]:
    """The Prometheus metrics of an operations snapshot, ``frontdesk_up`` first."""

    def by(counts: Mapping[str, int], label: str) -> tuple[Sample, ...]:
        return _labelled((((key,), value) for key, value in counts.items()), (label,))

    return [
        _up(1),
        Metric(
            "frontdesk_conversations",
            "gauge",
            "Conversations by state: bot answers, approval waits for staff, human is owned by staff, closed.",
            by(snapshot.conversations, "state"),
        ),
        Metric(
            "frontdesk_messages_total",
            "counter",
            "Messages stored, by channel and direction (in from customers, out to them).",
            _labelled(snapshot.messages.items(), ("channel", "direction")),
        ),
        Metric(
            "frontdesk_inbox_events",
            "gauge",
            "Inbound channel events by status (pending, processing, done, dead).",
            by(snapshot.inbox_events, "status"),
        ),
        Metric(
            "frontdesk_inbox_oldest_pending_seconds",
            "gauge",
            "Age of the oldest inbound event not handled yet (0 when none waits).",
            (Sample(snapshot.inbox_oldest_pending_s),),
        ),
        Metric(
            "frontdesk_deliveries",
            "gauge",
            "Outbound deliveries by channel and status (pending, sent, dead, withheld).",
            _labelled(snapshot.deliveries.items(), ("channel", "status")),
        ),
        Metric(
            "frontdesk_outbox_oldest_pending_seconds",
            "gauge",
            "Age of the oldest delivery still to be sent (0 when none waits).",
            (Sample(snapshot.outbox_oldest_pending_s),),
        ),
        Metric(
            "frontdesk_approvals_pending",
            "gauge",
            "Actions waiting for a staff decision.",
            (Sample(snapshot.approvals_pending),),
        ),
        Metric(
            "frontdesk_staff_alerts",
            "gauge",
            "Staff alerts by status (pending, sent, dead).",
            by(snapshot.staff_alerts, "status"),
        ),
    ]


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, state: StateDep) -> Response:
    """The operational numbers in the Prometheus text format; ``frontdesk_up 0`` when the database fails."""
    token = state.settings.metrics_token
    refusal = _refusal(request, token.get_secret_value() or None if token is not None else None)
    if refusal is not None:
        return refusal
    try:
        snapshot = await read_operations(state.stores.engine, state.clock.now())
    except SQLAlchemyError as error:
        log.warning("metrics: the database did not answer: %s", error)
        return Response(exposition([_up(0)]), media_type=CONTENT_TYPE)
    metrics = operations_metrics(snapshot)
    if isinstance(request.app, FrontdeskAPI):
        metrics.append(request.app.webhook_ack_metric())
    return Response(exposition(metrics), media_type=CONTENT_TYPE)
