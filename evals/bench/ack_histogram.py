"""The server's own webhook answer times, read from its ``/metrics`` histogram.

The load generator's latencies include its own queueing on a shared machine; the histogram the
API process keeps (``frontdesk_webhook_ack_seconds``) measures from the request's arrival to the
answer's last byte, at the endpoint. Two scrapes, before and after the load, give the load's own
counts; quantiles are interpolated within a bucket as Prometheus's ``histogram_quantile`` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

METRIC = "frontdesk_webhook_ack_seconds_bucket"


def ack_buckets(exposition: str, channel: str = "telegram") -> list[tuple[float, int]]:
    """The cumulative (upper bound, count) pairs of `channel`'s answer times, by bound, ``+Inf`` last."""
    prefix = f'{METRIC}{{channel="{channel}",le="'
    buckets = []
    for line in exposition.splitlines():
        if line.startswith(prefix):
            bound, _, count = line[len(prefix) :].partition('"} ')
            buckets.append((math.inf if bound == "+Inf" else float(bound), int(float(count))))
    return sorted(buckets)


def bucket_delta(
    after: Sequence[tuple[float, int]], before: Sequence[tuple[float, int]]
) -> list[tuple[float, int]]:
    """The counts observed between two scrapes of the same histogram."""
    earlier = dict(before)
    return [(bound, count - earlier.get(bound, 0)) for bound, count in after]


def bucket_quantile(buckets: Sequence[tuple[float, int]], q: float) -> float:
    """The `q` quantile (0–1) of cumulative `buckets`, linear within its bucket; NaN when empty.

    A quantile that falls in the ``+Inf`` bucket is reported as the highest finite bound.
    """
    if not buckets or buckets[-1][1] == 0:
        return math.nan
    rank = q * buckets[-1][1]
    lower_bound, lower_count = 0.0, 0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            if count == lower_count:
                return bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = bound, count
    return lower_bound
