"""Inline SVG charts for the HTML report: no scripts, no external files."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """One bar: a label, a share (0..1) and the text shown beside it."""

    label: str
    share: float
    caption: str


def _colour(share: float) -> str:
    if share >= 0.95:
        return "#2e7d32"
    if share >= 0.8:
        return "#f9a825"
    return "#c62828"


def share_bars(title: str, bars: Sequence[Bar], *, width: int = 640) -> str:
    """Horizontal bars of shares (e.g. success per tag), green / amber / red by value."""
    if not bars:
        return ""
    label_width, row, top = 180, 24, 28
    plot = width - label_width - 90
    height = top + row * len(bars) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{html.escape(title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{html.escape(title)}</text>',
    ]
    for index, bar in enumerate(bars):
        y = top + index * row
        length = max(0.0, min(1.0, bar.share)) * plot
        parts += [
            f'<text x="{label_width - 6}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{html.escape(bar.label[:28])}</text>",
            f'<rect x="{label_width}" y="{y + 3}" width="{plot}" height="16" fill="#eeeeee"/>',
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="16" fill="{_colour(bar.share)}">'
            f"<title>{html.escape(bar.label)}: {html.escape(bar.caption)}</title></rect>",
            f'<text x="{label_width + plot + 6}" y="{y + 15}" font-size="12">{html.escape(bar.caption)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def histogram(
    title: str, values: Sequence[float], *, unit: str = "ms", bins: int = 12, width: int = 640
) -> str:
    """A histogram of `values` (e.g. turn latency) in `bins` equal-width bins."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = span / bins
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / step))] += 1
    height, top, bottom, left = 220, 28, 36, 40
    plot_h, plot_w = height - top - bottom, width - left - 10
    tallest = max(counts)
    bar_w = plot_w / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{html.escape(title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{html.escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 10}" font-size="11" text-anchor="end">{tallest}</text>',
    ]
    for index, count in enumerate(counts):
        bar_h = plot_h * count / tallest if tallest else 0
        x = left + index * bar_w
        start = low + index * step
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - bar_h:.1f}" width="{max(bar_w - 2, 1):.1f}" '
            f'height="{bar_h:.1f}" fill="#1565c0"><title>{start:.0f}–{start + step:.0f} {unit}: {count}</title></rect>'
        )
    for fraction in (0.0, 0.5, 1.0):
        x = left + plot_w * fraction
        label = f"{low + span * fraction:.0f} {unit}"
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def share_caption(passed: int, total: int) -> str:
    """``9/10 (90%)``."""
    percent = math.floor(100 * passed / total) if total else 0
    return f"{passed}/{total} ({percent}%)"
