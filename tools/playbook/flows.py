"""Booking policy and the timing of proactive messages."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from tools.playbook._types import NonNegativeInt, PlaybookModel, PositiveInt, Slug
from tools.playbook.catalog import DepositRule
from tools.playbook.text import LocalizedText


class BookingPolicy(PlaybookModel):
    """How appointments are offered and what the customer is told."""

    slot_step_minutes: PositiveInt = 15
    """Appointments start on multiples of this many minutes from the opening time."""
    min_notice_minutes: NonNegativeInt = 60
    """The earliest a slot may start, counted from now."""
    horizon_days: PositiveInt = 60
    """How far ahead customers may book."""
    slots_to_offer: int = Field(default=3, ge=1, le=5)
    """How many concrete slots to offer at once."""
    cancellation_notice_hours: NonNegativeInt = 24
    """Free cancellation or rescheduling up to this many hours before."""
    lateness_grace_minutes: NonNegativeInt = 15
    """How late a customer may be before the appointment may be shortened or cancelled."""
    default_deposit: DepositRule | None = None
    """A deposit for services that set none of their own."""
    rules: LocalizedText | None = None
    """Reschedule / cancel / lateness rules as told in the confirmation."""


class ReactivationAngle(PlaybookModel):
    """One message of the reactivation ladder: a useful reason to write, from one angle."""

    kind: Literal["faq", "comparison", "case", "slots"]
    """``faq`` (an answer to a common doubt), ``comparison`` (options side by side), ``case`` (a
    customer story), ``slots`` (new free times, listed from the calendar: no text needed)."""
    text: LocalizedText | None = None
    """What to say; ``{service}`` names the service. Required except for ``slots``."""
    services: list[Slug] = Field(default_factory=list)
    """Only for leads about these services (empty: any)."""

    @model_validator(mode="after")
    def _text_unless_slots(self) -> ReactivationAngle:
        if self.kind != "slots" and self.text is None:
            raise PydanticCustomError("angle", "an angle of kind {kind} needs text", {"kind": self.kind})
        return self


class ReactivationPolicy(PlaybookModel):
    """Messages to a lead that went quiet: a ladder of steps, each from a different angle, with two next steps."""

    after_quote_hours: PositiveInt = 48
    """First message this long after a quote without an answer (or after the quote's own
    follow-ups, when they end later), then again after each such interval."""
    after_demo_days: PositiveInt = 7
    """First message this long after a demo or site visit (a service with ``demo: true``) that nothing followed."""
    max_steps: int = Field(default=3, ge=1, le=6)
    """At most this many messages in the ladder."""
    angles: list[ReactivationAngle] = Field(default_factory=lambda: [ReactivationAngle(kind="slots")])
    """The angles, in the order they are used; one not applicable to the lead is skipped."""


class FollowUps(PlaybookModel):
    """When proactive messages go out. Every send respects quiet hours and opt-outs."""

    booking_reminders_hours_before: list[PositiveInt] = Field(default_factory=lambda: [24, 2])
    """Reminders before an appointment, in hours."""
    unconfirmed_followup_hours: PositiveInt = 4
    """A reminder that was not confirmed gets one follow-up after this."""
    stalled_lead_hours: PositiveInt = 24
    """A lead that went quiet after a price answer gets one reminder after this."""
    quote_reminder_hours: PositiveInt = 24
    """An unanswered quote gets a reminder after this."""
    quote_alternative_hours: PositiveInt = 72
    """Then an offer of a short call or another package after this."""
    reactivation: ReactivationPolicy = ReactivationPolicy()
    """The reactivation ladder."""
    satisfaction_after_hours: PositiveInt = 24
    """After a delivery or completed service, one satisfaction question after this."""
    upsell_valid_days: PositiveInt = 7
    """A complementary offer stays valid this many days."""
    task_accept_sla_hours: PositiveInt = 4
    """A handoff task not accepted within this goes to the team manager."""
    per_customer_daily_cap: PositiveInt = 2
    """At most this many proactive messages per customer per day."""
    account_hourly_cap: PositiveInt = 500
    """Above this many proactive messages per hour, sends halt and staff are alerted."""

    @field_validator("booking_reminders_hours_before")
    @classmethod
    def _descending(cls, hours: list[int]) -> list[int]:
        if len(set(hours)) != len(hours):
            raise ValueError("each reminder time must be different")
        return sorted(hours, reverse=True)
