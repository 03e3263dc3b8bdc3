"""Cross-checks of a dialogue's setup against itself and its playbook (ids that must exist)."""

from __future__ import annotations

from evals.dialogues.model import SeedBooking, Setup
from tools.playbook import Playbook
from tools.playbook._yaml import Path


def check_setup(setup: Setup, playbook: Playbook) -> list[tuple[Path, str]]:
    """Problems of `setup` as (path inside the dialogue, message): unknown contacts, services and staff."""
    problems: list[tuple[Path, str]] = []
    refs = [contact.ref for contact in setup.contacts]
    seen: set[str] = set()
    for index, contact in enumerate(setup.contacts):
        if contact.ref in seen:
            problems.append((("setup", "contacts", index, "id"), f"{contact.ref!r} is used twice"))
        seen.add(contact.ref)
    known = ", ".join(refs) or "none"
    for index, order in enumerate(setup.orders):
        if order.contact not in seen:
            problems.append(
                (
                    ("setup", "orders", index, "contact"),
                    f"must be a setup contact id (known: {known}), got {order.contact!r}",
                )
            )
    for group, bookings in (("bookings", setup.bookings), ("busy", setup.busy)):
        for index, booking in enumerate(bookings):
            where: Path = ("setup", group, index)
            if booking.contact is not None and booking.contact not in seen:
                problems.append(
                    ((*where, "contact"), f"must be a setup contact id (known: {known}), got {booking.contact!r}")
                )
            problems.extend(((*where, *path), message) for path, message in _check_service(booking, playbook))
    return problems


def _check_service(booking: SeedBooking, playbook: Playbook) -> list[tuple[Path, str]]:
    bookable = [service.id for service in playbook.services if service.bookable]
    if booking.service not in bookable:
        return [(("service",), f"must be a bookable service of the playbook ({', '.join(bookable)}), got {booking.service!r}")]
    service = playbook.service(booking.service)
    if booking.staff is not None and booking.staff not in service.staff:
        return [(("staff",), f"must be one of the service's staff ({', '.join(service.staff)}), got {booking.staff!r}")]
    return []
