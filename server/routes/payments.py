"""The built-in payment page: ``/pay/{token}`` shows an invoice and records its payment."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.business_events import pay_invoice
from server.deps import StateDep
from server.pages import page_language, render
from tools.errors import NotFound
from tools.money import format_money

router = APIRouter(tags=["payments"])

WORDS = {
    "en": {
        "title": "Payment",
        "amount": "Amount",
        "pay": "Pay",
        "paid": "Paid — thank you! You can close this page.",
        "void": "This invoice was cancelled. Please ask us for a new link.",
        "missing": "This payment link is not valid. Please ask us for a new one.",
        "due": "Please pay by",
        "demo": "Demo payment page: no card is charged.",
    },
    "ru": {
        "title": "Оплата",
        "amount": "Сумма",
        "pay": "Оплатить",
        "paid": "Оплачено — спасибо! Страницу можно закрыть.",
        "void": "Этот счёт отменён. Попросите у нас новую ссылку.",
        "missing": "Ссылка на оплату недействительна. Попросите у нас новую.",
        "due": "Оплатите до",
        "demo": "Демонстрационная страница оплаты: деньги не списываются.",
    },
}


@router.get("/pay/{token}", response_class=HTMLResponse)
async def payment_page(token: str, request: Request, state: StateDep) -> Response:
    """Show the invoice behind a payment link, with a button to pay it."""
    language = page_language(request, state.playbook.business.default_language)
    business = state.playbook.business.name.get(language)
    try:
        invoice = await state.stores.billing.invoice_by_token(token)
    except NotFound:
        return render(
            "pay.html",
            status_code=404,
            words=WORDS[language],
            language=language,
            business=business,
            invoice=None,
            amount=None,
            due=None,
        )
    zone = state.playbook.business.zone
    due = invoice.due_at.astimezone(zone).strftime("%d.%m.%Y %H:%M") if invoice.due_at else None
    return render(
        "pay.html",
        words=WORDS[language],
        language=language,
        business=business,
        invoice=invoice,
        amount=format_money(invoice.amount_minor, invoice.currency, language),
        due=due,
    )


@router.post("/pay/{token}")
async def pay(token: str, request: Request, state: StateDep) -> Response:
    """Record the payment (once, however often the button is pressed) and show the result."""
    language = page_language(request, state.playbook.business.default_language)
    try:
        invoice = await state.stores.billing.invoice_by_token(token)
    except NotFound:
        return await payment_page(token, request, state)
    await pay_invoice(
        state.stores,
        state.runner,
        invoice,
        provider=state.payments.name,
        reference=f"page:{token}",
        key=f"pay-page:{token}",
        actor=f"customer:{invoice.contact_id}",
    )
    return RedirectResponse(f"/pay/{token}?lang={language}", status_code=303)
