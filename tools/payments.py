"""Payment providers: how a customer pays an invoice.

The built-in provider serves its own payment page at ``/pay/{token}`` (see
`server`), which records the payment when the customer confirms. Real
providers implement the same port: they make a link for an invoice and report
payments back through `BillingStore.record_payment` with their own reference.
"""

from __future__ import annotations

from typing import Protocol

from tools.billing import Invoice


class PaymentProvider(Protocol):
    """Makes payment links for invoices."""

    name: str
    """Recorded on every payment this provider reports."""

    def link_for(self, invoice: Invoice) -> str:
        """The URL where the customer pays `invoice`."""
        ...


class BuiltinPaymentProvider:
    """The payment page that ships with Frontdesk (for demos and cash-on-site businesses)."""

    name = "builtin"

    def __init__(self, public_url: str) -> None:
        self._public_url = public_url.rstrip("/")

    def link_for(self, invoice: Invoice) -> str:
        """The built-in page for `invoice`: ``{public_url}/pay/{token}``."""
        return f"{self._public_url}/pay/{invoice.payment_token}"
