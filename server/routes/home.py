"""The start page: which business this server runs, its services and hours."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from server.deps import StateDep
from server.pages import DAY_NAMES, page_language, render
from tools.money import format_range, per_unit
from tools.playbook._types import WEEKDAYS, format_clock

router = APIRouter(tags=["pages"])

WORDS = {
    "en": {
        "services": "Services",
        "hours": "Hours",
        "closed": "closed",
        "api": "API documentation",
        "min": "min",
    },
    "ru": {
        "services": "Услуги",
        "hours": "Часы работы",
        "closed": "выходной",
        "api": "Документация API",
        "min": "мин",
    },
}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, state: StateDep) -> HTMLResponse:
    """The business this server runs, from its playbook."""
    playbook = state.playbook
    language = page_language(request, playbook.business.default_language)
    currency = playbook.business.currency
    services = [
        {
            "name": service.name.get(language),
            "price": format_range(
                playbook.minor_units(service.price.low),
                playbook.minor_units(service.price.high),
                currency,
                language,
            )
            + per_unit(service.price.per, language),
            "duration": service.duration_minutes,
        }
        for service in playbook.services
    ]
    hours = [
        (
            DAY_NAMES[language][index],
            ", ".join(
                f"{format_clock(s.start)}–{format_clock(s.end)}" for s in playbook.hours.weekly.on(day)
            ),
        )
        for index, day in enumerate(WEEKDAYS)
    ]
    return render(
        "home.html",
        language=language,
        business=playbook.business.name.get(language),
        description=playbook.business.description.get(language),
        services=services,
        hours=hours,
        words=WORDS[language],
    )
