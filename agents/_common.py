"""Helpers the specialists share: shared slots, contact details, option labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from agents.base import Outcome, Turn
from agents.understanding import Choice, ChoiceKind
from tools.crm import ContactChanges
from tools.intents import Intent

T = TypeVar("T")

INTENT_LABELS: dict[Intent, dict[str, str]] = {
    Intent.PRICING: {"en": "prices", "ru": "цены"},
    Intent.BOOKING_NEW: {"en": "booking", "ru": "запись"},
    Intent.BOOKING_RESCHEDULE: {"en": "rescheduling", "ru": "перенос записи"},
    Intent.BOOKING_CANCEL: {"en": "cancelling a booking", "ru": "отмена записи"},
    Intent.QUOTE_REQUEST: {"en": "an estimate", "ru": "расчёт стоимости"},
    Intent.SUPPORT_ORDER_STATUS: {"en": "order status", "ru": "статус заказа"},
    Intent.SUPPORT_DELIVERY: {"en": "delivery", "ru": "доставка"},
    Intent.SUPPORT_RETURN: {"en": "a return", "ru": "возврат"},
    Intent.SUPPORT_WARRANTY: {"en": "warranty", "ru": "гарантия"},
    Intent.SUPPORT_TECHNICAL: {"en": "a problem", "ru": "проблема"},
    Intent.SUPPORT_ACCOUNT: {"en": "your account", "ru": "аккаунт"},
    Intent.SUPPORT_BILLING: {"en": "payment", "ru": "оплата"},
    Intent.SUPPORT_CHANGE_ORDER: {"en": "changing an order", "ru": "изменение заказа"},
    Intent.INTERNAL_PARTNERSHIP: {"en": "partnership", "ru": "сотрудничество"},
    Intent.INTERNAL_PR: {"en": "press", "ru": "пресса"},
    Intent.INTERNAL_VACANCY: {"en": "a job", "ru": "вакансия"},
    Intent.INTERNAL_VENDOR_INVOICE: {"en": "a supplier invoice", "ru": "счёт поставщика"},
    Intent.INTERNAL_ADMIN: {"en": "an administrative question", "ru": "административный вопрос"},
    Intent.HUMAN_REQUEST: {"en": "a person", "ru": "сотрудник"},
    Intent.OPT_OUT: {"en": "unsubscribing", "ru": "отписка"},
    Intent.GREETING: {"en": "hello", "ru": "приветствие"},
    Intent.THANKS_BYE: {"en": "goodbye", "ru": "прощание"},
    Intent.OUT_OF_SCOPE: {"en": "something else", "ru": "другое"},
}

YES_WORDS = {"en": "Yes", "ru": "Да"}
NO_WORDS = {"en": "No", "ru": "Нет"}


def ordinal_pick(choice: Choice | None, options: Sequence[T], text: str = "") -> T | None:
    """The option a "the second one" / "последний" / "2" answer picks, if it is in range.

    A bare number ("2", "#2") picks by position whenever there are options to pick from.
    """
    bare = text.strip().lstrip("#").rstrip(".)")
    if (
        (choice is None or choice.kind is not ChoiceKind.ORDINAL)
        and bare.isdigit()
        and 0 < int(bare) <= len(options)
    ):
        return options[int(bare) - 1]
    if choice is None or choice.kind is not ChoiceKind.ORDINAL or choice.index is None:
        return None
    if -len(options) <= choice.index < len(options):
        return options[choice.index]
    return None


def label(intent: Intent, language: str) -> str:
    """A short customer-facing name of an intent."""
    return INTENT_LABELS[intent]["ru" if language == "ru" else "en"]


def yes_no(language: str) -> tuple[str, str]:
    """The Yes / No buttons."""
    lang = "ru" if language == "ru" else "en"
    return YES_WORDS[lang], NO_WORDS[lang]


def looks_like_name(text: str) -> bool:
    """Whether a reply to "How may I call you?" is itself a name ("Света", "Anna Lee")."""
    parts = text.strip().split()
    if not 1 <= len(parts) <= 3 or len(text) > 40:
        return False
    if text.strip().lower() in {"да", "нет", "yes", "no", "ok", "ок", "ага", "неа", "привет", "hello", "hi"}:
        return False
    return all(part.replace("-", "").isalpha() for part in parts)


def learn_contact_details(turn: Turn, outcome: Outcome) -> None:
    """Copy a name, phone or email from the message into the shared slots."""
    entities = turn.meaning.entities
    if entities.name and (turn.expecting == "name" or "name" not in turn.shared):
        outcome.shared["name"] = entities.name
    if entities.phone:
        outcome.shared["phone"] = entities.phone
    if entities.email:
        outcome.shared["email"] = entities.email


async def save_contact(turn: Turn, shared: dict[str, str]) -> None:
    """Store the shared contact details on the CRM contact (unverified)."""
    changes = ContactChanges(
        name=shared.get("name"), phone=shared.get("phone"), email=shared.get("email"), language=turn.language
    )
    await turn.deps.stores.crm.update_contact(
        turn.contact_id,
        changes,
        key=turn.key("contact"),
        actor=f"agent:{'sales'}",
    )


def service_name(turn: Turn, service_id: str) -> str:
    """A service's or product's name in the conversation language."""
    playbook = turn.deps.playbook
    try:
        return playbook.service(service_id).name.get("ru" if turn.language == "ru" else "en")
    except KeyError:
        return playbook.product(service_id).name.get("ru" if turn.language == "ru" else "en")
