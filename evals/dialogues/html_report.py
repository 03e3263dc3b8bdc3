"""The HTML report (``--report``): one self-contained page, no scripts and nothing fetched.

It shows the run's metrics, SVG bar charts of success per tag and per language and a
histogram of turn latency, every dialogue's verdict, and the full transcript of each
failed dialogue with its failing expectations highlighted (the first one marked).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from evals.dialogues.charts import Bar, histogram, share_bars, share_caption
from evals.dialogues.metrics import Group
from evals.dialogues.outputs import summary
from evals.dialogues.results import Check, DialogueResult, StepResult, Trial
from evals.dialogues.run import RunResult

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px}h3{font-size:15px;margin-bottom:4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f5f5f5}.passed{color:#2e7d32}.failed{color:#c62828}.skipped{color:#777}
.dialogue{border:1px solid #ddd;border-radius:6px;padding:8px 14px;margin:14px 0}
.step{margin:6px 0;padding:4px 8px;border-left:3px solid #ccc}.customer{font-weight:600}
.reply{margin-left:18px;white-space:pre-wrap}.agent{color:#555;font-size:12px}
.buttons{margin-left:18px;color:#1565c0;font-size:12px}.calls{margin-left:18px;color:#666;font-size:12px}
.check.fail{background:#ffebee;border:1px solid #c62828;margin:3px 0 3px 18px;padding:3px 6px}
.check.first{outline:2px solid #c62828}.error{background:#fff3e0;padding:3px 6px;margin-left:18px}
.meta{color:#555}code{background:#f5f5f5;padding:0 3px}
"""


def _value(value: float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _metrics_table(run: RunResult) -> str:
    rows = "".join(
        f"<tr><th>{escape(name)}</th><td>{_value(v)}</td></tr>" for name, v in summary(run.metrics).items()
    )
    return f"<table>{rows}</table>"


def _bars(title: str, groups: tuple[Group, ...]) -> str:
    bars = [
        Bar(g.name, g.success or 0.0, share_caption(g.passed, g.dialogues)) for g in groups if g.dialogues
    ]
    return share_bars(title, bars)


def _check(check: Check, first: Check | None) -> str:
    mark = " first" if check is first else ""
    where = f" (line {check.line})" if check.line is not None else ""
    return (
        f'<div class="check fail{mark}"><code>{escape(check.path)}</code>{where}<br>'
        f"expected <b>{escape(check.expected)}</b><br>got <b>{escape(check.got)}</b></div>"
    )


def _step(step: StepResult, first: Check | None) -> str:
    who = {"say": "customer", "simulated": "customer (simulated)"}.get(step.kind, step.kind)
    parts = [
        f'<div class="step"><span class="customer">[{step.index}] {escape(who)}:</span> {escape(step.input)}'
    ]
    if step.understood is not None:
        parts.append(f' <span class="agent">intent {escape(str(step.understood.get("intent")))}</span>')
    for reply in step.replies:
        parts.append(
            f'<div class="reply"><span class="agent">{escape(reply.agent or reply.author)}:</span> {escape(reply.text)}</div>'
        )
        if reply.buttons:
            parts.append(f'<div class="buttons">[{" | ".join(escape(b) for b in reply.buttons)}]</div>')
    calls = [c.name for c in step.calls]
    if calls:
        parts.append(f'<div class="calls">calls: {escape(", ".join(calls))}</div>')
    if step.error is not None:
        parts.append(f'<div class="error">error: {escape(step.error)}</div>')
    parts.extend(_check(check, first) for check in step.checks if not check.passed)
    parts.append("</div>")
    return "".join(parts)


def _failed(result: DialogueResult) -> str:
    dialogue = result.dialogue
    trial: Trial = next(t for t in result.trials if not t.passed)
    first = next((c for c in trial.checks if not c.passed), None)
    header = (
        f'<div class="dialogue" id="{escape(dialogue.id)}"><h3 class="failed">✗ {escape(dialogue.id)}'
        f" — {escape(dialogue.title)}</h3>"
        f'<div class="meta">{escape(dialogue.source)} · suite {escape(dialogue.suite)} · '
        f"{escape(dialogue.language)} · tags {escape(', '.join(dialogue.tags))} · "
        f"{result.successes}/{len(result.trials)} trials passed</div>"
        f"<p>first failure: <b>{escape(result.first_failure() or '')}</b></p>"
    )
    body = "".join(_step(step, first) for step in trial.steps)
    final = "".join(_check(check, first) for check in trial.final if not check.passed)
    error = f'<div class="error">{escape(trial.error)}</div>' if trial.error else ""
    return header + body + final + error + "</div>"


def _row(result: DialogueResult) -> str:
    dialogue = result.dialogue
    link = (
        f'<a href="#{escape(dialogue.id)}">{escape(dialogue.id)}</a>'
        if result.status == "failed"
        else escape(dialogue.id)
    )
    note = result.first_failure() or result.skip_reason or ""
    return (
        f"<tr><td>{link}</td><td>{escape(dialogue.suite)}</td><td>{escape(dialogue.language)}</td>"
        f'<td>{escape(", ".join(dialogue.tags))}</td><td class="{result.status}">{result.status}</td>'
        f"<td>{result.successes}/{len(result.trials)}</td><td>{escape(note)}</td></tr>"
    )


def html_report(run: RunResult) -> str:
    """The report as one HTML document."""
    meta = run.metadata
    latencies = [s.latency_ms for r in run.results for t in r.trials for s in t.steps if s.is_turn]
    failed = [r for r in run.results if r.status == "failed"]
    charts = "".join(
        f"<div>{chart}</div>"
        for chart in (
            _bars("Success per tag", run.metrics.by_tag),
            _bars("Success per language", run.metrics.by_language),
            histogram("Turn latency", latencies),
        )
        if chart
    )
    rows = "".join(_row(result) for result in run.results)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Frontdesk eval report</title><style>{_STYLE}</style></head><body>"
        "<h1>Frontdesk eval report</h1>"
        f'<p class="meta">started {escape(meta.started_at)} · {meta.seconds} s · understanding '
        f"{escape(meta.understanding)} · repeat {meta.repeat} · concurrency {meta.concurrency} · commit {escape(meta.git_commit or 'unknown')}</p>"
        f"<h2>Metrics</h2>{_metrics_table(run)}<h2>Charts</h2>{charts}"
        "<h2>Dialogues</h2><table><tr><th>id</th><th>suite</th><th>language</th><th>tags</th>"
        f"<th>status</th><th>trials passed</th><th>first failure / note</th></tr>{rows}</table>"
        f"<h2>Failed dialogues ({len(failed)})</h2>"
        + ("".join(_failed(result) for result in failed) or "<p>None.</p>")
        + "</body></html>\n"
    )


def write_html(run: RunResult, path: Path) -> None:
    """Write the report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_report(run), encoding="utf-8")
