"""The one settings object. Every value can come from ``HGJ_*`` environment variables or ``.env``."""

from __future__ import annotations

import difflib
import os
from datetime import time
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
        default=0.7, ge=0.0, le=1.0,
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
    lock_retry_seconds: float = Field(
        default=1.0, gt=0,
        description="how often a standby tries to take over the scheduler, the sender or polling (and an "
                    "owner checks it still holds its lock): a dead owner is replaced about this long after",
    )
    public_url: str | None = Field(
        default=None, description="where members reach the web pages (login and calendar links)"
    )

    # --- operations: logs and readiness (bot/infra/logs.py, bot/health.py) ---
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="INFO shows one line per update handled and every ownership change"
    )
    log_format: Literal["text", "json"] = Field(default="text", description="json: one JSON object per line")
    ready_update_age_seconds: float = Field(
        default=120.0, ge=0, description="polling: no getUpdates answer for this long → /readyz is 503 (0 = off)"
    )
    ready_webhook_age_seconds: float = Field(
        default=0.0, ge=0, description="webhook: no delivery for this long → 503 (0 = off: quiet nights bring none)"
    )
    ready_reply_age_seconds: float = Field(
        default=300.0, ge=0, description="where the sender runs: a reply due and unsent this long → 503 (0 = off)"
    )
    ready_bulk_age_seconds: float = Field(
        default=3600.0, ge=0,
        description="where the sender runs: an alert or reminder due and unsent this long → 503 (0 = off)",
    )

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case(cls, v):
        if not isinstance(v, str):
            return v
        return v.upper() if v.lower() in ("debug", "info", "warning", "error") else v.lower()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str) -> str:
        return check_database_url(v)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)  # a typo fails at start-up, not at 20:00
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"没有这个时区：{v}（例如 Asia/Shanghai）") from None
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


# The database drivers the product is tested with, and the module each needs.
DRIVERS = {"postgresql": {"psycopg": "psycopg", "psycopg2": "psycopg2"}, "sqlite": {"pysqlite": "sqlite3"}}
DEFAULT_DRIVER = {"postgresql": "psycopg2", "sqlite": "pysqlite"}  # what SQLAlchemy takes when none is named
DOCUMENTED_URL = "postgresql+psycopg://用户:密码@主机:5432/库名"


def check_database_url(url: str) -> str:
    """A URL the product can open, or a ValueError saying in one sentence what to write instead:
    ``postgres://`` (Heroku's spelling SQLAlchemy refuses), another database, an unknown driver, or
    a driver that is not installed. Nothing is connected to here."""
    # sqlalchemy here, not at the top: a command that never opens the database (hgj parse)
    # does not pay for importing it
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError  # (the same)

    if url.startswith(("postgres://", "postgres+")):
        raise ValueError(f"以 postgres:// 开头的地址 SQLAlchemy 不认，请写成 {DOCUMENTED_URL}")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError(f"不是数据库地址；PostgreSQL 写作 {DOCUMENTED_URL}，SQLite 写作 sqlite:///文件路径") from None
    backend = parsed.get_backend_name()
    if backend not in DRIVERS:
        raise ValueError(f"不支持 {backend} 数据库；请用 PostgreSQL（{DOCUMENTED_URL}）或 SQLite")
    driver = parsed.get_driver_name() if "+" in parsed.drivername else DEFAULT_DRIVER[backend]
    module = DRIVERS[backend].get(driver)
    if module is None:
        raise ValueError(f"不支持驱动 {driver}；请写成 {DOCUMENTED_URL}（psycopg 3）")
    if find_spec(module) is None:
        hint = "pip install 'hongguanjia[postgres]'" if backend == "postgresql" else ""
        alternative = next((d for d, m in DRIVERS[backend].items() if m != module and find_spec(m)), None)
        also = f"；已安装的是 {alternative}，可写成 {backend}+{alternative}://…" if alternative else ""
        raise ValueError(f"驱动 {driver} 没有安装（{hint}）{also}")
    return url


# HGJ_* variables read by something other than the settings: the test suite's database, the NLU
# evaluation's shared data
NOT_SETTINGS = frozenset({"HGJ_TEST_PG_URL", "HGJ_SHARED_DATA"})
# names people write for a real setting, too far apart for a spelling match
LIKELY = {
    "HGJ_WEB_BASE_URL": "HGJ_PUBLIC_URL", "HGJ_BASE_URL": "HGJ_PUBLIC_URL", "HGJ_WEB_URL": "HGJ_PUBLIC_URL",
    "HGJ_URL": "HGJ_PUBLIC_URL", "HGJ_TOKEN": "HGJ_TELEGRAM_TOKEN", "HGJ_BOT_TOKEN": "HGJ_TELEGRAM_TOKEN",
    "HGJ_DB_URL": "HGJ_DATABASE_URL", "HGJ_DATABASE": "HGJ_DATABASE_URL", "HGJ_DB": "HGJ_DATABASE_URL",
    "HGJ_TZ": "HGJ_TIMEZONE", "HGJ_HOST": "HGJ_WEB_HOST", "HGJ_PORT": "HGJ_WEB_PORT",
}


def setting_names() -> list[str]:
    prefix = Settings.model_config.get("env_prefix", "")
    return sorted(f"{prefix}{name}".upper() for name in Settings.model_fields)


def unknown_variables(environ: dict[str, str] | None = None, env_file: Path | None = None) -> list[tuple[str, str | None]]:
    """``HGJ_*`` names in the environment or the ``.env`` file that are no setting (pydantic-settings
    ignores them silently), each with the nearest real name, if any."""
    names: set[str] = {k.upper() for k in (os.environ if environ is None else environ) if k.upper().startswith("HGJ_")}
    path = Path(Settings.model_config.get("env_file") or ".env") if env_file is None else env_file
    if path.is_file():
        from dotenv import dotenv_values  # pydantic-settings' own reader, only when there is a .env

        try:
            names |= {k.upper() for k in dotenv_values(path) if k and k.upper().startswith("HGJ_")}
        except (OSError, UnicodeDecodeError):
            pass  # an unreadable .env is pydantic-settings' to report
    known = setting_names()
    unknown = sorted(names - set(known) - NOT_SETTINGS)
    out = []
    for name in unknown:
        near = LIKELY.get(name) or next(iter(difflib.get_close_matches(name, known, n=1, cutoff=0.75)), None)
        out.append((name, near))
    return out


def unknown_variables_line(found: list[tuple[str, str | None]]) -> str | None:
    """One warning line naming them (Chinese, for the operator), or None when all is well."""
    if not found:
        return None
    parts = [f"{name}（应为 {near}？）" if near else name for name, near in found]
    return "未知的设置变量，已忽略：" + "、".join(parts)
