"""The one settings object. Every value can come from ``HGJ_*`` environment variables or ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HGJ_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'hongguanjia.db'}",
        description="SQLAlchemy URL; SQLite file in the working directory by default.",
    )
    timezone: str = "Asia/Shanghai"

    telegram_token: str | None = None
    telegram_api_base: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: str | None = None

    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_base_url: str | None = None  # how members reach the web pages (for /web login links)
    web_secret: str | None = None  # signs login links; generated into hongguanjia.secret when unset

    # The conversation (handlers/)
    nlu_confidence: float = Field(
        default=0.6, ge=0.0, le=1.0,
        description="Below this the bot asks 是问题 / 是心愿 / 不用管 instead of acting.",
    )
    ask_timeout_minutes: int = Field(
        default=30, ge=1, description="How long the bot waits for the answer to a question it asked."
    )
    cache_ttl_seconds: float = Field(
        default=60.0, ge=0.0,
        description="How long a community's place names and a group's binding are cached per process.",
    )
    duplicate_window_days: int = Field(
        default=30, ge=1, description="Open reports younger than this are offered for 附议 instead of a new one."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        ZoneInfo(v)  # raises for an unknown zone, so a typo fails at start-up, not at 20:00
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache
def get_settings() -> Settings:
    return Settings()
