"""The intents Frontdesk understands and the specialist agent each one routes to.

Playbooks give example utterances per intent; the understanding adapters
return one of these names. The catalogue is fixed in code because agent policy
is written against it; the words customers use for each are business data.
"""

from __future__ import annotations

from enum import StrEnum


class Agent(StrEnum):
    """A specialist (or a pseudo-agent) that a turn can be routed to."""

    SALES = "sales"
    BOOKING = "booking"
    QUOTING = "quoting"
    SUPPORT = "support"
    INTERNAL = "internal"
    HUMAN = "human"
    OPTOUT = "optout"
    SMALLTALK = "smalltalk"
    UNKNOWN = "unknown"


class Intent(StrEnum):
    """What a customer message asks for."""

    PRICING = "pricing"
    BOOKING_NEW = "booking_new"
    BOOKING_RESCHEDULE = "booking_reschedule"
    BOOKING_CANCEL = "booking_cancel"
    QUOTE_REQUEST = "quote_request"
    SUPPORT_ORDER_STATUS = "support_order_status"
    SUPPORT_DELIVERY = "support_delivery"
    SUPPORT_RETURN = "support_return"
    SUPPORT_WARRANTY = "support_warranty"
    SUPPORT_TECHNICAL = "support_technical"
    SUPPORT_ACCOUNT = "support_account"
    SUPPORT_BILLING = "support_billing"
    SUPPORT_CHANGE_ORDER = "support_change_order"
    INTERNAL_PARTNERSHIP = "internal_partnership"
    INTERNAL_PR = "internal_pr"
    INTERNAL_VACANCY = "internal_vacancy"
    INTERNAL_VENDOR_INVOICE = "internal_vendor_invoice"
    INTERNAL_ADMIN = "internal_admin"
    HUMAN_REQUEST = "human_request"
    OPT_OUT = "opt_out"
    GREETING = "greeting"
    THANKS_BYE = "thanks_bye"
    OUT_OF_SCOPE = "out_of_scope"


_PREFIX_AGENTS: tuple[tuple[str, Agent], ...] = (
    ("booking_", Agent.BOOKING),
    ("support_", Agent.SUPPORT),
    ("internal_", Agent.INTERNAL),
)

_EXACT_AGENTS: dict[Intent, Agent] = {
    Intent.PRICING: Agent.SALES,
    Intent.QUOTE_REQUEST: Agent.QUOTING,
    Intent.HUMAN_REQUEST: Agent.HUMAN,
    Intent.OPT_OUT: Agent.OPTOUT,
    Intent.GREETING: Agent.SMALLTALK,
    Intent.THANKS_BYE: Agent.SMALLTALK,
    Intent.OUT_OF_SCOPE: Agent.UNKNOWN,
}


def agent_for(intent: Intent) -> Agent:
    """Return the agent that handles `intent`."""
    if intent in _EXACT_AGENTS:
        return _EXACT_AGENTS[intent]
    for prefix, agent in _PREFIX_AGENTS:
        if intent.value.startswith(prefix):
            return agent
    return Agent.UNKNOWN
