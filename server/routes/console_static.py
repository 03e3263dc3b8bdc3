"""The console's stylesheet and script (two files, no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

router = APIRouter(prefix="/console/static", tags=["console"], include_in_schema=False)

STATIC = Path(__file__).resolve().parent.parent / "static" / "console"
TYPES = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}


@router.get("/{name}")
async def console_static(name: str) -> FileResponse:
    """`console.css` or `console.js` (anything else is 404)."""
    if name not in TYPES:
        raise HTTPException(status_code=404, detail=f"no console file {name!r}")
    return FileResponse(STATIC / name, media_type=TYPES[name], headers={"Cache-Control": "no-cache"})
