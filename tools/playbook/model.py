"""The playbook: one validated YAML file that describes one business."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from tools.playbook._types import PlaybookModel, Slug
from tools.playbook.alerts import StaffAlerts
from tools.playbook.business import BusinessProfile
from tools.playbook.catalog import DiscountRule, Product, Region, Resource, Service, StaffMember
from tools.playbook.flows import BookingPolicy, FollowUps
from tools.playbook.hours import BusinessHours
from tools.playbook.messaging import Channels, Consent, Examples, KnowledgeSources, Templates
from tools.playbook.rules import (
    Approvals,
    Escalation,
    InternalRouting,
    Qualification,
    SalesRouting,
    SupportPolicy,
    Topics,
)


class Playbook(PlaybookModel):
    """Everything Frontdesk knows about one business. No business fact lives in code."""

    version: Literal[1] = 1
    """The playbook format version."""
    business: BusinessProfile
    """Who the business is."""
    hours: BusinessHours
    """Opening hours, holidays and quiet hours."""
    regions: list[Region] = Field(default_factory=list)
    """Cities or areas served."""
    services: list[Service] = Field(min_length=1)
    """Services, bookable or quoted."""
    products: list[Product] = Field(default_factory=list)
    """Products sold in the shop."""
    staff: list[StaffMember] = Field(min_length=1)
    """People who perform services or own leads."""
    resources: list[Resource] = Field(default_factory=list)
    """Rooms, chairs, equipment, vehicles."""
    discounts: list[DiscountRule] = Field(default_factory=list)
    """Discounts the agents may propose (subject to approvals)."""
    booking: BookingPolicy = BookingPolicy()
    """How appointments are offered."""
    qualification: Qualification
    """How leads are qualified and tagged."""
    sales_routing: SalesRouting
    """Who owns a new lead."""
    escalation: Escalation = Escalation()
    """When a person takes over."""
    topics: Topics = Topics()
    """Allowed and forbidden topics."""
    approvals: Approvals
    """What waits for staff approval."""
    internal_routing: InternalRouting
    """Where non-customer requests go."""
    follow_ups: FollowUps = FollowUps()
    """Timing of reminders and follow-ups."""
    consent: Consent
    """The consent question asked before storing contact details."""
    templates: Templates = Field(default_factory=dict)
    """Reply templates by id, per language."""
    examples: Examples = Field(default_factory=dict)
    """Example utterances per intent, per language."""
    channels: Channels = Channels()
    """Per-channel business settings."""
    knowledge: KnowledgeSources = KnowledgeSources()
    """Documents for the knowledge base."""
    support: SupportPolicy = SupportPolicy()
    """Order identity checks, returns and knowledge-base answers."""
    notifications: StaffAlerts = StaffAlerts()
    """Where staff notifications are sent: Telegram, Slack, signed webhooks (none by default)."""

    def service(self, service_id: str) -> Service:
        """Return the service with `service_id` (KeyError if unknown)."""
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(service_id)

    def staff_member(self, staff_id: str) -> StaffMember:
        """Return the staff member with `staff_id` (KeyError if unknown)."""
        for member in self.staff:
            if member.id == staff_id:
                return member
        raise KeyError(staff_id)

    def product(self, product_id: str) -> Product:
        """Return the product with `product_id` (KeyError if unknown)."""
        for product in self.products:
            if product.id == product_id:
                return product
        raise KeyError(product_id)

    def catalog_ids(self) -> frozenset[Slug]:
        """Ids of every service and product."""
        return frozenset([s.id for s in self.services] + [p.id for p in self.products])

    def minor_units(self, amount: Decimal) -> int:
        """Convert an amount in the business currency to whole minor units (cents, kopecks)."""
        return int((amount * 100).to_integral_value())
