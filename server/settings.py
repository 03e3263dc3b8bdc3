"""The one settings class: read from the environment and `.env`, validated at start-up.

Only `server/` and the command line read the environment; everything else is
handed values through constructors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PLAYBOOK = Path("examples/studio/playbook.yaml")


class Settings(BaseSettings):
    """Frontdesk's configuration. With nothing set it runs embedded, on one machine, with no keys."""

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", env_prefix="FRONTDESK_", frozen=True
    )

    playbook: Path = Field(default=DEFAULT_PLAYBOOK)
    """The business's playbook file (``FRONTDESK_PLAYBOOK``)."""
    data_dir: Path = Field(default=Path("var"))
    """Where embedded data lives: the SQLite database, checkpoints, the knowledge base (``FRONTDESK_DATA_DIR``)."""
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "FRONTDESK_DATABASE_URL")
    )
    """``postgresql://…`` for PostgreSQL; empty for an SQLite file in the data directory."""
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "FRONTDESK_REDIS_URL")
    )
    """``redis://…`` to coordinate several processes; empty for in-process coordination."""
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("OPENAI_API_KEY"))
    """Turns on LLM understanding through any OpenAI-compatible endpoint."""
    openai_base_url: str | None = Field(default=None, validation_alias=AliasChoices("OPENAI_BASE_URL"))
    """An OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server)."""
    openai_model: str = Field(
        default="gpt-4o-mini", validation_alias=AliasChoices("OPENAI_MODEL", "FRONTDESK_OPENAI_MODEL")
    )
    """The model name to ask for."""
    llm_timeout_s: float = Field(default=8.0, gt=0, validation_alias=AliasChoices("FRONTDESK_LLM_TIMEOUT_S"))
    """Seconds to wait for the LLM before a turn falls back to offline understanding."""
    chroma_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CHROMA_URL", "FRONTDESK_CHROMA_URL")
    )
    """A Chroma server; empty for the embedded knowledge base."""
    telegram_bot_token: SecretStr | None = None
    """The Telegram bot's token from @BotFather (``FRONTDESK_TELEGRAM_BOT_TOKEN``)."""
    telegram_webhook_secret: SecretStr | None = None
    """The secret Telegram sends in ``X-Telegram-Bot-Api-Secret-Token`` (``FRONTDESK_TELEGRAM_WEBHOOK_SECRET``)."""
    telegram_api_url: str = "https://api.telegram.org"
    """The Bot API base URL (a local server in tests)."""
    whatsapp_token: SecretStr | None = None
    """The WhatsApp Cloud API access token."""
    whatsapp_phone_number_id: str | None = None
    """The business phone number id messages are sent from."""
    whatsapp_app_secret: SecretStr | None = None
    """The Meta app secret that signs WhatsApp webhooks (``X-Hub-Signature-256``)."""
    whatsapp_verify_token: SecretStr | None = None
    """The token Meta echoes when verifying the WhatsApp webhook URL."""
    meta_page_token: SecretStr | None = None
    """The Page access token for Messenger and Instagram."""
    meta_app_secret: SecretStr | None = None
    """The Meta app secret that signs Messenger and Instagram webhooks."""
    meta_verify_token: SecretStr | None = None
    """The token Meta echoes when verifying the Messenger / Instagram webhook URL."""
    instagram_account_id: str | None = None
    """The Instagram professional account id (private replies to comments)."""
    graph_api_url: str = "https://graph.facebook.com/v25.0"
    """The Graph API base URL with its version (a local server in tests)."""
    burst_s: float = Field(default=2.0, ge=0, le=30)
    """Messages of one conversation closer together than this are answered as one turn (``FRONTDESK_BURST_S``)."""
    workers: int = Field(default=0, ge=0, le=64)
    """Worker processes `frontdesk serve` starts (``FRONTDESK_WORKERS``); 0 runs the workers inside the API process."""
    api_only: bool = False
    """This process serves HTTP only; `frontdesk worker` processes elsewhere answer turns and send
    replies (``FRONTDESK_API_ONLY``; for several API processes behind a proxy, with ``REDIS_URL``)."""
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    """Turns one worker process runs at once when turns come from Redis (``FRONTDESK_WORKER_CONCURRENCY``)."""
    lease_s: float = Field(default=60.0, gt=0, le=3600)
    """How long a worker owns a conversation or a delivery it took; after that another worker takes over (``FRONTDESK_LEASE_S``)."""
    sweep_s: float = Field(default=5.0, gt=0, le=600)
    """How often workers fed by Redis also look in the inbox for events whose announcement was lost (``FRONTDESK_SWEEP_S``)."""
    max_webhook_bytes: int = Field(default=4_000_000, ge=1024)
    """Larger webhook bodies are refused with 413 (WhatsApp batches can reach 3 MB)."""
    log_format: Literal["json", "text"] = "json"
    """Log lines as JSON objects (each with its conversation id) or as readable text (``FRONTDESK_LOG_FORMAT``)."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """The least severe level logged (``FRONTDESK_LOG_LEVEL``)."""
    host: str = "127.0.0.1"
    """The address the server listens on (``FRONTDESK_HOST``)."""
    port: int = Field(default=8000, ge=1, le=65535)
    """The port the server listens on (``FRONTDESK_PORT``)."""
    public_url: str | None = None
    """The URL customers reach the server at, for payment links; defaults to http://HOST:PORT."""
    alert_telegram_chat_id: str | None = None
    """A Telegram chat for staff notifications (``FRONTDESK_ALERT_TELEGRAM_CHAT_ID``; see docs/notifications.md)."""
    alert_slack_webhook_url: SecretStr | None = None
    """A Slack incoming webhook for staff notifications (``FRONTDESK_ALERT_SLACK_WEBHOOK_URL``)."""
    alert_webhook_url: str | None = None
    """An endpoint that receives signed staff notifications (``FRONTDESK_ALERT_WEBHOOK_URL``)."""
    alert_webhook_secret: SecretStr | None = None
    """The HMAC-SHA256 key that signs them (``FRONTDESK_ALERT_WEBHOOK_SECRET``)."""
    metrics_token: SecretStr | None = None
    """FRONTDESK_METRICS_TOKEN: bearer token Prometheus must send to /metrics; without it only loopback clients may scrape."""

    @field_validator("database_url", "redis_url", "chroma_url", "openai_base_url")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def effective_database_url(self) -> str:
        """The database to use: `database_url`, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'frontdesk.sqlite3').resolve()}"

    @property
    def effective_public_url(self) -> str:
        """Where customers reach this server."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in {"0.0.0.0", "::"} else self.host
        return f"http://{host}:{self.port}"
