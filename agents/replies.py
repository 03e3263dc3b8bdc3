"""Reply texts: the playbook's templates over the built-in ones, in the conversation's language."""

from __future__ import annotations

import re
import string
from datetime import datetime

from tools.money import format_money, format_range
from tools.playbook import Playbook
from tools.playbook.templates import default_templates

_MONTHS_RU = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
_WEEKDAYS_RU = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


class Replies:
    """Renders reply templates and formats money and times for one business."""

    def __init__(self, playbook: Playbook) -> None:
        self._playbook = playbook
        self._defaults = default_templates()

    def text(self, template_id: str, language: str, **values: object) -> str:
        """The template in `language` with its placeholders filled (missing ones left empty)."""
        template = self._playbook.templates.get(template_id) or self._defaults[template_id]
        lang = "ru" if language == "ru" else "en"
        filled = string.Formatter().vformat(
            template.get(lang), (), _Blank({k: str(v) for k, v in values.items()})
        )
        text = " ".join(filled.split())
        for gap in (" .", " ,", " !", " ?"):  # a placeholder left empty ("Hi {name}!" without a name)
            text = text.replace(gap, gap[1])
        text = re.sub(r",([!?.])", r"\1", text)  # "Thank you, {name}!" without a name
        if re.match(r"^[,.]", text):  # "{name}, hi!" without a name: "Hi!"
            text = re.sub(r"^[,.]\s*", "", text)
            text = text[:1].upper() + text[1:]
        return re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)

    def money(self, minor: int, language: str) -> str:
        """An amount in the business currency."""
        return format_money(minor, self._playbook.business.currency, language)

    def price_range(self, low_minor: int, high_minor: int, language: str) -> str:
        """A price or a range in the business currency."""
        return format_range(low_minor, high_minor, self._playbook.business.currency, language)

    def when(self, moment: datetime, language: str) -> str:
        """A local date and time: "Tue 2 Mar, 15:00" / "вт, 2 марта, 15:00"."""
        local = moment.astimezone(self._playbook.business.zone)
        if language == "ru":
            return (
                f"{_WEEKDAYS_RU[local.weekday()]}, {local.day} {_MONTHS_RU[local.month - 1]}, {local:%H:%M}"
            )
        return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"

    def time_of_day(self, moment: datetime) -> str:
        """A local time "15:00"."""
        return f"{moment.astimezone(self._playbook.business.zone):%H:%M}"
