"""The console's metrics page: the business figures of a chosen period, as charts, tables and JSON.

``GET /console/metrics?from=2027-02-01&to=2027-02-28`` shows whole days in the business's time
zone, both ends included (the last 7 days by default); ``&format=json`` gives the same figures
to scripts. A period that cannot be shown (a bad date, ``from`` after ``to``, over a year) is
answered 400 with the message on the page (or in the JSON's ``detail``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from server.console.auth import StaffDep
from server.console.metrics_period import Period, period_href, period_of, quick_ranges
from server.console.metrics_view import metrics_view
from server.console.metrics_words import METRIC_WORDS
from server.console.pages import console_language, console_page
from server.deps import StateDep
from tools.business_metrics import MetricsReport
from tools.errors import InvalidInput

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)


def _figures(period: Period, report: MetricsReport) -> dict[str, object]:
    """The report as JSON values, with the period's days and every share's rate."""
    figures: dict[str, object] = {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        **jsonable_encoder(report),
    }
    for name, figure in (
        ("qualification", report.qualification),
        ("booking", report.booking),
        ("solved_without_person", report.solved_without_person),
    ):
        figures[name] = {**jsonable_encoder(figure), "rate": figure.rate}
    return figures


@router.get("/metrics")
async def metrics_page(
    request: Request,
    state: StateDep,
    session: StaffDep,
    asked_from: Annotated[str, Query(alias="from")] = "",
    asked_to: Annotated[str, Query(alias="to")] = "",
    output: Annotated[str, Query(alias="format")] = "",
) -> Response:
    """Response times, conversion shares, drop-offs, price-to-payment and satisfaction of a period."""
    language = console_language(request, state)
    words = METRIC_WORDS[language]
    zone = state.playbook.business.zone
    now = state.clock.now()
    as_json = output == "json"
    try:
        period = period_of(asked_from, asked_to, now=now, zone=zone, words=words)
    except InvalidInput as problem:
        if as_json:
            return JSONResponse({"detail": str(problem)}, status_code=400)
        return await console_page(
            request,
            state,
            session,
            "console/metrics.html",
            section="metrics",
            status_code=400,
            m=words,
            error=str(problem),
            asked_from=asked_from,
            asked_to=asked_to,
            quick=quick_ranges(now, zone),
            view=None,
        )
    report = await state.stores.business_metrics.report(period.start, period.end, zone)
    if as_json:
        return JSONResponse(_figures(period, report))
    return await console_page(
        request,
        state,
        session,
        "console/metrics.html",
        section="metrics",
        m=words,
        error=None,
        asked_from=period.first.isoformat(),
        asked_to=period.last.isoformat(),
        quick=quick_ranges(now, zone),
        period=period,
        zone=state.playbook.business.timezone,
        json_href=period_href(period.first, period.last, format="json"),
        view=metrics_view(report, words),
    )
