"""A local Slack incoming webhook and a generic webhook receiver, for staff-alert tests.

::

    with FakeHooks() as hooks:
        # Slack:   POST {hooks.slack_url}    -> 200 "ok", or 400 "invalid_payload"
        # webhook: POST {hooks.webhook_url}  -> 200 {"received": true}
        hooks.fail_next("slack", 2, status=429, retry_after=3)
        hooks.fail_next("webhook", status=500)
        ...
        assert [call.body["text"] for call in hooks.calls_to("slack", accepted_only=True)] == [...]

Slack answers the way incoming webhooks do: ``200`` with the body ``ok``; errors are a plain
string (``invalid_payload`` 400, ``channel_not_found`` 404, ``channel_is_archived`` 410,
``rollup_error`` 500) and a rate limit is ``429`` with ``Retry-After``. The lifecycle is
`FakeOpenAI`'s.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from tests.fakes.openai_server import FakeOpenAI, RecordedRequest, Reply

__all__ = ["FakeHooks", "HookCall"]

Hook = Literal["slack", "webhook"]
SLACK_PATH = "/services/T000/B000/slack-secret"
WEBHOOK_PATH = "/frontdesk/alerts"
_SLACK_ERRORS = {
    400: "invalid_payload",
    403: "action_prohibited",
    404: "channel_not_found",
    410: "channel_is_archived",
    500: "rollup_error",
}


@dataclass(frozen=True)
class HookCall:
    """One request the fake answered."""

    hook: Hook
    request: RecordedRequest
    status: int

    @property
    def body(self) -> dict[str, Any]:
        """The JSON body sent."""
        return self.request.body or {}


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: int | None


class FakeHooks(FakeOpenAI):
    """Slack's incoming webhook and a generic webhook receiver on one local port."""

    def __init__(self) -> None:
        super().__init__()
        self._failures: dict[Hook, deque[_Failure]] = {"slack": deque(), "webhook": deque()}
        self._calls: list[HookCall] = []

    def __enter__(self) -> FakeHooks:
        self.start()
        return self

    @property
    def slack_url(self) -> str:
        """An incoming-webhook URL (its path is the secret, as at Slack)."""
        return f"http://127.0.0.1:{self.port}{SLACK_PATH}"

    @property
    def webhook_url(self) -> str:
        """The generic receiver's URL."""
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    def fail_next(
        self, hook: Hook, times: int = 1, *, status: int = 429, retry_after: int | None = None
    ) -> None:
        """Answer the next `times` calls to `hook` with `status` (and ``Retry-After`` when given)."""
        with self._lock:
            self._failures[hook].extend(_Failure(status, retry_after) for _ in range(times))

    def calls_to(self, hook: Hook, *, accepted_only: bool = False) -> list[HookCall]:
        """The calls to one hook, oldest first (only the 2xx ones with `accepted_only`)."""
        with self._lock:
            return [c for c in self._calls if c.hook == hook and (not accepted_only or 200 <= c.status < 300)]

    def _answer(self, request: RecordedRequest) -> Reply:
        hook: Hook | None = {SLACK_PATH: "slack", WEBHOOK_PATH: "webhook"}.get(request.path)  # type: ignore[assignment]
        if request.method != "POST" or hook is None:
            return Reply(status=404, body=b"no_service", content_type="text/plain")
        with self._lock:
            self._requests.append(request)
            queue = self._failures[hook]
            failure = queue.popleft() if queue else None
        reply = self._reply(hook, request, failure)
        with self._lock:
            self._calls.append(HookCall(hook, request, reply.status))
        return reply

    def _reply(self, hook: Hook, request: RecordedRequest, failure: _Failure | None) -> Reply:
        if failure is not None:
            headers = (("Retry-After", str(failure.retry_after)),) if failure.retry_after is not None else ()
            text = _SLACK_ERRORS.get(failure.status, "rate_limited" if failure.status == 429 else "error")
            return Reply(
                status=failure.status, body=text.encode(), content_type="text/plain", headers=headers
            )
        if hook == "webhook":
            return Reply(status=200, body=b'{"received":true}')
        body = request.body or {}
        if not (isinstance(body.get("text"), str) and body["text"].strip()) and not body.get("blocks"):
            return Reply(status=400, body=b"invalid_payload", content_type="text/plain")
        for block in body.get("blocks") or []:
            text = (block.get("text") or {}).get("text", "") if isinstance(block, dict) else ""
            if len(text) > 3000:
                return Reply(status=400, body=b"invalid_blocks", content_type="text/plain")
        return Reply(status=200, body=b"ok", content_type="text/html")
