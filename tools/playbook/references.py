"""Checks across sections that field types alone cannot express.

Each problem is reported with the path of the field at fault, like pydantic's
own errors, so the loader can print both the same way.
"""

from __future__ import annotations

import difflib
import typing
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from tools.playbook._types import Language
from tools.playbook.model import Playbook
from tools.playbook.rules import Team
from tools.playbook.templates import allowed_placeholders
from tools.playbook.text import LocalizedText

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ReferenceProblem:
    """A field that refers to something missing or contradicts another field."""

    path: Path
    """Where the problem is."""
    message: str
    """What is wrong and how to fix it."""


def check_references(playbook: Playbook) -> list[ReferenceProblem]:
    """Return every cross-section problem in `playbook` (empty when it is consistent)."""
    problems: list[ReferenceProblem] = []
    problems += _unique_ids(playbook)
    problems += _staff_and_resources(playbook)
    problems += _angle_services(playbook)
    problems += _routing_owners(playbook)
    problems += _regions(playbook)
    problems += _languages(playbook)
    problems += _templates(playbook)
    problems += _alert_targets(playbook)
    return problems


def _unique_ids(playbook: Playbook) -> Iterator[ReferenceProblem]:
    sections: dict[str, Sequence[BaseModel]] = {
        "services": playbook.services,
        "products": playbook.products,
        "staff": playbook.staff,
        "resources": playbook.resources,
        "regions": playbook.regions,
        "discounts": playbook.discounts,
    }
    for section, items in sections.items():
        first_seen: dict[str, int] = {}
        for index, item in enumerate(items):
            item_id = str(getattr(item, "id"))
            if item_id in first_seen:
                yield ReferenceProblem(
                    (section, index, "id"),
                    f"the id {item_id!r} is already used by {section}[{first_seen[item_id]}]",
                )
            first_seen.setdefault(item_id, index)
    catalog = Counter([s.id for s in playbook.services] + [p.id for p in playbook.products])
    for index, product in enumerate(playbook.products):
        if catalog[product.id] > 1:
            yield ReferenceProblem(
                ("products", index, "id"), f"the id {product.id!r} is also a service id; ids must be unique"
            )


def _unknown(kind: str, value: str, known: Sequence[str]) -> str:
    listing = ", ".join(sorted(set(known))) or "none are defined"
    return f"unknown {kind} id {value!r}; known: {listing}"


def _staff_and_resources(playbook: Playbook) -> Iterator[ReferenceProblem]:
    staff = [member.id for member in playbook.staff]
    resources = [resource.id for resource in playbook.resources]
    catalog = sorted(playbook.catalog_ids())
    for index, service in enumerate(playbook.services):
        for position, staff_id in enumerate(service.staff):
            if staff_id not in staff:
                yield ReferenceProblem(
                    ("services", index, "staff", position), _unknown("staff", staff_id, staff)
                )
        for position, resource_id in enumerate(service.resources):
            if resource_id not in resources:
                yield ReferenceProblem(
                    ("services", index, "resources", position), _unknown("resource", resource_id, resources)
                )
        for position, other in enumerate(service.upsell):
            if other not in catalog:
                yield ReferenceProblem(
                    ("services", index, "upsell", position), _unknown("catalogue", other, catalog)
                )
    for index, product in enumerate(playbook.products):
        for position, other in enumerate(product.complements):
            if other not in catalog:
                yield ReferenceProblem(
                    ("products", index, "complements", position), _unknown("catalogue", other, catalog)
                )
    for team, contact in playbook.internal_routing.teams.items():
        if contact.manager is not None and contact.manager not in staff:
            yield ReferenceProblem(
                ("internal_routing", "teams", team, "manager"), _unknown("staff", contact.manager, staff)
            )


def _angle_services(playbook: Playbook) -> Iterator[ReferenceProblem]:
    services = {service.id for service in playbook.services}
    for index, angle in enumerate(playbook.follow_ups.reactivation.angles):
        for position, service_id in enumerate(angle.services):
            if service_id not in services:
                yield ReferenceProblem(
                    ("follow_ups", "reactivation", "angles", index, "services", position),
                    _unknown("service", service_id, sorted(services)),
                )


def _routing_owners(playbook: Playbook) -> Iterator[ReferenceProblem]:
    sellers = [member.id for member in playbook.staff if member.sales]
    routing = playbook.sales_routing
    owner_lists: list[tuple[Path, list[str]]] = [
        (("sales_routing", "default_owners"), routing.default_owners)
    ]
    owner_lists += [
        (("sales_routing", "routes", i, "owners"), r.owners) for i, r in enumerate(routing.routes)
    ]
    for path, owners in owner_lists:
        for position, owner in enumerate(owners):
            if owner not in sellers:
                yield ReferenceProblem(
                    (*path, position),
                    f"{owner!r} is not a staff member with sales: true; sales staff: "
                    + (", ".join(sorted(sellers)) or "none"),
                )
    catalog = sorted(playbook.catalog_ids())
    conditions = [(("sales_routing", "routes", i, "when"), r.when) for i, r in enumerate(routing.routes)]
    conditions += [
        (("qualification", "rules", i, "when"), r.when) for i, r in enumerate(playbook.qualification.rules)
    ]
    regions = [region.id for region in playbook.regions]
    for path, when in conditions:
        for position, service_id in enumerate(when.services):
            if service_id not in catalog:
                yield ReferenceProblem(
                    (*path, "services", position), _unknown("catalogue", service_id, catalog)
                )
        for position, region_id in enumerate(when.regions):
            if region_id not in regions:
                yield ReferenceProblem((*path, "regions", position), _unknown("region", region_id, regions))


def _regions(playbook: Playbook) -> Iterator[ReferenceProblem]:
    regions = [region.id for region in playbook.regions]
    for index, member in enumerate(playbook.staff):
        for position, region_id in enumerate(member.regions):
            if region_id not in regions:
                yield ReferenceProblem(
                    ("staff", index, "regions", position), _unknown("region", region_id, regions)
                )


def _localized_texts(node: object, path: Path) -> Iterator[tuple[Path, LocalizedText]]:
    if isinstance(node, LocalizedText):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _localized_texts(getattr(node, name), (*path, name))
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            yield from _localized_texts(item, (*path, index))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _localized_texts(value, (*path, str(key)))


def _languages(playbook: Playbook) -> Iterator[ReferenceProblem]:
    declared: list[Language] = playbook.business.languages
    for path, text in _localized_texts(playbook, ()):
        missing = [language for language in declared if language not in text.languages()]
        if missing:
            yield ReferenceProblem(
                path, f"missing the {', '.join(missing)} text; the business serves {', '.join(declared)}"
            )


def _templates(playbook: Playbook) -> Iterator[ReferenceProblem]:
    allowed = allowed_placeholders()
    for template_id, text in playbook.templates.items():
        if template_id not in allowed:
            close = difflib.get_close_matches(template_id, list(allowed), n=1)
            hint = f"did you mean {close[0]}?" if close else "see docs/playbook.md for the list"
            yield ReferenceProblem(("templates", template_id), f"is not a known template id; {hint}")
            continue
        broken = False
        for language in sorted(text.languages()):
            try:
                text.placeholders(language)
            except ValueError as error:
                broken = True
                yield ReferenceProblem(
                    ("templates", template_id, language),
                    f"is not a valid template ({error}); write a literal brace as {{{{ or }}}}",
                )
        if broken:
            continue
        languages = sorted(text.languages())
        for language in languages:
            unknown = sorted(text.placeholders(language) - allowed[template_id])
            if unknown:
                usable = ", ".join("{" + name + "}" for name in sorted(allowed[template_id])) or "none"
                yield ReferenceProblem(
                    ("templates", template_id, language),
                    f"uses {', '.join('{' + u + '}' for u in unknown)}, which this template is not given; usable: {usable}",
                )
        if len(languages) < 2:
            continue
        first = text.placeholders(languages[0])
        for language in languages[1:]:
            other = text.placeholders(language)
            if other != first:
                yield ReferenceProblem(
                    ("templates", template_id, language),
                    f"uses placeholders {sorted(other)} but the {languages[0]} text uses {sorted(first)}",
                )


_ALERT_VALUE_FIELDS = (("chat_id", "chat_id_env"), ("webhook_url", "webhook_url_env"), ("url", "url_env"))


def _alert_targets(playbook: Playbook) -> Iterator[ReferenceProblem]:
    staff = [member.id for member in playbook.staff]
    teams = [f"team:{team}" for team in typing.get_args(Team)]
    first_seen: dict[str, int] = {}
    for index, target in enumerate(playbook.notifications.targets):
        path: Path = ("notifications", "targets", index)
        if target.target_id in first_seen:
            yield ReferenceProblem(
                (*path, "id"),
                f"the target id {target.target_id!r} is already used by notifications.targets"
                f"[{first_seen[target.target_id]}]; give each target its own id",
            )
        first_seen.setdefault(target.target_id, index)
        for inline, env in _ALERT_VALUE_FIELDS:
            if getattr(target, inline, None) is not None and getattr(target, env, None) is not None:
                yield ReferenceProblem((*path, env), f"give {inline} or {env}, not both")
        for position, recipient in enumerate(target.recipients):
            if recipient not in staff and recipient not in teams:
                yield ReferenceProblem(
                    (*path, "recipients", position),
                    f"unknown recipient {recipient!r}; use a staff id ({', '.join(sorted(staff))}) "
                    f"or one of {', '.join(teams)}",
                )
