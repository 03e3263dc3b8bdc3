"""The built-in reply templates and the placeholders each one may use."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from tools.playbook.text import LocalizedText, placeholders_of


@cache
def default_templates() -> dict[str, LocalizedText]:
    """Every template id with its built-in English and Russian text."""
    raw = yaml.safe_load(
        resources.files("tools.playbook").joinpath("default_templates.yaml").read_text("utf-8")
    )
    return {template_id: LocalizedText(texts) for template_id, texts in raw.items()}


@cache
def allowed_placeholders() -> dict[str, frozenset[str]]:
    """The placeholders each template id may use (those its built-in text uses)."""
    return {
        template_id: frozenset().union(*(placeholders_of(t) for t in text.root.values()))
        for template_id, text in default_templates().items()
    }
