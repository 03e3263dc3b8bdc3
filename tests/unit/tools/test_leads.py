"""Lead tagging and routing by the playbook's rules (the renovation company)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import ROOT
from tools.leads import LeadFacts, choose_owner, qualify
from tools.playbook import Playbook, load_playbook


@pytest.fixture(scope="module")
def renovation() -> Playbook:
    return load_playbook(ROOT / "examples/renovation/playbook.yaml")


def test_a_big_budget_starting_soon_is_hot_and_unknowns_are_not(renovation: Playbook) -> None:
    hot = next(rule for rule in renovation.qualification.rules if rule.tag == "hot").when
    assert hot.budget_at_least is not None and hot.start_within_days is not None
    facts = LeadFacts(budget=hot.budget_at_least, start_within_days=hot.start_within_days)
    assert qualify(renovation, facts) == "hot"
    assert qualify(renovation, LeadFacts(budget=hot.budget_at_least)) != "hot"
    assert qualify(renovation, LeadFacts()) == renovation.qualification.default_tag


def test_owners_follow_routes_and_load(renovation: Playbook) -> None:
    route = renovation.sales_routing.routes[0]
    facts = LeadFacts(
        service_id=route.when.services[0] if route.when.services else None,
        region_id=route.when.regions[0] if route.when.regions else None,
        budget=route.when.budget_at_least or Decimal(0),
    )
    first = choose_owner(renovation, facts, {})
    assert first in route.owners
    loaded = {owner: (10 if owner == first else 0) for owner in route.owners}
    if len(route.owners) > 1:
        assert choose_owner(renovation, facts, loaded) != first
    assert (
        choose_owner(renovation, LeadFacts(region_id="nowhere"), {})
        in renovation.sales_routing.default_owners
    )


def test_an_owner_at_their_cap_gets_no_new_leads_unless_everyone_is(minimal_playbook: Playbook) -> None:
    assert choose_owner(minimal_playbook, LeadFacts(), {"anna": 10_000}) == "anna"
