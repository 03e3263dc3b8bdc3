"""One trial of one dialogue: a fresh desk, the setup seeded, every step played and graded, then `final`."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from agents.knowledge import KnowledgeAnswerer
from agents.understanding import Understander
from evals.dialogues.checks import check_final
from evals.dialogues.execute import Driver
from evals.dialogues.harness import Desk, open_desk
from evals.dialogues.model import Advance, Dialogue, Event, Say, StaffAct, Step
from evals.dialogues.results import StepResult, Trial
from evals.dialogues.seeding import local, seed
from evals.dialogues.simulate import simulate
from evals.dialogues.snapshot import snapshot
from tools.clock import FrozenClock
from tools.playbook import Playbook

log = logging.getLogger("frontdesk.evals")


@dataclass(frozen=True)
class TrialSetup:
    """What a trial needs besides its dialogue."""

    template: Path
    """The migrated SQLite database to copy."""
    folder: Path
    """The trial's own working folder (deleted afterwards)."""
    playbook: Playbook
    understanding: Understander
    simulator: BaseChatModel | None = None
    public_url: str = "http://127.0.0.1:8000"
    knowledge: KnowledgeAnswerer | None = None
    """The playbook's knowledge base, shared by every trial (it is only read)."""


def _label(step: Step) -> tuple[str, str]:
    if isinstance(step, Say):
        return "say", step.text
    if isinstance(step, StaffAct):
        return "staff", step.action
    if isinstance(step, Event):
        return "event", step.type
    assert isinstance(step, Advance)
    return "advance", str(step.delta)


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def run_trial(dialogue: Dialogue, setup: TrialSetup) -> Trial:
    """Run `dialogue` once on a fresh desk and grade it; errors fail the trial with a message, never raise."""
    started = time.perf_counter()
    zone = setup.playbook.business.zone
    clock = FrozenClock(local(dialogue.start, zone))
    steps: list[StepResult] = []
    tokens = 0
    try:
        async with open_desk(
            setup.folder,
            template=setup.template,
            playbook=setup.playbook,
            understanding=setup.understanding,
            clock=clock,
            public_url=setup.public_url,
            knowledge=setup.knowledge,
        ) as desk:
            hidden = await seed(desk.raw, dialogue.setup, setup.playbook)
            driver = Driver(dialogue, desk, hidden=hidden)
            if dialogue.simulate is not None:
                if setup.simulator is None:
                    raise RuntimeError("a simulated dialogue needs an LLM")
                business = setup.playbook.business.name.get(dialogue.language)
                run = await simulate(driver, dialogue.simulate, setup.simulator, business=business)
                steps.extend(run.steps)
                tokens = run.tokens
            else:
                for index, step in enumerate(dialogue.steps):
                    try:
                        steps.append(await driver.run(index, step))
                    except Exception as error:
                        log.debug("eval %s: step %d failed", dialogue.id, index, exc_info=True)
                        kind, label = _label(step)
                        message = _describe(error)
                        steps.append(StepResult(index=index, kind=kind, input=label, error=message))
                        line = dialogue.line(f"steps[{index}]")
                        where = f"steps[{index}]" + (f" (line {line})" if line is not None else "")
                        return _trial(steps, started, tokens, error=f"{where}: {message}")
            return await _finish(dialogue, desk, driver, steps, started, tokens, hidden)
    except Exception as error:
        log.debug("eval %s failed", dialogue.id, exc_info=True)
        return _trial(steps, started, tokens, error=_describe(error))


def _trial(steps: list[StepResult], started: float, tokens: int, *, error: str) -> Trial:
    seconds = round(time.perf_counter() - started, 3)
    return Trial(False, tuple(steps), error=error, seconds=seconds, simulator_tokens=tokens)


async def _finish(
    dialogue: Dialogue,
    desk: Desk,
    driver: Driver,
    steps: list[StepResult],
    started: float,
    tokens: int,
    hidden: frozenset[str],
) -> Trial:
    final = dialogue.final
    records = await snapshot(desk.raw, [r.kind for r in final.records], hidden=hidden)
    checks, tools = check_final(
        final,
        dialogue=dialogue,
        calls=tuple(desk.log.calls),
        records=records,
        handoff=await driver.owned_by_staff(),
        zone=driver.zone,
    )
    passed = all(check.passed for step in steps for check in step.checks) and all(c.passed for c in checks)
    return Trial(
        passed,
        tuple(steps),
        final=checks,
        final_tools=tools,
        seconds=round(time.perf_counter() - started, 3),
        simulator_tokens=tokens,
    )
