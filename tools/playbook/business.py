"""The business profile."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import EmailStr, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from tools.playbook._types import Language, PlaybookModel, Slug
from tools.playbook.text import LocalizedText

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_REGION = re.compile(r"^[A-Z]{2}$")


class BusinessProfile(PlaybookModel):
    """Who the business is and where."""

    id: Slug
    """A short id, used to keep this business's data apart."""
    name: LocalizedText
    """The name customers know."""
    description: LocalizedText
    """One or two sentences on what it does."""
    timezone: str
    """An IANA time zone, e.g. ``Europe/Moscow``."""
    languages: list[Language] = Field(min_length=1)
    """Languages it serves customers in (``en``, ``ru``)."""
    default_language: Language
    """The language used until the customer's is known."""
    currency: str
    """ISO 4217 code, e.g. ``RUB``, ``EUR``."""
    phone_region: str
    """ISO 3166 country code used to read local phone numbers, e.g. ``RU``."""
    phone: str | None = None
    """The public phone number."""
    email: EmailStr | None = None
    """The public email address."""
    website: str | None = None
    """The website."""
    address: LocalizedText | None = None
    """The street address."""
    order_id_pattern: str = r"^[A-Z0-9-]{4,20}$"
    """A regular expression that every order id matches, e.g. ``^LM-\\d{5}$``."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "timezone", "must be an IANA time zone such as Europe/Moscow or America/New_York"
            ) from None
        return value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if not _CURRENCY.match(value):
            raise PydanticCustomError("currency", "must be a three-letter ISO 4217 code such as RUB or EUR")
        return value

    @field_validator("phone_region")
    @classmethod
    def _region_code(cls, value: str) -> str:
        if not _REGION.match(value):
            raise PydanticCustomError("phone_region", "must be a two-letter country code such as RU or US")
        return value

    @field_validator("order_id_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise PydanticCustomError("pattern", f"is not a valid regular expression ({error})") from None
        return value

    @model_validator(mode="after")
    def _default_language_served(self) -> BusinessProfile:
        if self.default_language not in self.languages:
            raise PydanticCustomError("language", "default_language must be one of languages")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The business time zone."""
        return ZoneInfo(self.timezone)
