"""Text in several languages: the way a playbook says anything a customer reads."""

from __future__ import annotations

import string
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, RootModel, field_validator
from pydantic_core import PydanticCustomError

from tools.playbook._types import SUPPORTED_LANGUAGES, Language


class LocalizedText(RootModel[dict[Language, str]]):
    """One text per language, e.g. ``{en: "Haircut", ru: "Стрижка"}``.

    The playbook check makes sure every language the business declares is present.
    """

    model_config = ConfigDict(frozen=True)

    @field_validator("root")
    @classmethod
    def _not_blank(cls, value: dict[Language, str]) -> dict[Language, str]:
        if not value:
            raise PydanticCustomError("empty_text", "must give the text in at least one language")
        for language, text in value.items():
            if not text.strip():
                raise PydanticCustomError("empty_text", f"the {language} text is empty")
        return value

    def get(self, language: str) -> str:
        """Return the text in `language`, or in the first language given."""
        for key, text in self.root.items():
            if key == language:
                return text
        return next(iter(self.root.values()))

    def languages(self) -> frozenset[Language]:
        """The languages this text is given in."""
        return frozenset(self.root)

    def placeholders(self, language: Language) -> frozenset[str]:
        """Names of the ``{placeholders}`` used in the `language` version."""
        return placeholders_of(self.root[language])


def placeholders_of(template: str) -> frozenset[str]:
    """Return the ``{name}`` fields used in a `str.format` template."""
    return frozenset(
        name for _, name, _, _ in string.Formatter().parse(template) if name is not None and name != ""
    )


def _name_from_string(value: Any) -> Any:
    if isinstance(value, str):
        return dict.fromkeys(SUPPORTED_LANGUAGES, value)
    return value


Name = Annotated[
    LocalizedText, BeforeValidator(_name_from_string, json_schema_input_type=str | LocalizedText)
]
"""A name: one string for every language (``"Anna"``) or one per language."""


class LocalizedList(RootModel[dict[Language, list[str]]]):
    """Lists of phrases per language: aliases, keywords, example utterances."""

    model_config = ConfigDict(frozen=True)

    def get(self, language: str) -> list[str]:
        """Return the phrases in `language` (empty if none were given)."""
        for key, phrases in self.root.items():
            if key == language:
                return phrases
        return []

    def all(self) -> list[str]:
        """Return the phrases of every language."""
        return [phrase for phrases in self.root.values() for phrase in phrases]


def empty_list() -> LocalizedList:
    """A `LocalizedList` with no phrases, for defaults."""
    return LocalizedList({})
