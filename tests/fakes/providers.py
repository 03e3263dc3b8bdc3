"""A local stand-in for the messaging providers' send endpoints, for tests.

It speaks the documented request and response shapes on 127.0.0.1 and records every call::

    with FakeProviders() as fake:
        # Telegram: POST {fake.telegram_url}/bot<token>/sendMessage | answerCallbackQuery | sendChatAction
        # WhatsApp: POST {fake.graph_url}/<phone_number_id>/messages  (Bearer whatsapp_token)
        # Messenger / Instagram: POST {fake.graph_url}/<me | page_id | ig account id>/messages  (Bearer page_token)
        fake.fail_next("telegram", 2, status=429, retry_after=3)
        fake.fail_next("whatsapp", status=503)
        ...
        assert fake.texts("telegram") == ["Здравствуйте!"]

Requests are checked the way the provider would and rejected with the provider's error shape:
Telegram text over 4096 UTF-16 units or ``callback_data`` over 64 bytes (400), WhatsApp text
over 4096, an interactive body over 1024, more than 3 reply buttons or titles over 20 (list rows
over 24, more than 10 rows), a template without name or language, a free-form message to a
recipient whose 24-hour window was closed (`close_whatsapp_window`, error 131047), Messenger
text over 2000 characters, Instagram text over 1000 UTF-8 bytes, more than 13 quick replies or
titles over 20, a second private reply to one comment. The error *messages* are the fake's own
wording; the codes and shapes follow the providers. The lifecycle (start / close / port, context
manager) is `FakeOpenAI`'s.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.fakes.openai_server import FakeOpenAI, RecordedRequest, Reply

__all__ = ["FakeProviders", "ProviderCall", "meta_signature_headers", "telegram_secret_headers"]

Provider = Literal["telegram", "whatsapp", "messenger", "instagram"]
JsonObject = dict[str, Any]

GRAPH_VERSION = "v25.0"
_TELEGRAM_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$")
_GRAPH_PATH = re.compile(r"^/v\d+(?:\.\d+)?/(?P<node>[^/]+)/messages$")
_ids = itertools.count(1)


def telegram_secret_headers(secret: str) -> dict[str, str]:
    """The header Telegram adds to every webhook when ``setWebhook`` got a ``secret_token``."""
    return {"X-Telegram-Bot-Api-Secret-Token": secret}


def meta_signature_headers(body: bytes, app_secret: str) -> dict[str, str]:
    """The ``X-Hub-Signature-256`` header Meta sends with `body` (HMAC-SHA256 of the raw bytes)."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


@dataclass(frozen=True)
class ProviderCall:
    """One call the fake answered."""

    provider: Provider
    method: str
    """Telegram method (``sendMessage``…) or ``messages`` for Graph."""
    request: RecordedRequest
    status: int
    response: JsonObject
    at: float = field(default_factory=time.monotonic)
    """When it was answered (monotonic seconds), to check the spacing of sends."""

    @property
    def body(self) -> JsonObject:
        """The JSON body the client sent."""
        return self.request.body or {}


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: int | None
    code: int | None


class _Rejected(Exception):
    def __init__(self, detail: str, code: int = 100, subcode: int | None = None) -> None:
        super().__init__(detail)
        self.detail, self.code, self.subcode = detail, code, subcode


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _check(condition: bool, detail: str, code: int = 100) -> None:
    if not condition:
        raise _Rejected(detail, code)


def _check_telegram(method: str, body: JsonObject) -> JsonObject | bool:
    if method == "answerCallbackQuery":
        _check(bool(body.get("callback_query_id")), "Bad Request: query_id is empty")
        _check(len(str(body.get("text") or "")) <= 200, "Bad Request: MESSAGE_TOO_LONG")
        return True
    _check(body.get("chat_id") not in (None, ""), "Bad Request: chat_id is empty")
    if method == "sendChatAction":
        _check(bool(body.get("action")), "Bad Request: action is empty")
        return True
    text = body.get("text")
    _check(isinstance(text, str) and bool(text.strip()), "Bad Request: message text is empty")
    _check(_utf16(str(text)) <= 4096, "Bad Request: message is too long")
    markup = body.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = str(button.get("callback_data", ""))
            _check(bool(button.get("text")), "Bad Request: text buttons are unallowed in the inline keyboard")
            _check(0 < len(data.encode("utf-8")) <= 64, "Bad Request: BUTTON_DATA_INVALID")
    return {
        "message_id": next(_ids),
        "date": 1_800_000_000,
        "chat": {"id": body["chat_id"], "type": "private"},
        "text": text,
    }


def _check_interactive(interactive: JsonObject) -> None:
    body = (interactive.get("body") or {}).get("text", "")
    _check(0 < len(body) <= 1024, "interactive body text must be 1–1024 characters")
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        buttons = action.get("buttons") or []
        _check(1 <= len(buttons) <= 3, "interactive buttons must be 1–3")
        for button in buttons:
            reply = button.get("reply") or {}
            _check(0 < len(reply.get("title", "")) <= 20, "button title must be 1–20 characters")
            _check(0 < len(reply.get("id", "")) <= 256, "button id must be 1–256 characters")
    elif interactive.get("type") == "list":
        _check(0 < len(action.get("button", "")) <= 20, "list button must be 1–20 characters")
        rows = [row for section in action.get("sections", []) for row in section.get("rows", [])]
        _check(1 <= len(rows) <= 10, "a list has 1–10 rows")
        for row in rows:
            _check(0 < len(row.get("title", "")) <= 24, "row title must be 1–24 characters")
            _check(0 < len(row.get("id", "")) <= 200, "row id must be 1–200 characters")
    else:
        raise _Rejected(f"interactive type {interactive.get('type')!r} is not supported by the fake")


def _check_template(template: JsonObject) -> None:
    _check(bool(template.get("name")), "template name is required")
    _check(bool((template.get("language") or {}).get("code")), "template language code is required")
    for component in template.get("components", []):
        for parameter in component.get("parameters", []):
            text = str(parameter.get("text", ""))
            _check(bool(text) and not re.search(r"[\n\t]| {5,}", text), "invalid template parameter", 132018)


class FakeProviders(FakeOpenAI):
    """Telegram, WhatsApp Cloud API and Messenger / Instagram Send API on one local port."""

    def __init__(
        self,
        *,
        telegram_token: str = "123456:TEST-token",
        whatsapp_token: str = "wa-test-token",
        phone_number_id: str = "106540352242922",
        page_token: str = "page-test-token",
        page_id: str = "112233445566",
        instagram_account_id: str = "17841400000000001",
    ) -> None:
        super().__init__()
        self.telegram_token, self.whatsapp_token, self.page_token = telegram_token, whatsapp_token, page_token
        self.phone_number_id, self.page_id, self.instagram_account_id = (
            phone_number_id,
            page_id,
            instagram_account_id,
        )
        self.instagram_users: set[str] = set()
        """IGSIDs: messages to them follow Instagram's rules (the Page path serves both)."""
        self._failures: dict[str, deque[_Failure | None]] = {}
        self._calls: list[ProviderCall] = []
        self._closed_windows: set[str] = set()
        self._replied_comments: set[str] = set()

    def __enter__(self) -> FakeProviders:
        self.start()
        return self

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def telegram_url(self) -> str:
        """The value for ``FRONTDESK_TELEGRAM_API_URL``."""
        return self.url

    @property
    def graph_url(self) -> str:
        """The value for ``FRONTDESK_GRAPH_API_URL`` (versioned)."""
        return f"{self.url}/{GRAPH_VERSION}"

    # -- scripting ---------------------------------------------------------------

    def fail_next(
        self,
        provider: Provider,
        times: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = None,
        code: int | None = None,
        after: int = 0,
    ) -> None:
        """Answer the next `times` calls to `provider` with `status` (429 or 5xx, or any),
        after letting `after` calls through.

        Telegram gets ``parameters.retry_after``; Graph gets a ``Retry-After`` header and an
        error `code` (default 4 for 429, 2 for 5xx; WhatsApp's throughput limit is 130429).
        """
        with self._lock:
            queue = self._failures.setdefault(provider, deque())
            queue.extend(None for _ in range(after))
            queue.extend(_Failure(status, retry_after, code) for _ in range(times))

    def close_whatsapp_window(self, recipient: str) -> None:
        """Free-form messages to `recipient` (``+<wa_id>`` or a user id) now fail with 131047."""
        with self._lock:
            self._closed_windows.add(recipient)

    # -- inspection --------------------------------------------------------------

    @property
    def calls(self) -> list[ProviderCall]:
        """Every call answered, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, provider: Provider, *, accepted_only: bool = False) -> list[ProviderCall]:
        """The calls to one provider (only the 2xx ones with `accepted_only`)."""
        return [
            c for c in self.calls if c.provider == provider and (not accepted_only or 200 <= c.status < 300)
        ]

    def texts(self, provider: Provider) -> list[str]:
        """The message texts the provider accepted, in order (what the customer saw)."""
        texts = []
        for call in self.calls_to(provider, accepted_only=True):
            body = call.body
            text = body.get("text")
            if provider == "whatsapp":
                text = (body.get("text") or {}).get("body") or (
                    (body.get("interactive") or {}).get("body") or {}
                ).get("text")
            elif provider in ("messenger", "instagram"):
                text = (body.get("message") or {}).get("text")
            if isinstance(text, str) and call.method in ("sendMessage", "messages"):
                texts.append(text)
        return texts

    # -- serving -----------------------------------------------------------------

    def _answer(self, request: RecordedRequest) -> Reply:
        provider, method, status, response, headers = self._route(request)
        with self._lock:
            self._requests.append(request)
            if provider is not None:
                self._calls.append(ProviderCall(provider, method, request, status, response))
        return Reply(
            status=status, body=json.dumps(response, ensure_ascii=False).encode("utf-8"), headers=headers
        )

    def _route(
        self, request: RecordedRequest
    ) -> tuple[Provider | None, str, int, JsonObject, tuple[tuple[str, str], ...]]:
        if request.method == "POST" and (match := _TELEGRAM_PATH.match(request.path)):
            status, response = self._telegram(match["token"], match["method"], request)
            return "telegram", match["method"], status, response, ()
        if request.method == "POST" and (match := _GRAPH_PATH.match(request.path)):
            provider = self._graph_provider(match["node"], request.body or {})
            failure = self._take_failure(provider)
            if failure is not None:
                return provider, "messages", *self._graph_failure(failure)
            status, response = self._graph(provider, match["node"], request)
            return provider, "messages", status, response, ()
        return None, "", 404, {"error": {"message": f"Unknown path {request.path}", "code": 803}}, ()

    def _take_failure(self, provider: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(provider)
            return queue.popleft() if queue else None

    def _telegram(self, token: str, method: str, request: RecordedRequest) -> tuple[int, JsonObject]:
        if token != self.telegram_token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if method not in ("sendMessage", "answerCallbackQuery", "sendChatAction"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        failure = self._take_failure("telegram")
        if failure is not None:
            error: JsonObject = {"ok": False, "error_code": failure.status, "description": "Bad Gateway"}
            if failure.status == 429:
                wait = failure.retry_after or 1
                error |= {
                    "description": f"Too Many Requests: retry after {wait}",
                    "parameters": {"retry_after": wait},
                }
            return failure.status, error
        if request.body is None:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: body is not JSON"}
        try:
            result = _check_telegram(method, request.body)
        except _Rejected as rejected:
            return 400, {"ok": False, "error_code": 400, "description": rejected.detail}
        return 200, {"ok": True, "result": result}

    def _graph_provider(self, node: str, body: JsonObject) -> Provider:
        if body.get("messaging_product") == "whatsapp":
            return "whatsapp"
        recipient = body.get("recipient") or {}
        if (
            node == self.instagram_account_id
            or "comment_id" in recipient
            or recipient.get("id") in self.instagram_users
        ):
            return "instagram"
        return "messenger"

    def _graph_failure(self, failure: _Failure) -> tuple[int, JsonObject, tuple[tuple[str, str], ...]]:
        code = failure.code or (4 if failure.status == 429 else 2)
        error = {
            "message": f"(#{code}) fake failure",
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "Afake",
        }
        if failure.status >= 500:
            error["is_transient"] = True
        headers = (("Retry-After", str(failure.retry_after)),) if failure.retry_after is not None else ()
        return failure.status, {"error": error}, headers

    def _graph(self, provider: Provider, node: str, request: RecordedRequest) -> tuple[int, JsonObject]:
        expected = self.whatsapp_token if provider == "whatsapp" else self.page_token
        if request.bearer != expected:
            return 401, {
                "error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}
            }
        try:
            if request.body is None:
                raise _Rejected("the body is not a JSON object")
            if provider == "whatsapp":
                return 200, self._whatsapp(node, request.body)
            return 200, self._messenger(provider, node, request.body)
        except _Rejected as rejected:
            error: JsonObject = {
                "message": f"(#{rejected.code}) {rejected.detail}",
                "type": "OAuthException",
                "code": rejected.code,
                "error_data": {"details": rejected.detail},
                "fbtrace_id": "Afake",
            }
            if rejected.subcode is not None:
                error["error_subcode"] = rejected.subcode
            return 400, {"error": error}

    def _whatsapp(self, node: str, body: JsonObject) -> JsonObject:
        _check(node == self.phone_number_id, f"Unsupported post request: unknown phone number id {node}", 100)
        if body.get("status") == "read":
            _check(bool(body.get("message_id")), "message_id is required")
            return {"success": True}
        recipient = str(body.get("to") or body.get("recipient") or "")
        _check(bool(recipient), "'to' or 'recipient' is required")
        kind = body.get("type")
        if kind != "template" and recipient in self._closed_windows:
            raise _Rejected("Re-engagement message", 131047)
        if kind == "text":
            text = (body.get("text") or {}).get("body", "")
            _check(0 < len(text) <= 4096, "text body must be 1–4096 characters")
        elif kind == "interactive":
            _check_interactive(body.get("interactive") or {})
        elif kind == "template":
            _check_template(body.get("template") or {})
        else:
            raise _Rejected(f"message type {kind!r} is not supported by the fake")
        contact: JsonObject = {"input": recipient}
        contact["wa_id" if recipient.lstrip("+").isdigit() else "user_id"] = recipient.lstrip("+")
        return {
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": f"wamid.FAKE{next(_ids)}"}],
        }

    def _messenger(self, provider: Provider, node: str, body: JsonObject) -> JsonObject:
        _check(
            node in ("me", self.page_id, self.instagram_account_id), f"Unknown page or account {node}", 100
        )
        recipient = body.get("recipient") or {}
        _check(bool(recipient.get("id") or recipient.get("comment_id")), "recipient is required")
        if body.get("messaging_type", "RESPONSE") == "MESSAGE_TAG":
            _check(bool(body.get("tag")), "a MESSAGE_TAG message needs a tag")
        message = body.get("message") or {}
        text = str(message.get("text") or "")
        _check(bool(text.strip()), "message text is required")
        if provider == "instagram":
            _check(
                len(text.encode("utf-8")) <= 1000, "Length of param message[text] must be at most 1000 bytes"
            )
        else:
            _check(len(text) <= 2000, "Length of param message[text] must be less than or equal to 2000")
        replies = message.get("quick_replies") or []
        _check(len(replies) <= 13, "param message[quick_replies] must have at most 13 elements")
        for reply in replies:
            _check(0 < len(str(reply.get("title", ""))) <= 20, "quick reply titles must be 1–20 characters")
        comment_id = recipient.get("comment_id")
        if comment_id is not None:
            with self._lock:
                if comment_id in self._replied_comments:
                    raise _Rejected("This comment has already received a private reply", 10)
                self._replied_comments.add(comment_id)
        return {
            "recipient_id": recipient.get("id") or f"igsid-for-{comment_id}",
            "message_id": f"m_FAKE{next(_ids)}",
        }
