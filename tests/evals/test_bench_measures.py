"""What the benchmarks measure: CPU per turn, a server's CPU across its processes, a database left behind by none."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import psycopg

from evals.bench.ack_histogram import ack_buckets, bucket_delta, bucket_quantile
from evals.bench.databases import fresh_database
from evals.bench.process_cpu import tree_cpu_s
from evals.bench.turns import run
from tests.conftest import POSTGRES_ADMIN_URL, ROOT

_BURN = """
import sys, time
began = time.process_time()
while time.process_time() - began < 0.4:
    pass
print("burnt", flush=True)
time.sleep(30)
"""


def test_the_cpu_of_a_process_tree_counts_its_children() -> None:
    before = tree_cpu_s(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", _BURN], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "burnt"
        assert tree_cpu_s(os.getpid()) - before >= 0.35
        assert tree_cpu_s(child.pid) >= 0.35
    finally:
        child.kill()
        child.wait()


async def test_bench_turns_reports_cpu_per_turn_on_sqlite() -> None:
    report = await run(
        playbook=ROOT / "examples/studio/playbook.yaml", conversations=2, turns=3, concurrency=1
    )
    assert report.turns == 6
    assert 0 < report.cpu_ms_per_turn < 5_000


def _databases() -> set[str]:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}


async def test_a_postgresql_bench_database_is_fresh_and_dropped_after(tmp_path: Path) -> None:
    before = _databases()
    async with fresh_database(POSTGRES_ADMIN_URL, tmp_path) as url:
        name = url.rsplit("/", 1)[1]
        assert name.startswith("fd_bench_") and name not in before
        assert name in _databases()
    assert name not in _databases()


def test_server_side_answer_times_come_from_the_histogram_between_two_scrapes() -> None:
    before = ack_buckets(
        'frontdesk_webhook_ack_seconds_bucket{channel="telegram",le="0.01"} 5\n'
        'frontdesk_webhook_ack_seconds_bucket{channel="telegram",le="0.05"} 5\n'
        'frontdesk_webhook_ack_seconds_bucket{channel="telegram",le="+Inf"} 5\n'
        'frontdesk_webhook_ack_seconds_bucket{channel="whatsapp",le="+Inf"} 9\n'
    )
    after = ack_buckets(
        'frontdesk_webhook_ack_seconds_bucket{channel="telegram",le="+Inf"} 106\n'
        'frontdesk_webhook_ack_seconds_bucket{channel="telegram",le="0.01"} 55\n'
        'frontdesk_webhook_ack_seconds_bucket{channel="telegram",le="0.05"} 105\n'
    )
    load = bucket_delta(after, before)
    assert load == [(0.01, 50), (0.05, 100), (math.inf, 101)]
    assert bucket_quantile(load, 0.25) == 0.01 * 25.25 / 50, "interpolated within [0, 0.01]"
    assert abs(bucket_quantile(load, 0.75) - 0.0306) < 1e-9, "interpolated within (0.01, 0.05]"
    assert bucket_quantile(load, 0.999) == 0.05, "in +Inf: the highest finite bound"
    assert math.isnan(bucket_quantile(bucket_delta(before, before), 0.5)), "nothing observed"
