"""All business stores over one database, opened together."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from tools.api_tokens import ApiTokenStore
from tools.audit import AuditLog
from tools.billing import BillingStore
from tools.business_metrics import BusinessMetricsReader
from tools.calendar import CalendarStore
from tools.clock import Clock
from tools.conversation_list import ConversationListing
from tools.conversations import ConversationStore
from tools.crm import CrmStore
from tools.inbox import InboxStore
from tools.notifications import NotificationStore
from tools.orders import OrderStore
from tools.sql.api_tokens import SqlApiTokens
from tools.sql.billing import SqlBilling
from tools.sql.business_metrics import SqlBusinessMetrics
from tools.sql.calendar import SqlCalendar
from tools.sql.conversation_list import SqlConversationList
from tools.sql.conversations import SqlConversations
from tools.sql.crm import SqlCrm
from tools.sql.engine import DatabaseUrls, create_engine, database_urls
from tools.sql.inbox import SqlInbox
from tools.sql.migrate import upgrade_database
from tools.sql.notifications import SqlAuditLog, SqlNotifications
from tools.sql.orders import SqlOrders
from tools.sql.staff_accounts import SqlStaffAccounts
from tools.sql.staff_alerts import SqlStaffAlerts
from tools.sql.tasks import SqlTasks
from tools.sql.tickets import SqlTickets
from tools.sql.timers import SqlTimers
from tools.staff_accounts import StaffAccountStore
from tools.staff_alerts import StaffAlertStore
from tools.tasks import TaskStore
from tools.tickets import TicketStore
from tools.timers import TimerStore


@dataclass(frozen=True)
class BusinessStores:
    """The CRM, calendar, billing, orders, tickets, tasks, notifications, audit log, conversations, inbox, staff alerts, timers and API tokens of one business."""

    crm: CrmStore
    calendar: CalendarStore
    billing: BillingStore
    orders: OrderStore
    tickets: TicketStore
    tasks: TaskStore
    notifications: NotificationStore
    audit: AuditLog
    conversations: ConversationStore
    inbox: InboxStore
    staff_alerts: StaffAlertStore
    """Staff notifications on their way to Telegram, Slack and webhooks."""
    staff_accounts: StaffAccountStore
    """Who signs in to the staff console, with roles, lockout and sessions."""
    conversation_list: ConversationListing
    """The staff inbox's filtered, searched list of conversations."""
    business_metrics: BusinessMetricsReader
    """Response times, conversion rates, drop-offs and satisfaction signals over a period."""
    timers: TimerStore
    """Durable timers for proactive messages: reminders, deadlines, follow-ups."""
    api_tokens: ApiTokenStore
    """Credentials of the business's other systems (CRM, shop) for the events API."""
    engine: AsyncEngine
    urls: DatabaseUrls

    async def close(self) -> None:
        """Release the database connections."""
        await self.engine.dispose()


async def open_stores(database_url: str, *, clock: Clock, migrate: bool = True) -> BusinessStores:
    """Open every store on `database_url`, first upgrading the schema unless told not to."""
    urls = database_urls(database_url)
    if migrate:
        await asyncio.to_thread(upgrade_database, urls)
    engine = create_engine(urls)
    return BusinessStores(
        crm=SqlCrm(engine, clock),
        calendar=SqlCalendar(engine, clock),
        billing=SqlBilling(engine, clock),
        orders=SqlOrders(engine, clock),
        tickets=SqlTickets(engine, clock),
        tasks=SqlTasks(engine, clock),
        notifications=SqlNotifications(engine, clock),
        audit=SqlAuditLog(engine, clock),
        conversations=SqlConversations(engine, clock),
        inbox=SqlInbox(engine, clock),
        staff_alerts=SqlStaffAlerts(engine, clock),
        staff_accounts=SqlStaffAccounts(engine, clock),
        conversation_list=SqlConversationList(engine),
        business_metrics=SqlBusinessMetrics(engine),
        timers=SqlTimers(engine, clock),
        api_tokens=SqlApiTokens(engine, clock),
        engine=engine,
        urls=urls,
    )
