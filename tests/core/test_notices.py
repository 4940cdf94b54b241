"""The core's scheduled and bind messages are facts (``bot.*.notices``); their words are the
conversation layer's (``handlers/texts``), installed by each process's entry point."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import pytest

import bot
from bot import notices
from bot.infra.config import Settings
from bot.notices import InGroup, NoRenderer, Said
from bot.rich import Rich, bold
from bot.rotas.notices import ShiftFacts
from handlers import notices as words


def _fact_types() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        if info.name.rpartition(".")[2] != "notices":
            continue
        module = importlib.import_module(info.name)
        found += [v for v in vars(module).values()
                  if isinstance(v, type) and dataclasses.is_dataclass(v) and v.__module__ == info.name]
    return found


def test_every_fact_the_core_hands_over_has_its_words():
    kinds = set(_fact_types()) - {Said, ShiftFacts}  # parts of facts, never rendered alone
    assert {"EveReminder", "Escalation", "MorningDigest", "BoundNotice", "InGroup"} <= {k.__name__ for k in kinds}
    assert sorted(k.__name__ for k in kinds if k not in words.RENDERERS) == []


def test_a_fact_without_words_fails_loudly():
    fact = InGroup(("张三", "李四"), Said(Rich("x")))
    notices.uninstall()
    try:
        with pytest.raises(NoRenderer, match="handlers.notices.install"):
            notices.render(fact)
    finally:
        words.install()
    said = notices.render(InGroup(("张三", "李四"), Said(bold("排班提醒"), [[]])))
    assert said.text.plain == "【致 张三、李四】\n排班提醒" and said.text.spans[-1].bold and said.buttons == [[]]


def test_the_web_app_and_the_runtime_install_the_words(sqlite_db):
    from bot.runtime import Runtime
    from bot.web.app import create_app

    settings = Settings(_env_file=None)
    for start in (lambda: create_app(sqlite_db, settings), lambda: Runtime(settings, sqlite_db)):
        notices.uninstall()
        start()
        assert all(notices.installed(kind) for kind in words.RENDERERS)


def test_the_command_line_installs_the_words_with_the_database(tmp_path, monkeypatch):
    from bot.cli.app import open_database
    from bot.infra.config import get_settings

    monkeypatch.setenv("HGJ_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    notices.uninstall()
    try:
        open_database().dispose()
        assert all(notices.installed(kind) for kind in words.RENDERERS)
    finally:
        get_settings.cache_clear()
