"""Server-rendered pages: Jinja2 templates with the UI's own words in English and Russian."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tools.playbook._types import Language

DAY_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ru": ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"),
}
"""Short weekday names, Monday first."""

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_language(request: Request, default: Language) -> Language:
    """The page language: ``?lang=``, else the browser's preference, else the business default."""
    asked = request.query_params.get("lang", "")
    if asked in ("en", "ru"):
        return "en" if asked == "en" else "ru"
    preferred = request.headers.get("accept-language", "")[:2].lower()
    if preferred in ("en", "ru"):
        return "en" if preferred == "en" else "ru"
    return default


def render(template: str, *, status_code: int = 200, **context: object) -> HTMLResponse:
    """Render a page template."""
    return HTMLResponse(_templates.get_template(template).render(**context), status_code=status_code)


def render_text(template: str, **context: object) -> str:
    """Render a template (a page fragment) to text."""
    return _templates.get_template(template).render(**context)
