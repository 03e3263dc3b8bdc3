"""A local OpenAI-compatible chat-completions server for tests.

It speaks the documented wire format of ``POST /v1/chat/completions`` (and
``GET /v1/models``) on 127.0.0.1, records every request, and answers from a
script the test writes::

    with FakeOpenAI(api_key="sk-test") as server:
        server.reply_json({"intent": "pricing", ...}, prompt_tokens=120, completion_tokens=30)
        server.reply_error(503)
        server.reply_raw(b"{not json")
        model = ChatOpenAI(base_url=server.url, api_key="sk-test", ...)
        ...
        assert server.completion_requests[0].body["model"] == "test-model"

Scripted replies are used first in, first out; when none is left the
``default`` handler answers (by default a 500 error that says so). A reply can
wait before answering (``delay_s``) to make the client time out; closing the
server cuts every wait short, so tests never hang on it.

Structured answers adapt to the request: a request that forces a tool
(``tool_choice`` naming a function, as ``method="function_calling"`` does) gets
the payload as that tool call's arguments; any other request
(``response_format`` ``json_schema`` or ``json_object``, or none) gets it as the
message content. ``"stream": true`` requests get server-sent events, with the
usage chunk when ``stream_options.include_usage`` is set.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = [
    "FakeOpenAI",
    "Handler",
    "RecordedRequest",
    "Reply",
    "chat_completion",
    "error_reply",
    "raw_reply",
    "structured_reply",
    "text_reply",
]

JsonObject = dict[str, Any]

_log = logging.getLogger("tests.fakes.openai_server")
_ids = itertools.count(1)

COMPLETIONS_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request the server received."""

    method: str
    path: str
    headers: Mapping[str, str]
    """Header names in lower case."""
    raw: bytes
    body: JsonObject | None
    """The parsed JSON body; None when the body was not a JSON object."""

    @property
    def bearer(self) -> str | None:
        """The token of an ``Authorization: Bearer …`` header."""
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    @property
    def messages(self) -> list[JsonObject]:
        """The chat messages of a completion request."""
        messages = (self.body or {}).get("messages", [])
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []

    def text_of(self, role: str) -> str:
        """The text of every message with `role`, joined by blank lines."""
        return "\n\n".join(_content_text(m.get("content")) for m in self.messages if m.get("role") == role)

    @property
    def system_prompt(self) -> str:
        """The system (or developer) instructions."""
        return "\n\n".join(part for part in (self.text_of("system"), self.text_of("developer")) if part)

    @property
    def forced_tool(self) -> str | None:
        """The function name a ``tool_choice`` forces, if any."""
        choice = (self.body or {}).get("tool_choice")
        if isinstance(choice, dict):
            function = choice.get("function")
            if isinstance(function, dict) and isinstance(function.get("name"), str):
                return str(function["name"])
        if isinstance(choice, str) and choice not in ("auto", "none", "required"):
            return choice
        if choice == "required":
            tools = (self.body or {}).get("tools") or []
            if tools and isinstance(tools[0], dict):
                return str(tools[0].get("function", {}).get("name", "")) or None
        return None

    @property
    def structured_method(self) -> str | None:
        """How the request asks for structured output: ``json_schema``, ``json_mode``, ``function_calling``."""
        if self.forced_tool is not None:
            return "function_calling"
        response_format = (self.body or {}).get("response_format")
        if isinstance(response_format, dict):
            kind = response_format.get("type")
            if kind == "json_schema":
                return "json_schema"
            if kind == "json_object":
                return "json_mode"
        return None


@dataclass(frozen=True)
class Reply:
    """What the server sends back for one request."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay_s: float = 0.0
    """Seconds to wait before answering (cut short when the server closes)."""
    headers: tuple[tuple[str, str], ...] = ()


Handler = Callable[[RecordedRequest], Reply]
"""Turns a recorded request into a reply."""


def _content_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def chat_completion(
    request: RecordedRequest,
    *,
    content: str | None = None,
    tool_calls: list[JsonObject] | None = None,
    prompt_tokens: int = 50,
    completion_tokens: int = 10,
    finish_reason: str | None = None,
) -> JsonObject:
    """A ``chat.completion`` object answering `request`."""
    message: JsonObject = {"role": "assistant", "content": content, "refusal": None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": f"chatcmpl-fake{next(_ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str((request.body or {}).get("model", "fake-model")),
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop"),
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _stream_body(request: RecordedRequest, completion: JsonObject) -> bytes:
    """Server-sent events carrying `completion` as chunks."""
    choice = completion["choices"][0]
    message = choice["message"]
    delta: JsonObject = {"role": "assistant", "content": message.get("content")}
    if message.get("tool_calls"):
        delta["content"] = None
        delta["tool_calls"] = [{"index": i, **call} for i, call in enumerate(message["tool_calls"])]
    base = {k: completion[k] for k in ("id", "created", "model", "system_fingerprint")}
    chunks: list[JsonObject] = [
        {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]},
        {
            **base,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}],
        },
    ]
    options = (request.body or {}).get("stream_options") or {}
    if isinstance(options, dict) and options.get("include_usage"):
        chunks.append(
            {**base, "object": "chat.completion.chunk", "choices": [], "usage": completion["usage"]}
        )
    events = [b"data: " + _json_bytes(chunk) + b"\n\n" for chunk in chunks]
    return b"".join(events) + b"data: [DONE]\n\n"


def _completion_reply(request: RecordedRequest, completion: JsonObject, delay_s: float) -> Reply:
    if (request.body or {}).get("stream"):
        return Reply(
            body=_stream_body(request, completion), content_type="text/event-stream", delay_s=delay_s
        )
    return Reply(body=_json_bytes(completion), delay_s=delay_s)


def structured_reply(
    payload: JsonObject | str,
    *,
    prompt_tokens: int = 50,
    completion_tokens: int = 10,
    delay_s: float = 0.0,
) -> Handler:
    """Answer with `payload` (a JSON object, or a string sent verbatim) as structured output.

    Sent as the forced tool call's arguments for function calling, otherwise as the message content.
    """
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)

    def handle(request: RecordedRequest) -> Reply:
        tool = request.forced_tool
        if tool is not None:
            call = {
                "id": f"call_fake{next(_ids)}",
                "type": "function",
                "function": {"name": tool, "arguments": text},
            }
            completion = chat_completion(
                request, tool_calls=[call], prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
            )
        else:
            completion = chat_completion(
                request, content=text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
            )
        return _completion_reply(request, completion, delay_s)

    return handle


def text_reply(
    content: str, *, prompt_tokens: int = 50, completion_tokens: int = 10, delay_s: float = 0.0
) -> Handler:
    """Answer with plain message `content`, whatever the request asked for."""

    def handle(request: RecordedRequest) -> Reply:
        completion = chat_completion(
            request, content=content, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
        return _completion_reply(request, completion, delay_s)

    return handle


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_denied",
    404: "not_found_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    502: "server_error",
    503: "server_error",
}


def error_reply(
    status: int,
    message: str | None = None,
    *,
    delay_s: float = 0.0,
    headers: tuple[tuple[str, str], ...] = (),
) -> Handler:
    """Answer with an OpenAI-style error object and HTTP `status`."""
    body = {
        "error": {
            "message": message or f"fake error {status}",
            "type": _ERROR_TYPES.get(status, "api_error"),
            "param": None,
            "code": None,
        }
    }
    reply = Reply(status=status, body=_json_bytes(body), delay_s=delay_s, headers=headers)
    return lambda _request: reply


def raw_reply(
    body: bytes | str, *, status: int = 200, content_type: str = "application/json", delay_s: float = 0.0
) -> Handler:
    """Answer with `body` verbatim (malformed JSON, HTML error pages, truncated objects…)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    reply = Reply(status=status, body=data, content_type=content_type, delay_s=delay_s)
    return lambda _request: reply


def _no_script(_request: RecordedRequest) -> Reply:
    return error_reply(500, "the fake OpenAI server has no scripted reply left")(_request)


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    fake: FakeOpenAI

    def handle_error(self, request: object, client_address: object) -> None:
        _log.debug("fake OpenAI server: error while handling a request", exc_info=True)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("fake OpenAI server: " + format, *args)

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length) if length else b"")

    def _serve(self, raw: bytes) -> None:
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        request = RecordedRequest(
            method=self.command,
            path=self.path.split("?", 1)[0],
            headers={name.lower(): value for name, value in self.headers.items()},
            raw=raw,
            body=parsed if isinstance(parsed, dict) else None,
        )
        reply = self.server.fake._answer(request)
        if reply.delay_s > 0:
            self.server.fake._closing.wait(reply.delay_s)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Connection", "close")
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            _log.debug("fake OpenAI server: the client went away before the reply")


@dataclass
class _Script:
    queue: deque[Handler] = field(default_factory=deque)
    default: Handler = _no_script


class FakeOpenAI:
    """An OpenAI-compatible server on 127.0.0.1 (a free port), run in a background thread.

    Use it as a context manager; `url` is the ``base_url`` for clients (it ends in ``/v1``).
    With `api_key` set, requests without ``Authorization: Bearer <api_key>`` get a 401.
    """

    def __init__(self, *, api_key: str | None = None, default: Handler | None = None) -> None:
        self.api_key = api_key
        self._lock = threading.Lock()
        self._script = _Script(default=default or _no_script)
        self._requests: list[RecordedRequest] = []
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        """Bind a free port and serve in a background thread."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _RequestHandler)
        server.fake = self
        self._server = server
        self._closing.clear()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, cut pending delays short and wait for the handler threads."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def port(self) -> int:
        """The port it listens on."""
        if self._server is None:
            raise RuntimeError("the fake OpenAI server is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL for OpenAI clients, e.g. ``http://127.0.0.1:54321/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting -------------------------------------------------------------

    def enqueue(self, *handlers: Handler) -> None:
        """Add replies to the script, used one per request in order."""
        with self._lock:
            self._script.queue.extend(handlers)

    def respond_with(self, handler: Handler) -> None:
        """Answer with `handler` whenever the script is empty (a function of the request)."""
        with self._lock:
            self._script.default = handler

    def reply_json(
        self,
        payload: JsonObject | str,
        *,
        prompt_tokens: int = 50,
        completion_tokens: int = 10,
        delay_s: float = 0.0,
    ) -> None:
        """Script one structured answer (see `structured_reply`)."""
        self.enqueue(
            structured_reply(
                payload, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, delay_s=delay_s
            )
        )

    def reply_text(self, content: str, *, delay_s: float = 0.0) -> None:
        """Script one plain-text message answer."""
        self.enqueue(text_reply(content, delay_s=delay_s))

    def reply_error(
        self,
        status: int,
        message: str | None = None,
        *,
        delay_s: float = 0.0,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Script one error answer (429, 500, 503…); `headers` e.g. ``(("retry-after-ms", "10"),)``."""
        self.enqueue(error_reply(status, message, delay_s=delay_s, headers=headers))

    def reply_raw(
        self,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "application/json",
        delay_s: float = 0.0,
    ) -> None:
        """Script one verbatim (typically malformed) answer."""
        self.enqueue(raw_reply(body, status=status, content_type=content_type, delay_s=delay_s))

    @property
    def pending(self) -> int:
        """Scripted replies not used yet."""
        with self._lock:
            return len(self._script.queue)

    # -- inspection ------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def completion_requests(self) -> list[RecordedRequest]:
        """The ``POST /v1/chat/completions`` requests, oldest first."""
        return [r for r in self.requests if r.method == "POST" and r.path == COMPLETIONS_PATH]

    # -- serving ---------------------------------------------------------------

    def _answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
        if self.api_key is not None and request.bearer != self.api_key:
            return error_reply(401, "Incorrect API key provided")(request)
        if request.method == "GET" and request.path == MODELS_PATH:
            body = {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "fake"}]}
            return Reply(body=_json_bytes(body))
        if request.method != "POST" or request.path != COMPLETIONS_PATH:
            return error_reply(404, f"no route for {request.method} {request.path}")(request)
        if request.body is None:
            return error_reply(400, "the request body is not a JSON object")(request)
        with self._lock:
            handler = self._script.queue.popleft() if self._script.queue else self._script.default
        return handler(request)
