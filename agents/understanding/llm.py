"""The LLM understanding adapter: an OpenAI-compatible chat model fills in a fixed schema.

`LlmUnderstanding` implements the `Understander` port. Each turn it sends the
playbook-derived instructions plus the customer's message (as JSON data, never
as instructions) and asks for structured output (``json_schema`` by default,
or ``function_calling`` / ``json_mode`` for servers without it). The answer is
validated and converted into `Understanding` with ``source="llm"``.

The model only extracts meaning: its answer is a schema, so there is nothing
in it to obey. Whatever goes wrong (a timeout, an HTTP error, unparseable or
mismatching output) the turn is answered by the fallback understander instead,
with ``source="llm-fallback"``; the adapter never raises to its caller. A
warning names the reason; customer text is never logged at INFO or above.

Token use comes from the response's usage metadata (``include_raw=True``) and
is put on each `Understanding` (``llm_tokens``) and summed in `LlmUsage`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

import openai
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr, ValidationError

from agents.understanding._llm_convert import catalog_kinds, to_understanding
from agents.understanding._llm_prompt import fixed_instructions, turn_instructions, user_turn
from agents.understanding._llm_schema import (
    SCHEMA_DESCRIPTION,
    SCHEMA_NAME,
    UnderstandingOutput,
    output_json_schema,
)
from agents.understanding.model import DialogueContext, Understanding
from agents.understanding.port import Understander
from tools.intents import Intent
from tools.playbook import Playbook

__all__ = ["LlmUnderstanding", "LlmUsage", "StructuredMethod", "create_chat_model"]

logger = logging.getLogger("frontdesk.understanding")

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
"""How structured output is requested: OpenAI structured outputs, a forced tool call, or JSON mode."""

SOURCE_LLM = "llm"
SOURCE_FALLBACK = "llm-fallback"


@dataclass
class LlmUsage:
    """Running totals of one adapter's model calls, for benchmarks and evals."""

    calls: int = 0
    """Turns sent to the model."""
    failures: int = 0
    """Turns answered by the fallback instead."""
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    """Wall time spent waiting for the model."""
    failure_reasons: dict[str, int] = field(default_factory=dict)
    """Failures by reason (``timeout``, ``http_500``, ``invalid_response``, ``invalid_output``, ``schema_mismatch``…)."""

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    @property
    def successes(self) -> int:
        """Turns the model answered usably."""
        return self.calls - self.failures

    def reset(self) -> None:
        """Start counting from zero."""
        self.calls = self.failures = self.input_tokens = self.output_tokens = 0
        self.seconds = 0.0
        self.failure_reasons = {}


def create_chat_model(
    *,
    api_key: str,
    base_url: str | None,
    model: str,
    timeout_s: float,
    max_retries: int,
) -> ChatOpenAI:
    """A deterministic chat-completions client for an OpenAI-compatible server.

    `timeout_s` bounds each HTTP attempt and `max_retries` how many more attempts the SDK
    makes (on timeouts, 429 and 5xx). ``use_responses_api=False`` keeps every model name on
    ``/chat/completions``, which local servers implement.
    """
    return ChatOpenAI(
        model=model,
        api_key=SecretStr(api_key),
        base_url=base_url,
        timeout=timeout_s,
        max_retries=max_retries,
        temperature=0,
        use_responses_api=False,
    )


class _OutputProblem(Exception):
    """The model answered, but not usably."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reason(error: BaseException) -> str:
    """A short, text-free name for why a turn failed."""
    if isinstance(error, _OutputProblem):
        return error.reason
    if isinstance(error, TimeoutError | openai.APITimeoutError):
        return "timeout"
    if isinstance(error, openai.APIStatusError):
        return f"http_{error.status_code}"
    if isinstance(error, openai.APIConnectionError):
        return "connection"
    if isinstance(error, openai.LengthFinishReasonError):
        return "truncated"
    if isinstance(error, ValidationError):
        return "schema_mismatch"
    if isinstance(error, OutputParserException | openai.APIResponseValidationError | ValueError):
        return "invalid_output"
    return f"error_{type(error).__name__}"


def _token_counts(raw: object) -> tuple[int, int]:
    """(input, output) tokens of a raw model answer; zeros when it reports none."""
    if not isinstance(raw, AIMessage):
        return 0, 0
    usage = raw.usage_metadata
    if usage is not None:
        return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
    reported = raw.response_metadata.get("token_usage") or {}
    if isinstance(reported, dict):
        return int(reported.get("prompt_tokens") or 0), int(reported.get("completion_tokens") or 0)
    return 0, 0


def _schema_spec(schema: dict[str, Any], method: StructuredMethod) -> dict[str, Any]:
    if method == "json_schema":
        return {"name": SCHEMA_NAME, "description": SCHEMA_DESCRIPTION, "schema": schema, "strict": True}
    return {"name": SCHEMA_NAME, "description": SCHEMA_DESCRIPTION, "parameters": schema}


class LlmUnderstanding:
    """Understands customer messages with a chat model; falls back to another `Understander` on failure.

    `model` is a chat model such as `create_chat_model` builds. `timeout_s` is the whole turn's
    budget (every retry included); past it the turn falls back. `usage` sums calls and tokens.
    """

    def __init__(
        self,
        *,
        model: BaseChatModel,
        playbook: Playbook,
        fallback: Understander,
        timeout_s: float,
        method: StructuredMethod = "json_schema",
        examples_per_intent: int = 2,
        history: int = 3,
    ) -> None:
        if method not in get_args(StructuredMethod):
            raise ValueError(f"unknown structured-output method {method!r}")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self._playbook = playbook
        self._fallback = fallback
        self._timeout_s = timeout_s
        self._history = history
        self._known = catalog_kinds(playbook)
        self.method: StructuredMethod = method
        self.schema: dict[str, Any] = output_json_schema(list(self._known))
        """The JSON Schema the model's answer must match."""
        self._fixed = fixed_instructions(
            playbook,
            examples_per_intent=examples_per_intent,
            schema=json.dumps(self.schema, ensure_ascii=False) if method == "json_mode" else None,
        )
        options: dict[str, Any] = {"strict": True} if method == "function_calling" else {}
        self._structured = model.with_structured_output(
            _schema_spec(self.schema, method), method=method, include_raw=True, **options
        )
        self.usage = LlmUsage()

    def system_prompt(self, context: DialogueContext) -> str:
        """The instructions sent for a turn in `context`."""
        return f"{self._fixed}\n\n{turn_instructions(context, self._playbook)}"

    async def understand(self, text: str, context: DialogueContext) -> Understanding:
        """The meaning of `text`; the fallback's answer (``source="llm-fallback"``) when the model fails."""
        self.usage.calls += 1
        tokens = 0
        started = time.perf_counter()
        try:
            messages: list[BaseMessage] = [
                SystemMessage(self.system_prompt(context)),
                HumanMessage(user_turn(text, context, history=self._history)),
            ]
            result = await self._ask(messages)
            raw = result.get("raw")
            input_tokens, output_tokens = _token_counts(raw)
            tokens = input_tokens + output_tokens
            self.usage.input_tokens += input_tokens
            self.usage.output_tokens += output_tokens
            if isinstance(raw, AIMessage) and raw.response_metadata.get("finish_reason") == "length":
                raise _OutputProblem("truncated")
            if result.get("parsing_error") is not None or not isinstance(result.get("parsed"), dict):
                raise _OutputProblem("invalid_output")
            output = UnderstandingOutput.model_validate(result["parsed"])
            understanding = to_understanding(
                output,
                text=text,
                playbook=self._playbook,
                known=self._known,
                tokens=tokens,
                source=SOURCE_LLM,
            )
        except Exception as error:
            reason = _reason(error)
            logger.debug("LLM understanding failed (%s)", reason, exc_info=True)
        else:
            self.usage.seconds += time.perf_counter() - started
            logger.debug(
                "LLM understanding: intent=%s confidence=%.2f tokens=%d",
                understanding.intent.value,
                understanding.confidence,
                tokens,
            )
            return understanding
        self.usage.seconds += time.perf_counter() - started
        return await self._fall_back(text, context, reason=reason, tokens=tokens)

    async def _ask(self, messages: list[BaseMessage]) -> dict[str, Any]:
        """The model's raw and parsed answer, within the turn's time budget."""
        try:
            async with asyncio.timeout(self._timeout_s):
                result = await self._structured.ainvoke(messages)
        except (TimeoutError, openai.OpenAIError, OutputParserException, ValidationError):
            raise
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
            # The client could not make sense of the HTTP response (HTML, a bare string, missing keys).
            raise _OutputProblem("invalid_response") from error
        if not isinstance(result, dict):
            raise _OutputProblem("invalid_output")
        return result

    async def _fall_back(
        self, text: str, context: DialogueContext, *, reason: str, tokens: int
    ) -> Understanding:
        self.usage.failures += 1
        self.usage.failure_reasons[reason] = self.usage.failure_reasons.get(reason, 0) + 1
        logger.warning(
            "LLM understanding failed (%s); using the fallback understander (message: %d chars, tokens: %d)",
            reason,
            len(text),
            tokens,
        )
        try:
            result = await self._fallback.understand(text, context)
        except Exception as error:
            logger.error("the fallback understander failed too (%s)", type(error).__name__)
            logger.debug("fallback failure", exc_info=True)
            return Understanding(
                text=text,
                language=context.language or self._playbook.business.default_language,
                intent=Intent.OUT_OF_SCOPE,
                confidence=0.0,
                source=SOURCE_FALLBACK,
                llm_tokens=tokens,
            )
        return replace(result, source=SOURCE_FALLBACK, llm_tokens=result.llm_tokens + tokens)
