"""What the business sells: services, packages, products, and who and what delivers them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import EmailStr, Field, model_validator
from pydantic_core import PydanticCustomError

from tools.playbook._types import Amount, Language, NonNegativeInt, Percent, PlaybookModel, PositiveInt, Slug
from tools.playbook.hours import WeeklyHours
from tools.playbook.text import LocalizedList, LocalizedText, Name, empty_list

BookingField = Literal[
    "name", "phone", "email", "address", "city", "comment", "area_m2", "rooms", "date_of_birth"
]
"""A detail the booking coordinator must collect before confirming."""


class Price(PlaybookModel):
    """A fixed price (``amount``) or a range (``min`` and ``max``), optionally per unit."""

    amount: Amount | None = None
    """The fixed price."""
    min: Amount | None = None
    """The lowest price of a range."""
    max: Amount | None = None
    """The highest price of a range."""
    per: str | None = None
    """The unit the price is for, e.g. ``m2``, ``hour``, ``room``; empty for the whole service."""

    @model_validator(mode="after")
    def _fixed_or_range(self) -> Price:
        is_fixed = self.amount is not None
        is_range = self.min is not None or self.max is not None
        if is_fixed == is_range:
            raise PydanticCustomError(
                "price", "give either amount (a fixed price) or min and max (a range), not both"
            )
        if is_range:
            if self.min is None or self.max is None:
                raise PydanticCustomError("price", "a range needs both min and max")
            if self.min > self.max:
                raise PydanticCustomError("price", "min must not be greater than max")
        return self

    @property
    def low(self) -> Decimal:
        """The lowest amount this price can be."""
        value = self.amount if self.amount is not None else self.min
        assert value is not None
        return value

    @property
    def high(self) -> Decimal:
        """The highest amount this price can be."""
        value = self.amount if self.amount is not None else self.max
        assert value is not None
        return value


class Package(PlaybookModel):
    """A tier of a service: basic, standard, premium, or any name the business uses."""

    id: Slug
    """Refer to the package by this id."""
    name: LocalizedText
    """What customers see."""
    price: Price
    """Its price."""
    includes: LocalizedList = Field(default_factory=empty_list)
    """What it includes, one line each."""
    recommended: bool = False
    """Offer this one first when nothing else decides."""


class DepositRule(PlaybookModel):
    """A prepayment that holds a booking."""

    kind: Literal["percent", "fixed"]
    """``percent`` of the price, or a ``fixed`` amount."""
    value: Amount
    """The percentage or the amount."""
    due_within_hours: PositiveInt = 24
    """Hours after booking by which it must be paid, or the slot is released."""

    @model_validator(mode="after")
    def _percent_in_range(self) -> DepositRule:
        if self.kind == "percent" and not (0 < self.value <= 100):
            raise PydanticCustomError("deposit", "a percent deposit must be more than 0 and at most 100")
        return self


class ScopeQuestion(PlaybookModel):
    """One item of the quoting agent's scope checklist."""

    id: Slug
    """The slot the answer fills."""
    ask: LocalizedText
    """The question, one per message."""
    kind: Literal["number", "choice", "text", "yes_no"] = "text"
    """What answer is expected."""
    unit: str | None = None
    """For numbers: the unit the estimate multiplies by (e.g. ``m2``)."""
    choices: list[ScopeChoice] = Field(default_factory=list)
    """For choices: the options and how each changes the price."""
    required: bool = True
    """Whether the estimate needs it (optional ones may be skipped)."""


class ScopeChoice(PlaybookModel):
    """An option of a choice question, with its effect on the estimate."""

    id: Slug
    """The option's id."""
    label: LocalizedText
    """What customers see."""
    multiplier: Decimal = Decimal(1)
    """The estimate is multiplied by this."""
    extra: Amount = Decimal(0)
    """A fixed amount added to the estimate."""


class Estimate(PlaybookModel):
    """How the quoting agent prices a project: base + per unit × choices."""

    base: Price = Price(amount=Decimal(0))
    """A fixed part of every estimate."""
    per_unit: Price | None = None
    """The price per unit of the number question whose ``unit`` matches."""
    unit: str | None = None
    """The unit ``per_unit`` refers to."""
    scope: list[ScopeQuestion] = Field(default_factory=list)
    """The checklist asked before estimating."""
    assumptions: LocalizedList = Field(default_factory=empty_list)
    """What the estimate assumes, stated to the customer."""
    valid_days: PositiveInt = 14
    """How long a quote stays valid."""


class Service(PlaybookModel):
    """A service the business performs: bookable (an appointment) or a project (quoted)."""

    id: Slug
    """Refer to the service by this id."""
    name: LocalizedText
    """What customers see."""
    aliases: LocalizedList = Field(default_factory=empty_list)
    """Other words customers use for it (matched fuzzily)."""
    category: Slug = "general"
    """A grouping, e.g. ``hair`` or ``bathroom``."""
    description: LocalizedText | None = None
    """One or two sentences for customers."""
    price: Price
    """The price or price range."""
    packages: list[Package] = Field(default_factory=list)
    """Tiers (basic / standard / premium), if the service has them."""
    bookable: bool = True
    """Whether customers book it into the calendar."""
    duration_minutes: PositiveInt | None = None
    """How long an appointment takes (required when bookable)."""
    buffer_before_minutes: NonNegativeInt = 0
    """Preparation time kept free before it."""
    buffer_after_minutes: NonNegativeInt = 0
    """Clean-up time kept free after it."""
    required_fields: list[BookingField] = Field(default_factory=lambda: list[BookingField](["name", "phone"]))
    """What must be known before a booking is confirmed."""
    deposit: DepositRule | None = None
    """A prepayment that holds the booking; none by default."""
    staff: list[Slug] = Field(default_factory=list)
    """Ids of the staff who perform it."""
    resources: list[Slug] = Field(default_factory=list)
    """Ids of resources of which one is needed (a room, a chair, a van)."""
    estimate: Estimate | None = None
    """For quoted projects: how to estimate the price."""
    upsell: list[Slug] = Field(default_factory=list)
    """Ids of services or products to offer afterwards."""
    demo: bool = False
    """A demo, trial or site visit: when nothing follows it, the reactivation ladder starts
    ``follow_ups.reactivation.after_demo_days`` later."""

    @model_validator(mode="after")
    def _bookable_has_duration(self) -> Service:
        if self.bookable and self.duration_minutes is None:
            raise PydanticCustomError(
                "service", "a bookable service needs duration_minutes (or set bookable: false)"
            )
        if self.bookable and not self.staff:
            raise PydanticCustomError("service", "a bookable service needs at least one staff id in staff")
        return self


class Product(PlaybookModel):
    """A product sold in the shop."""

    id: Slug
    """Refer to the product by this id."""
    name: LocalizedText
    """What customers see."""
    aliases: LocalizedList = Field(default_factory=empty_list)
    """Other words customers use for it."""
    category: Slug = "general"
    """A grouping."""
    price: Price
    """The price."""
    returnable: bool = True
    """Whether it may be returned under the returns policy."""
    complements: list[Slug] = Field(default_factory=list)
    """Ids of services or products that go well with it (for upsell)."""


class StaffMember(PlaybookModel):
    """A person who performs services or owns leads."""

    id: Slug
    """Refer to the person by this id."""
    name: Name
    """Their name, one string or one per language."""
    role: LocalizedText | None = None
    """What they do, for customers ("Senior stylist")."""
    email: EmailStr | None = None
    """Where staff notifications can go."""
    phone: str | None = None
    """A phone number for staff notifications."""
    hours: WeeklyHours | None = None
    """Their own hours; the business hours when not given."""
    days_off: list[date] = Field(default_factory=list)
    """Dates they do not work."""
    languages: list[Language] = Field(default_factory=lambda: list[Language](["en", "ru"]))
    """Languages they speak with customers."""
    sales: bool = False
    """Whether they can own leads."""
    regions: list[Slug] = Field(default_factory=list)
    """Region ids they cover, for sales routing."""
    max_open_leads: PositiveInt = 50
    """Above this many open leads they get no new ones (load balancing)."""
    console: Literal["admin", "agent"] | None = None
    """Give them a staff console account with this role (login: their id; set the password with
    ``frontdesk staff password ID``). None: no account from the playbook."""


class Resource(PlaybookModel):
    """A room, chair, piece of equipment or vehicle that only one booking can use at a time."""

    id: Slug
    """Refer to the resource by this id."""
    name: LocalizedText
    """What it is called."""
    kind: Slug = "room"
    """What sort of resource it is."""


class Region(PlaybookModel):
    """A city, district or area the business serves."""

    id: Slug
    """Refer to the region by this id."""
    name: LocalizedText
    """What it is called."""
    aliases: LocalizedList = Field(default_factory=empty_list)
    """Other spellings customers use ("Питер", "СПб")."""


class DiscountRule(PlaybookModel):
    """A discount staff allow the agents to offer."""

    id: Slug
    """Refer to the discount by this id."""
    name: LocalizedText
    """What customers see."""
    percent: Percent
    """How much off."""


Service.model_rebuild()
ScopeQuestion.model_rebuild()
