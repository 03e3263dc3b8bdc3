"""Who a record belongs to, for the console's lists: the customer's name and their conversation's link.

One lookup per customer per page (cached for the page), whatever the number of their records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.console.views import conversation_path
from tools.errors import NotFound
from tools.ids import ContactId
from tools.sql import BusinessStores


@dataclass(frozen=True)
class Person:
    """A customer as a list shows them."""

    name: str
    link: str | None
    """Their most recent conversation in the console (None: they never wrote)."""


@dataclass
class People:
    """Customers looked up once per page."""

    stores: BusinessStores
    _known: dict[str, Person] = field(default_factory=dict)

    async def of(self, contact_id: ContactId | str | None) -> Person:
        """The customer `contact_id` (a dash for none)."""
        if not contact_id:
            return Person("—", None)
        if contact_id in self._known:
            return self._known[contact_id]
        try:
            contact = await self.stores.crm.get_contact(ContactId(contact_id))
            name = contact.name or contact.phone or contact.email
        except NotFound:
            name = None
        conversation = await self.stores.conversations.latest_for_contact(ContactId(contact_id))
        person = Person(
            name or (conversation.external_id if conversation else contact_id),
            conversation_path(conversation.id) if conversation else None,
        )
        self._known[contact_id] = person
        return person
