"""What the agents say: reply templates, consent text, example utterances, channel templates."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tools.intents import Intent
from tools.playbook._types import PlaybookModel, Slug
from tools.playbook.text import LocalizedList, LocalizedText


class Consent(PlaybookModel):
    """What the customer agrees to before their contact details are stored."""

    text: LocalizedText
    """The consent question."""
    privacy_url: str | None = None
    """Where the privacy policy is."""


class WhatsAppTemplate(PlaybookModel):
    """A message template approved in WhatsApp Manager, for sends outside the 24-hour window."""

    purpose: Literal["reminder", "follow_up", "reactivation", "payment", "generic"]
    """What it is used for."""
    name: str
    """The template's name as approved."""
    language: str
    """The template's language code as approved (``en_US``, ``ru``)."""
    parameters: list[str] = Field(default_factory=list)
    """Names of the values that fill its body parameters, in order."""


class Channels(PlaybookModel):
    """Per-channel settings that are business data (credentials are settings, not here)."""

    whatsapp_templates: list[WhatsAppTemplate] = Field(default_factory=list)
    """Approved WhatsApp templates."""
    instagram_comment_reply: LocalizedText | None = None
    """The private reply to a comment; ``{post}`` names the post ("the post «Bridal makeup»" /
    «посту «Свадебный макияж»», or "our post" / «нашему посту» when its title is not listed)."""
    instagram_posts: dict[str, LocalizedText] = Field(default_factory=dict)
    """Titles of posts and reels by Instagram media id, so a comment reply can name the post."""


class KnowledgeSources(PlaybookModel):
    """Documents for the support agent's knowledge base."""

    paths: list[str] = Field(default_factory=lambda: ["kb"])
    """Files or folders, relative to the playbook file."""


Templates = dict[Slug, LocalizedText]
"""Reply templates by id; ``{placeholders}`` must match across languages."""

Examples = dict[Intent, LocalizedList]
"""Example utterances per intent and language; they train the offline understanding."""
