"""The Prometheus text format: HELP and TYPE lines, labels, escaping and values."""

from __future__ import annotations

from server.prometheus import (
    LatencyHistogram,
    Metric,
    Sample,
    escape_help,
    escape_label_value,
    exposition,
    format_value,
)
from server.routes.metrics import operations_metrics
from tools.sql.operations_metrics import OperationsSnapshot


def test_a_metric_is_its_help_type_and_sample_lines() -> None:
    text = exposition(
        [
            Metric("frontdesk_up", "gauge", "1 when up.", (Sample(1),)),
            Metric(
                "frontdesk_messages_total",
                "counter",
                "Messages stored.",
                (
                    Sample(3, (("channel", "telegram"), ("direction", "in"))),
                    Sample(2, (("channel", "telegram"), ("direction", "out"))),
                ),
            ),
        ]
    )
    assert text == (
        "# HELP frontdesk_up 1 when up.\n"
        "# TYPE frontdesk_up gauge\n"
        "frontdesk_up 1\n"
        "# HELP frontdesk_messages_total Messages stored.\n"
        "# TYPE frontdesk_messages_total counter\n"
        'frontdesk_messages_total{channel="telegram",direction="in"} 3\n'
        'frontdesk_messages_total{channel="telegram",direction="out"} 2\n'
    )


def test_label_values_and_help_texts_are_escaped() -> None:
    assert escape_label_value('a "quoted" C:\\path\nnext') == 'a \\"quoted\\" C:\\\\path\\nnext'
    assert escape_help('back\\slash\nand "quotes"') == 'back\\\\slash\\nand "quotes"'
    line = exposition(
        [
            Metric(
                "m",
                "gauge",
                "h",
                (
                    Sample(
                        1,
                        (("channel", 'we"ird\\'),),
                    ),
                ),
            )
        ]
    ).splitlines()[-1]
    assert line == 'm{channel="we\\"ird\\\\"} 1'


def test_values_are_written_as_prometheus_reads_them() -> None:
    assert [format_value(v) for v in (0, 7, 7.0, 2.5, 1e-3)] == ["0", "7", "7", "2.5", "0.001"]
    assert [format_value(v) for v in (float("nan"), float("inf"), float("-inf"))] == ["NaN", "+Inf", "-Inf"]


def test_an_operations_snapshot_becomes_every_frontdesk_metric() -> None:
    snapshot = OperationsSnapshot(
        conversations={"bot": 2, "approval": 0, "human": 1, "closed": 0},
        messages={("whatsapp", "in"): 4, ("telegram", "out"): 5},
        inbox_events={"pending": 1, "processing": 0, "done": 9, "dead": 0},
        inbox_oldest_pending_s=12.5,
        deliveries={("telegram", "sent"): 5},
        outbox_oldest_pending_s=0.0,
        approvals_pending=3,
        staff_alerts={"pending": 0, "sent": 2, "dead": 1},
    )
    metrics = operations_metrics(snapshot)
    assert [metric.name for metric in metrics] == [
        "frontdesk_up",
        "frontdesk_conversations",
        "frontdesk_messages_total",
        "frontdesk_inbox_events",
        "frontdesk_inbox_oldest_pending_seconds",
        "frontdesk_deliveries",
        "frontdesk_outbox_oldest_pending_seconds",
        "frontdesk_approvals_pending",
        "frontdesk_staff_alerts",
    ]
    lines = exposition(metrics).splitlines()
    assert 'frontdesk_messages_total{channel="telegram",direction="out"} 5' in lines
    assert lines.index('frontdesk_messages_total{channel="telegram",direction="out"} 5') < lines.index(
        'frontdesk_messages_total{channel="whatsapp",direction="in"} 4'
    )
    assert "frontdesk_inbox_oldest_pending_seconds 12.5" in lines
    assert 'frontdesk_staff_alerts{status="dead"} 1' in lines
    assert "frontdesk_approvals_pending 3" in lines


def test_a_histogram_is_cumulative_buckets_then_its_sum_and_count() -> None:
    times = LatencyHistogram([0.05, 0.01])
    for seconds in (0.25, 0.01, 0.125, 0.5):
        times.observe(seconds)
    text = exposition(
        [Metric("ack_seconds", "histogram", "Answer times.", times.samples((("channel", "tg"),)))]
    )
    assert text == (
        "# HELP ack_seconds Answer times.\n"
        "# TYPE ack_seconds histogram\n"
        'ack_seconds_bucket{channel="tg",le="0.01"} 1\n'
        'ack_seconds_bucket{channel="tg",le="0.05"} 1\n'
        'ack_seconds_bucket{channel="tg",le="+Inf"} 4\n'
        'ack_seconds_sum{channel="tg"} 0.885\n'
        'ack_seconds_count{channel="tg"} 4\n'
    )
