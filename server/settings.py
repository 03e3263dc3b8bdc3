"""The one settings class: read from the environment and `.env`, validated at start-up.

Only `server/` and the command line read the environment; everything else is
handed values through constructors.
"""

from __future__ import annotations

from pathlib import Path

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
    max_webhook_bytes: int = Field(default=4_000_000, ge=1024)
    """Larger webhook bodies are refused with 413 (WhatsApp batches can reach 3 MB)."""
    host: str = "127.0.0.1"
    """The address the server listens on (``FRONTDESK_HOST``)."""
    port: int = Field(default=8000, ge=1, le=65535)
    """The port the server listens on (``FRONTDESK_PORT``)."""
    public_url: str | None = None
    """The URL customers reach the server at, for payment links; defaults to http://HOST:PORT."""

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
