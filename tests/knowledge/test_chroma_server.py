"""The knowledge base on a real Chroma server (`chroma run`, shipped with chromadb) through `HttpClient`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.base import KnowledgeBase
from knowledge.model import KnowledgeError
from tests.knowledge.conftest import FakeEmbedder, write

CHROMA = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    """A Chroma server on a free local port, stopped after the test."""
    assert Path(CHROMA).exists(), f"{CHROMA} is missing: chromadb (pinned in constraints.txt) installs it"
    port = _free_port()
    server = subprocess.Popen(
        [CHROMA, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not answer within 30 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_ingest_and_search_through_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    write(
        tmp_path / "kb/en/cancellation.md",
        "# Cancellation\n\n## Late\n\nCancel free up to 24 hours before.\n",
    )
    write(tmp_path / "kb/ru/cancellation.md", "# Отмена\n\n## Поздно\n\nОтменить запись можно за 24 часа.\n")
    writer = KnowledgeBase.open("tiny-salon", chroma_url=chroma_url, embedder=FakeEmbedder())
    report = writer.ingest([tmp_path / "kb"], root=tmp_path)
    assert report.chunks_total == 2

    reader = KnowledgeBase.open("tiny-salon", chroma_url=chroma_url, embedder=FakeEmbedder())
    assert reader.count() == 2, "another process sees the chunks stored on the server"
    result = reader.search("можно отменить запись?")
    assert result.passages[0].document == "kb/ru/cancellation.md" and result.answerable
    assert reader.search("cancel free").passages[0].citation == "Cancellation › Late"

    (tmp_path / "kb/ru/cancellation.md").unlink()
    assert writer.ingest([tmp_path / "kb"], root=tmp_path).removed == ("kb/ru/cancellation.md",)
    assert KnowledgeBase.open("tiny-salon", chroma_url=chroma_url, embedder=FakeEmbedder()).count() == 1


def test_an_unreachable_chroma_server_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(KnowledgeError, match=f"Chroma at {url}|knowledge base of tiny-salon at {url}"):
        KnowledgeBase.open("tiny-salon", chroma_url=url, embedder=FakeEmbedder())
