"""The one settings object. Every value can come from ``HGJ_*`` environment variables or ``.env``."""

from __future__ import annotations

from datetime import time
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
    bot_username: str | None = Field(
        default=None, description="the bot's @username for invitation links made by `hgj invite` (the running bot asks Telegram)"
    )

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
    update_thread: bool = Field(
        default=True, description="Handle each update's transaction on one worker thread, off the event loop."
    )
    send_limits: bool = Field(
        default=True, description="Keep to Telegram's sending limits; off only against a stand-in without them."
    )
    duplicate_window_days: int = Field(
        default=30, ge=1, description="Open reports younger than this are offered for 附议 instead of a new one."
    )
    flood_reports: int = Field(
        default=3, ge=1,
        description="New reports one sender may make in a community within the flood window; further "
                    "messages are held in one bundle for the grid manager.",
    )
    flood_window_minutes: int = Field(default=10, ge=1, description="The window of the flood rule.")
    flood_commands: int = Field(
        default=5, ge=1,
        description="Commands one sender may send in a group within the flood window and have answered there; "
                    "the next one gets a notice, the rest no answer in the group.",
    )
    repeat_window_minutes: int = Field(
        default=10, ge=1, description="Identical or near-identical messages of one sender within this are one."
    )
    repeat_similarity: float = Field(
        default=0.85, gt=0.0, le=1.0,
        description="How alike (0–1, after dropping spacing and punctuation) two messages with the same "
                    "numbers and place must be to count as one.",
    )

    # --- rotas, reminders, escalation, scheduler (bot/rotas, bot/escalation, bot/scheduler) ---
    rota_horizon_days: int = Field(default=21, ge=1, le=90, description="shifts materialised ahead")
    rota_evening_reminder: time = Field(default=time(20, 0), description="reminder the evening before")
    rota_start_reminder_minutes: int = Field(default=0, ge=0, description="start reminder, minutes early")
    rota_missed_checkin_minutes: int = Field(default=30, ge=1, description="no check-in by then → backup")
    rota_checkin_early_minutes: int = Field(default=60, ge=0, description="check-in opens this early")
    rota_quorum_call_hours: int = Field(default=24, ge=0, description="ask the team when short, hours ahead")
    quiet_hours_start: time = time(22, 0)
    quiet_hours_end: time = time(7, 0)
    digest_time: time = Field(default=time(7, 30), description="morning digest to grid managers")
    weekly_note_weekday: int = Field(default=1, ge=1, le=7, description="ISO weekday of the group note")
    weekly_note_time: time = time(9, 0)
    quarterly_report_time: time = Field(default=time(9, 0), description="on the first day of a quarter")
    # Default escalation policies (used while no EscalationPolicy row exists for the kind):
    # comma-separated steps "MINUTES:TARGET[+TARGET…][!]", each delay after the previous step,
    # "!" = also in quiet hours. Targets: see bot.escalation.TARGETS.
    escalation_unaccepted: str = "120:grid_manager,240:office,1080:district_leader"
    escalation_urgent: str = "10:route!,20:district_leader!"
    escalation_overdue: str = "4320:claimer,2880:claimer+grid_manager"
    escalation_missed_checkin: str = "15:building_head!,15:grid_manager,30:office"
    escalation_lookback_days: int = Field(default=30, ge=1, description="older open issues no longer escalate")
    points_confirm_days: int = Field(
        default=3, ge=1, description="已解决 without 仍未修复 this long: the resolution's points are booked."
    )
    points_settle_seconds: float = Field(default=300.0, gt=0, description="how often the scheduler books them")
    scheduler_enabled: bool = True
    scheduler_tick_seconds: float = Field(default=15.0, gt=0)
    scheduler_lock_retry_seconds: float = Field(default=30.0, gt=0)
    public_url: str | None = Field(
        default=None, description="where members reach the web pages (login and calendar links)"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        ZoneInfo(v)  # raises for an unknown zone, so a typo fails at start-up, not at 20:00
        return v

    @property
    def web_url(self) -> str:
        """The web pages' address as links in chat give it: ``HGJ_PUBLIC_URL``, else the local port."""
        return (self.public_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache
def get_settings() -> Settings:
    return Settings()
