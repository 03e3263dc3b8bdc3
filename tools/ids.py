"""Typed identifiers of the business records.

Each is a `NewType` over `str` so that a contact id cannot be passed where a
booking id is expected. New ids are short random strings with a readable prefix.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import NewType

ContactId = NewType("ContactId", str)
IdentityId = NewType("IdentityId", str)
LeadId = NewType("LeadId", str)
NoteId = NewType("NoteId", str)
ConsentId = NewType("ConsentId", str)
ActivityId = NewType("ActivityId", str)
BookingId = NewType("BookingId", str)
QuoteId = NewType("QuoteId", str)
InvoiceId = NewType("InvoiceId", str)
PaymentId = NewType("PaymentId", str)
OrderId = NewType("OrderId", str)
TicketId = NewType("TicketId", str)
TaskId = NewType("TaskId", str)
NotificationId = NewType("NotificationId", str)
AuditId = NewType("AuditId", str)
ServiceId = NewType("ServiceId", str)
StaffId = NewType("StaffId", str)
ResourceId = NewType("ResourceId", str)


_last_stamp = 0
_stamp_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """Return a fresh id such as ``bk_187a3f9a1c0e7d2b4a58``.

    Ids made by one process sort in the order they were made (a nanosecond
    stamp that never repeats, then random digits), so records written in the
    same frozen-clock instant still list in a stable order.
    """
    global _last_stamp
    with _stamp_lock:
        stamp = max(time.time_ns(), _last_stamp + 1)
        _last_stamp = stamp
    return f"{prefix}_{stamp:016x}{secrets.token_hex(2)}"
