"""Errors of the business systems, in two families.

    FrontdeskError
    ├── CustomerFixable        the customer (or the model) can fix it: ask again
    │   ├── SlotUnavailable    the chosen time is no longer free
    │   ├── InvalidInput       a value does not parse or breaks a rule
    │   └── IdentityNotVerified
    └── StaffFacing            a person must act; the message says how
        ├── NotFound           a record that should exist does not
        ├── Conflict           a state transition that the record's state forbids
        ├── IdempotencyMismatch  a key reused for a different request
        └── ConfigError        bad settings or playbook

Domain code raises these; `server/` maps them to HTTP once.
"""

from __future__ import annotations


class FrontdeskError(Exception):
    """Base of every error Frontdesk raises on purpose."""


class CustomerFixable(FrontdeskError):
    """A problem the customer or the model should fix by trying again."""


class SlotUnavailable(CustomerFixable):
    """The requested time is taken or outside the hours it could be booked in."""


class InvalidInput(CustomerFixable):
    """A value does not parse or breaks a business rule."""


class IdentityNotVerified(CustomerFixable):
    """The customer has not proven they own the record they ask about."""


class StaffFacing(FrontdeskError):
    """An error a person must act on; the message says how."""


class NotFound(StaffFacing):
    """A record that was referred to does not exist."""


class Conflict(StaffFacing):
    """The record's current state does not allow the requested change."""


class IdempotencyMismatch(StaffFacing):
    """An idempotency key was reused for a request with different content."""


class ConfigError(StaffFacing):
    """Settings or a playbook are invalid; the message names the field."""
