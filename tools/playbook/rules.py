"""How the business wants conversations handled: qualification, routing, escalation, approvals."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import EmailStr, Field, model_validator
from pydantic_core import PydanticCustomError

from tools.playbook._types import Amount, Percent, PlaybookModel, PositiveInt, Slug
from tools.playbook.text import LocalizedList, LocalizedText, empty_list

QualificationSlot = Literal["need", "budget", "timeline", "location", "decision_role", "size"]
"""A fact the sales qualifier asks about."""


class QualificationQuestion(PlaybookModel):
    """A question the sales qualifier may ask (2–4 are asked per lead)."""

    slot: QualificationSlot
    """What the answer fills."""
    ask: LocalizedText
    """The question as the customer reads it."""
    choices: list[LocalizedText] = Field(default_factory=list)
    """Quick-reply buttons, if any."""


class LeadConditions(PlaybookModel):
    """Conditions on a lead's answers; all given ones must hold."""

    budget_at_least: Amount | None = None
    """The stated budget is at least this."""
    budget_below: Amount | None = None
    """The stated budget is below this."""
    start_within_days: PositiveInt | None = None
    """The customer wants to start within this many days."""
    services: list[Slug] = Field(default_factory=list)
    """The lead is about one of these services."""
    regions: list[Slug] = Field(default_factory=list)
    """The customer is in one of these regions."""
    decision_maker: bool | None = None
    """The customer decides alone (true) or not (false)."""


class QualificationRule(PlaybookModel):
    """Tag a lead when its answers meet the conditions; the first matching rule wins."""

    tag: Slug
    """The tag, e.g. ``hot``."""
    when: LeadConditions
    """The conditions."""


class Qualification(PlaybookModel):
    """How the sales qualifier qualifies a lead."""

    questions: list[QualificationQuestion] = Field(min_length=2)
    """The questions, in the order they are asked; at most ``max_questions`` are asked."""
    max_questions: int = Field(default=4, ge=2, le=4)
    """How many questions to ask at most (2–4)."""
    rules: list[QualificationRule] = Field(default_factory=list)
    """Tagging rules, checked in order."""
    default_tag: Slug = "nurture"
    """The tag when no rule matches."""


class SalesRoute(PlaybookModel):
    """Send matching leads to one of these owners (the least loaded one)."""

    when: LeadConditions = LeadConditions()
    """Which leads this route takes."""
    owners: list[Slug] = Field(min_length=1)
    """Staff ids; the one with the fewest open leads gets it."""


class SalesRouting(PlaybookModel):
    """Who owns a new lead."""

    routes: list[SalesRoute] = Field(default_factory=list)
    """Checked in order; the first that matches decides."""
    default_owners: list[Slug] = Field(min_length=1)
    """Owners when no route matches."""


class VipList(PlaybookModel):
    """Customers who always get a person quickly."""

    phones: list[str] = Field(default_factory=list)
    """Phone numbers, any format (compared as digits)."""
    emails: list[EmailStr] = Field(default_factory=list)
    """Email addresses."""
    tags: list[Slug] = Field(default_factory=list)
    """Contacts with any of these CRM tags."""


class Escalation(PlaybookModel):
    """When a conversation goes to a person."""

    keywords: LocalizedList = Field(default_factory=empty_list)
    """Words that hand over at once (besides "HUMAN" / "оператор", which always do)."""
    legal_keywords: LocalizedList = Field(default_factory=empty_list)
    """Legal or compliance words (lawyer, court, претензия) that escalate."""
    negative_tone: bool = True
    """Escalate when the customer is angry."""
    repeated_messages: PositiveInt = 3
    """Escalate when the customer sends the same message this many times."""
    vip: VipList = VipList()
    """Customers who always get a person."""


class ForbiddenTopic(PlaybookModel):
    """A topic the agents never discuss."""

    id: Slug
    """The topic's id."""
    keywords: LocalizedList
    """Words that reveal it."""
    reply: LocalizedText
    """The polite refusal."""


class Topics(PlaybookModel):
    """What the agents may talk about."""

    allowed: list[str] = Field(default_factory=list)
    """Topics in scope besides the catalogue, for the LLM adapter's instructions."""
    forbidden: list[ForbiddenTopic] = Field(default_factory=list)
    """Topics refused politely."""


class Approvals(PlaybookModel):
    """Actions that wait for a person's approval."""

    quote_amount_over: Amount
    """Quotes whose upper amount is above this wait for staff."""
    discount_percent_over: Percent = Decimal(0)
    """Discounts above this percent wait for staff (0: every discount)."""
    refunds: Literal["always"] = "always"
    """Refunds always wait for staff; this cannot be turned off."""
    non_standard_requests: bool = True
    """Requests outside the catalogue wait for staff."""


Team = Literal["finance", "hr", "sales", "support", "operations", "marketing"]
"""A team that internal requests and handoffs are routed to."""

InternalKind = Literal["partnership", "pr", "vacancy", "vendor_invoice", "admin"]
"""A kind of non-customer request."""


class TeamContact(PlaybookModel):
    """Who answers for a team, and how fast."""

    name: LocalizedText
    """The team's name for replies ("Finance department")."""
    contact: str
    """A person or channel that receives the summaries."""
    email: EmailStr | None = None
    """An address for notifications."""
    response_hours: PositiveInt
    """The promised response time, in working hours."""
    manager: Slug | None = None
    """Staff id notified when a task is not accepted in time."""


class InternalRequestKind(PlaybookModel):
    """A kind of internal request and what must be collected for it."""

    team: Team
    """The team that gets it."""
    required_fields: list[Slug] = Field(min_length=1)
    """Details asked for before routing (e.g. ``company``, ``email``, ``proposal``)."""


class InternalRouting(PlaybookModel):
    """Where non-customer traffic goes."""

    teams: dict[Team, TeamContact]
    """Each team's contact and promised response time."""
    requests: dict[InternalKind, InternalRequestKind]
    """Each request kind's team and required details."""

    @model_validator(mode="after")
    def _teams_exist(self) -> InternalRouting:
        for kind, request in self.requests.items():
            if request.team not in self.teams:
                raise PydanticCustomError(
                    "team", f"requests.{kind}.team is {request.team!r}, which is not listed in teams"
                )
        return self


class SupportPolicy(PlaybookModel):
    """How support triage treats orders, returns and answers from the knowledge base."""

    return_days: PositiveInt = 14
    """Days after delivery during which an order may be returned (returnable items only)."""
    identity_attempts: PositiveInt = Field(default=3, le=10)
    """Failed order-identity checks allowed before the conversation goes to a person."""
    ask_if_solved: bool = True
    """Ask "Did that solve it?" after an answer, and record the outcome."""
