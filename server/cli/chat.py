"""`frontdesk chat`: talk to the business in the terminal, through the same path real channels use."""

from __future__ import annotations

import asyncio
import shlex
import sys
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from graph import Inbound, TurnResult
from server.assembly import Frontdesk, open_frontdesk
from server.settings import Settings
from tools.conversations import ApprovalStatus, Direction

out = Console(highlight=False)


def _show(result: TurnResult, *, buttons: list[str]) -> None:
    buttons.clear()
    if result.duplicate:
        out.print("[dim](already answered)[/dim]")
    if result.silent:
        out.print("[dim](a person from the team owns this conversation; the bot stays silent)[/dim]")
    for reply in result.replies:
        agent = f"[dim]{reply.agent}[/dim] " if reply.agent else ""
        out.print(f"{agent}[bold cyan]bot>[/bold cyan] {reply.text}", markup=True)
        if reply.buttons:
            buttons.extend(reply.buttons)
            out.print(
                "      " + "  ".join(f"[{i}] {b}" for i, b in enumerate(reply.buttons, 1)), markup=False
            )
        for action in reply.actions:
            out.print(f"      [dim]· {action}[/dim]")
    if result.approval_id:
        out.print(
            f"      [yellow]· waiting for staff: approval {result.approval_id}[/yellow] "
            "[dim](/approve ID, /edit ID key=value or key='a sentence', /reject ID reason)[/dim]"
        )


async def _show_pushed(desk: Frontdesk, conversation_id: str, shown: set[str], *, first: bool) -> None:
    """Print messages the business sent on its own since the last prompt (a staff decision, a payment)."""
    transcript = await desk.stores.conversations.transcript(conversation_id, limit=20)
    for message in transcript:
        if message.direction is Direction.OUT and message.id not in shown:
            shown.add(message.id)
            if not first and message.text:
                out.print(f"[dim]{message.agent or ''}[/dim] [bold cyan]bot>[/bold cyan] {message.text}")


async def _command(desk: Frontdesk, line: str) -> TurnResult | None:
    parts = line.split(maxsplit=2)
    name = parts[0]
    if name == "/approvals":
        for approval in await desk.stores.conversations.list_approvals(status=ApprovalStatus.PENDING):
            out.print(f"{approval.id}  {approval.kind}  {approval.summary}", markup=False)
        return None
    if name in {"/approve", "/reject", "/edit"} and len(parts) >= 2:
        rest = parts[2] if len(parts) > 2 else ""
        if name == "/edit":
            changes = dict(item.split("=", 1) for item in shlex.split(rest) if "=" in item)
            return await desk.runner.decide(parts[1], action="edit", by="staff:cli", changes=changes)
        action = name.removeprefix("/")
        return await desk.runner.decide(parts[1], action=action, by="staff:cli", note=rest or None)
    out.print(
        "commands: /approvals, /approve ID, /edit ID key=value or key='a sentence'…, /reject ID reason, /quit"
    )
    return None


async def _session(
    settings: Settings, channel: str, lang: str | None, script: Path | None, session: str
) -> None:
    started = time.perf_counter()
    async with open_frontdesk(settings) as desk:
        name = desk.playbook.business.name.get(lang or desk.playbook.business.default_language)
        out.print(
            f"[bold]{name}[/bold] [dim]· {channel} · ready in {time.perf_counter() - started:.1f} s · "
            "/quit to leave[/dim]"
        )
        lines = (await asyncio.to_thread(script.read_text, encoding="utf-8")).splitlines() if script else None
        buttons: list[str] = []
        shown: set[str] = set()
        conversation_id = f"{channel}:{session}"
        first = True
        while True:
            await _show_pushed(desk, conversation_id, shown, first=first)
            first = False
            if lines is not None:
                if not lines:
                    break
                text = lines.pop(0)
                out.print(f"[bold green]you>[/bold green] {text}")
            else:
                try:
                    text = await asyncio.to_thread(input, "you> ")
                except EOFError:
                    break
            if text.strip() in {"/quit", "/exit"}:
                break
            if text.startswith("/"):
                result = await _command(desk, text.strip())
                if result is not None:
                    _show(result, buttons=buttons)
                continue
            if text.strip().isdigit() and 0 < int(text.strip()) <= len(buttons):
                text = buttons[int(text.strip()) - 1]
            inbound = Inbound(
                channel=channel,
                chat_id=session,
                sender_id=session,
                text=text,
                message_id=uuid.uuid4().hex,
                language=lang,
            )
            result = await desk.runner.handle(inbound)
            shown.update(reply.id for reply in result.replies)
            _show(result, buttons=buttons)


def chat(
    playbook: Annotated[Path | None, typer.Option(help="The business's playbook.")] = None,
    channel: Annotated[
        str, typer.Option(help="Which channel to pretend to be (telegram, whatsapp, webchat…).")
    ] = "cli",
    lang: Annotated[
        str | None,
        typer.Option(
            help="Pin the conversation to this language (en or ru) until the customer writes in another."
        ),
    ] = None,
    script: Annotated[
        Path | None, typer.Option(help="Send the lines of this file instead of reading the keyboard.")
    ] = None,
    session: Annotated[str, typer.Option(help="The customer id; reuse it to continue a conversation.")] = "",
) -> None:
    """Chat with the business in the terminal; see which agent answered and what it did.

    Staff commands inside the chat: /approvals, /approve ID, /edit ID key=value or key='a sentence', /reject ID reason.
    """
    overrides = {"playbook": playbook} if playbook else {}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    asyncio.run(_session(settings, channel, lang, script, session or f"local-{uuid.uuid4().hex[:6]}"))
    sys.stdout.flush()
