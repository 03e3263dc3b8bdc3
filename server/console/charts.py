"""Server-side SVG charts for the console: plain figures in, a self-contained SVG string out.

No script and nothing fetched: each chart is inline SVG that scales to its container (``viewBox``
with ``width="100%"``), names itself to screen readers (``role="img"``, ``aria-label`` and a
``<title>`` summarising every value) and escapes every text it draws. Bars are scaled to the
largest value. A chart without any value is a "no data" paragraph instead. Pages show the same
numbers as text too (value labels or a table beside the chart): a chart is never their only carrier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

ACCENT = "#2f6f5e"
"""The console's accent colour (``--accent`` in console.css), for bars."""
FONT = 'font-family="system-ui, sans-serif"'
LABEL_CHARS = 56
"""A bar label longer than this is cut (with "…") inside the chart; its table shows it whole."""

BARS_WIDTH = 400
"""Horizontal bar chart: viewBox width."""
BARS_ROOM = 90
"""Room right of the longest bar for its value label."""
BARS_ROW = 44
"""Height of one labelled bar."""

HOURS_PLOT_WIDTH = 480
"""Column chart: the columns' width together."""
HOURS_SIDE = 28
"""Room left and right of the columns (for the first and last axis labels)."""
HOURS_PLOT = 120
"""Column chart: the tallest column's height."""
HOURS_TOP = 8
HOURS_HEIGHT = HOURS_TOP + HOURS_PLOT + 30
HOURS_AXIS_EVERY = 6
"""Every how many columns the axis is labelled (the numbers are in a table beside the chart)."""

RATE_WIDTH = 400
RATE_TRACK = 320
RATE_HEIGHT = 24


@dataclass(frozen=True)
class Bar:
    """One bar of a chart."""

    label: str
    """What the bar stands for (a channel, an hour, a flow step)."""
    value: float | None
    """Its size; None draws no bar (nothing was measured, e.g. an hour without messages)."""
    shown: str
    """The value as people read it (``"3 min 20 s"``, ``"7"``)."""


def _text(value: str) -> str:
    """`value` escaped for XML text and attribute values."""
    return escape(value, quote=True)


def _number(value: float) -> str:
    """A coordinate without needless digits: 12.5, 40."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _cut(label: str) -> str:
    """`label` shortened to `LABEL_CHARS` characters."""
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def summary(title: str, bars: Sequence[Bar]) -> str:
    """The chart in words: its title and every measured bar's label and value."""
    measured = [f"{bar.label}: {bar.shown}" for bar in bars if bar.value is not None]
    return f"{title}. " + "; ".join(measured) if measured else title


def no_data(message: str) -> Markup:
    """What stands in place of a chart with nothing to draw."""
    return Markup(f'<p class="empty chart-empty">{_text(message)}</p>')


def _svg(width: int, height: int, label: str, body: str) -> Markup:
    """The chart's frame: responsive, an image to screen readers, titled with `label`."""
    said = _text(label)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-label="{said}" {FONT}>'
        f"<title>{said}</title>{body}</svg>"
    )


def _scale(bars: Sequence[Bar]) -> float:
    """The largest measured value (the full length of a bar), at least a tiny positive number."""
    return max((bar.value for bar in bars if bar.value is not None and bar.value > 0), default=1.0)


def bar_chart(bars: Sequence[Bar], *, title: str, empty: str) -> Markup:
    """Horizontal bars, one row each: the label above, the bar, its value label at the bar's end."""
    if not any(bar.value is not None for bar in bars):
        return no_data(empty)
    largest = _scale(bars)
    full = BARS_WIDTH - BARS_ROOM
    rows = []
    for index, bar in enumerate(bars):
        top = index * BARS_ROW
        length = max(bar.value or 0.0, 0.0) / largest * full
        rect = (
            f'<rect class="bar" x="0" y="{top + 21}" width="{_number(length)}" height="15" rx="2" '
            f'fill="{ACCENT}"><title>{_text(f"{bar.label}: {bar.shown}")}</title></rect>'
            if bar.value is not None
            else ""
        )
        rows.append(
            f'<text x="0" y="{top + 15}" font-size="15" fill="currentColor">{_text(_cut(bar.label))}</text>'
            f"{rect}"
            f'<text class="value" x="{_number(length + 6)}" y="{top + 34}" font-size="14" '
            f'fill="currentColor">{_text(bar.shown)}</text>'
        )
    return _svg(BARS_WIDTH, max(len(bars) * BARS_ROW, BARS_ROW), summary(title, bars), "".join(rows))


def hour_chart(bars: Sequence[Bar], *, title: str, empty: str) -> Markup:
    """Columns side by side (the 24 hours of a day), labelled every `HOURS_AXIS_EVERY` columns."""
    if not any(bar.value is not None for bar in bars):
        return no_data(empty)
    largest = _scale(bars)
    slot = HOURS_PLOT_WIDTH / max(len(bars), 1)
    base = HOURS_TOP + HOURS_PLOT
    right = HOURS_SIDE + HOURS_PLOT_WIDTH
    parts = [
        f'<line x1="{HOURS_SIDE}" y1="{base}" x2="{right}" y2="{base}" stroke="currentColor" stroke-opacity="0.3"/>'
    ]
    for index, bar in enumerate(bars):
        left = HOURS_SIDE + slot * index
        if bar.value is not None:
            height = max(bar.value, 0.0) / largest * HOURS_PLOT
            parts.append(
                f'<rect class="bar" x="{_number(left + slot * 0.15)}" y="{_number(base - height)}" '
                f'width="{_number(slot * 0.7)}" height="{_number(height)}" rx="1" fill="{ACCENT}">'
                f"<title>{_text(f'{bar.label}: {bar.shown}')}</title></rect>"
            )
        if index % HOURS_AXIS_EVERY == 0:
            parts.append(
                f'<text x="{_number(left + slot / 2)}" y="{base + 22}" font-size="17" text-anchor="middle" '
                f'fill="currentColor">{_text(bar.label)}</text>'
            )
    return _svg(right + HOURS_SIDE, HOURS_HEIGHT, summary(title, bars), "".join(parts))


def rate_bar(rate: float | None, *, title: str, shown: str, empty: str) -> Markup:
    """One share of 0–100 %: a track, its filled part and the percentage beside it."""
    if rate is None:
        return no_data(empty)
    filled = min(max(rate, 0.0), 1.0) * RATE_TRACK
    body = (
        f'<rect x="0" y="4" width="{RATE_TRACK}" height="16" rx="3" fill="currentColor" fill-opacity="0.12"/>'
        f'<rect class="bar" x="0" y="4" width="{_number(filled)}" height="16" rx="3" fill="{ACCENT}"/>'
        f'<text class="value" x="{RATE_TRACK + 10}" y="18" font-size="15" fill="currentColor">{_text(shown)}</text>'
    )
    return _svg(RATE_WIDTH, RATE_HEIGHT, f"{title}: {shown}", body)
