"""Lead rules from the playbook: which tag a lead gets and who owns it.

Plain functions over the playbook and the facts collected, so the sales agent
only gathers answers and these decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tools.playbook import Playbook
from tools.playbook.rules import LeadConditions


@dataclass(frozen=True)
class LeadFacts:
    """What is known about a lead when it is tagged and routed."""

    budget: Decimal | None = None
    """The stated budget in the business currency."""
    start_within_days: int | None = None
    """How soon the customer wants to start."""
    service_id: str | None = None
    region_id: str | None = None
    decision_maker: bool | None = None


def matches(conditions: LeadConditions, facts: LeadFacts) -> bool:
    """Whether every condition given holds for `facts` (unknown facts never satisfy a condition)."""
    checks: list[bool] = []
    if conditions.budget_at_least is not None:
        checks.append(facts.budget is not None and facts.budget >= conditions.budget_at_least)
    if conditions.budget_below is not None:
        checks.append(facts.budget is not None and facts.budget < conditions.budget_below)
    if conditions.start_within_days is not None:
        checks.append(
            facts.start_within_days is not None and facts.start_within_days <= conditions.start_within_days
        )
    if conditions.services:
        checks.append(facts.service_id in conditions.services)
    if conditions.regions:
        checks.append(facts.region_id in conditions.regions)
    if conditions.decision_maker is not None:
        checks.append(facts.decision_maker is conditions.decision_maker)
    return all(checks)


def qualify(playbook: Playbook, facts: LeadFacts) -> str:
    """The tag of the first qualification rule that matches, else the default tag."""
    for rule in playbook.qualification.rules:
        if matches(rule.when, facts):
            return rule.tag
    return playbook.qualification.default_tag


def choose_owner(playbook: Playbook, facts: LeadFacts, open_leads: Mapping[str, int]) -> str:
    """The owner of a new lead: the first matching route's least-loaded owner under their cap.

    When every candidate is at their `max_open_leads`, the least loaded of them still gets it:
    a lead is never left without an owner.
    """
    routing = playbook.sales_routing
    candidates = routing.default_owners
    for route in routing.routes:
        if matches(route.when, facts):
            candidates = route.owners
            break
    under_cap = [o for o in candidates if open_leads.get(o, 0) < playbook.staff_member(o).max_open_leads]
    pool = under_cap or list(candidates)
    return min(pool, key=lambda owner: (open_leads.get(owner, 0), candidates.index(owner)))
