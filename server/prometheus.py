"""The Prometheus text exposition format (version 0.0.4), for the few metrics ``/metrics`` serves.

Each metric is written as its ``# HELP`` and ``# TYPE`` lines followed by one line per sample.
Label values escape backslash, double quote and line feed; help texts escape backslash and line
feed, as the format requires.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The media type Prometheus expects for the text format."""

MetricKind = Literal["counter", "gauge", "histogram"]


@dataclass(frozen=True)
class Sample:
    """One value of a metric, told apart from its siblings by its labels."""

    value: float
    labels: tuple[tuple[str, str], ...] = ()
    """(name, value) pairs, written in this order."""
    suffix: str = ""
    """Appended to the metric's name: a histogram's ``_bucket``, ``_sum`` and ``_count`` lines."""


@dataclass(frozen=True)
class Metric:
    """A named metric with its help text, its type and its samples."""

    name: str
    kind: MetricKind
    help: str
    samples: tuple[Sample, ...]


def escape_label_value(value: str) -> str:
    """`value` as it goes between the double quotes of a label."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(text: str) -> str:
    """`text` as it goes after ``# HELP name``."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_value(value: float) -> str:
    """A sample value: integers without a decimal point, and ``NaN``, ``+Inf``, ``-Inf`` spelled out."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _sample_line(name: str, sample: Sample) -> str:
    name += sample.suffix
    if not sample.labels:
        return f"{name} {format_value(sample.value)}"
    labels = ",".join(f'{label}="{escape_label_value(value)}"' for label, value in sample.labels)
    return f"{name}{{{labels}}} {format_value(sample.value)}"


def exposition(metrics: Sequence[Metric]) -> str:
    """The text Prometheus scrapes: every metric's HELP, TYPE and sample lines, ending in a line feed."""
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {escape_help(metric.help)}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        lines.extend(_sample_line(metric.name, sample) for sample in metric.samples)
    return "\n".join(lines) + "\n"


class LatencyHistogram:
    """Durations counted into fixed buckets, as a Prometheus histogram (cumulative ``le`` buckets).

    Kept in memory by the process that measures: each process serves its own counts.
    """

    def __init__(self, bounds_s: Sequence[float]) -> None:
        self.bounds_s = tuple(sorted(bounds_s))
        self._counts = [0] * (len(self.bounds_s) + 1)
        self._sum_s = 0.0

    def observe(self, seconds: float) -> None:
        """Count one duration."""
        self._sum_s += seconds
        for index, bound in enumerate(self.bounds_s):
            if seconds <= bound:
                self._counts[index] += 1
                return
        self._counts[-1] += 1

    def samples(self, labels: tuple[tuple[str, str], ...] = ()) -> tuple[Sample, ...]:
        """The ``_bucket`` lines (cumulative, ending with ``+Inf``), then ``_sum`` and ``_count``."""
        lines: list[Sample] = []
        total = 0
        for bound, count in zip((*self.bounds_s, math.inf), self._counts, strict=True):
            total += count
            le = "+Inf" if math.isinf(bound) else format_value(bound)
            lines.append(Sample(total, (*labels, ("le", le)), "_bucket"))
        lines.append(Sample(self._sum_s, labels, "_sum"))
        lines.append(Sample(total, labels, "_count"))
        return tuple(lines)
