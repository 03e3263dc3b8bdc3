"""Commands that only need the database: open the stores, run the work, report domain errors as exit code 1."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from server.settings import Settings
from tools.clock import SystemClock
from tools.errors import FrontdeskError
from tools.sql import BusinessStores, open_stores

T = TypeVar("T")
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print `message` to standard error; the exit to raise (code 1)."""
    err.print(message, markup=False)
    return typer.Exit(1)


def with_stores(work: Callable[[BusinessStores], Awaitable[T]]) -> T:
    """Run `work` on the configured database's stores (upgraded first); a domain error ends the command with code 1."""

    async def run() -> T:
        settings = Settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        stores = await open_stores(settings.effective_database_url, clock=SystemClock())
        try:
            return await work(stores)
        finally:
            await stores.close()

    try:
        return asyncio.run(run())
    except FrontdeskError as error:
        raise fail(str(error)) from None
