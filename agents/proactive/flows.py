"""Every proactive flow step by its timer kind."""

from __future__ import annotations

from collections.abc import Mapping

from agents.proactive.booking_flows import booking_reminder, booking_unconfirmed, deposit_deadline
from agents.proactive.fire import Flow
from agents.proactive.lead_flows import quote_alternative, quote_reminder, stalled_lead
from agents.proactive.reactivation_flows import reactivation
from agents.proactive.satisfaction_flows import satisfaction_question
from agents.proactive.task_flows import task_sla
from tools.booking_timers import DEPOSIT_DEADLINE, REMINDER, UNCONFIRMED
from tools.followup_timers import QUOTE_ALTERNATIVE, QUOTE_REMINDER, STALLED_LEAD
from tools.reactivation_timers import REACTIVATION
from tools.satisfaction_timers import SATISFACTION
from tools.task_timers import TASK_SLA

FLOWS: Mapping[str, Flow] = {
    REMINDER: booking_reminder,
    UNCONFIRMED: booking_unconfirmed,
    DEPOSIT_DEADLINE: deposit_deadline,
    TASK_SLA: task_sla,
    STALLED_LEAD: stalled_lead,
    QUOTE_REMINDER: quote_reminder,
    QUOTE_ALTERNATIVE: quote_alternative,
    REACTIVATION: reactivation,
    SATISFACTION: satisfaction_question,
}
"""The flow that fires each kind of timer."""
