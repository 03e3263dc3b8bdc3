"""The one place domain errors become HTTP responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from tools.errors import Conflict, CustomerFixable, IdempotencyMismatch, NotFound, StaffFacing

log = logging.getLogger("frontdesk.server")

_STATUS: list[tuple[type[Exception], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (IdempotencyMismatch, 422),
    (CustomerFixable, 422),
    (StaffFacing, 400),
]


INTERNAL_ERROR_DETAIL = "internal error; the server log has the details"
"""The body of a 500: what went wrong is in the log, not in the answer."""
STORAGE_DOWN_DETAIL = "the database is unreachable; nothing was stored, please retry"
"""The body of a 503 when the database cannot be reached (sent with ``Retry-After``)."""


def install_error_handlers(app: FastAPI) -> None:
    """Map the domain's errors to status codes; an unreachable database is 503 with ``Retry-After``
    (providers deliver again later, and nothing was stored); anything else is a logged 500 without details."""

    async def domain_error(request: Request, error: Exception) -> JSONResponse:
        for kind, status in _STATUS:
            if isinstance(error, kind):
                return JSONResponse({"detail": str(error)}, status_code=status)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return JSONResponse({"detail": INTERNAL_ERROR_DETAIL}, status_code=500)

    async def storage_down(request: Request, error: Exception) -> JSONResponse:
        log.error("the database is unreachable on %s %s: %s", request.method, request.url.path, error)
        return JSONResponse(
            {"detail": STORAGE_DOWN_DETAIL},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    for kind, _ in _STATUS:
        app.add_exception_handler(kind, domain_error)
    app.add_exception_handler(OperationalError, storage_down)
    app.add_exception_handler(InterfaceError, storage_down)
    app.add_exception_handler(Exception, unexpected)
