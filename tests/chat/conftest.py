"""Fixtures of the chat tests: the demo district (loaded once, copied per test), the real
message parser (loaded once per process), and a ``ChatWorld`` to talk to the bot."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from bot.demo import data as demo_data
from bot.infra.db import Database
from handlers import build_conversation
from handlers.context import forget_bindings
from handlers.understanding import forget_gazetteers, get_parser

from .harness import ChatWorld



@pytest.fixture(scope="session")
def demo_template(sqlite_template, tmp_path_factory):
    from tests.conftest import TZ

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    with db.transaction() as session:
        summary = demo_data.load(session, now=datetime(2026, 11, 28, 8, 0, tzinfo=TZ))
    db.dispose()
    return path, summary


@pytest.fixture
def demo(demo_template, tmp_path):
    path, summary = demo_template
    copy = tmp_path / "demo.db"
    shutil.copy(path, copy)
    db = Database(f"sqlite:///{copy}")
    yield db, summary
    db.dispose()


@pytest.fixture(scope="session")
def parser():
    return get_parser()


# Messages a reader may well be unsure about; the tests take the first one the shipped model is
# unsure about (it asks, and asks again when a question mark is added: the tests write it twice),
# so they test the flow ("unsure → one question"), not one model's exact scores.
UNSURE_CANDIDATES = ["有人管管吗", "楼下狗一直叫", "下水道有点臭", "这事到底有没有人管", "又来了又来了",
                     "能不能来个人看看", "楼上是不是在装修", "有没有人管一下门口", "那个谁能处理一下",
                     "这个能不能弄一下", "帮忙看看门口", "那个东西能不能挪一下", "那个能不能处理下",
                     "这个事谁能管", "谁能来看一眼"]


# The tests answer 「2栋」 as 王奶奶, whose building holds this open demo report of hers: a candidate
# the duplicate check takes for a follow-up of it (「有人管管吗」 may well be one) is offered for
# support instead of filed, which is another flow.
DEMO_REPORT_AT_THE_ANSWERED_BUILDING = "2栋楼下有人飞线充电，电线从三楼窗户拉下来"


@pytest.fixture(scope="session")
def unsure(parser) -> str:
    from bot.infra.config import Settings
    from bot.nlu.decision import ASK, decide
    from bot.nlu.similar import same_issue

    threshold = Settings(_env_file=None).nlu_confidence
    open_report = parser.parse(DEMO_REPORT_AT_THE_ANSWERED_BUILDING)
    for text in UNSURE_CANDIDATES:
        if parser.parse(text).place.building or same_issue(parser.parse(text), open_report).same:
            continue
        if all(decide(parser.parse(t), t, threshold).action == ASK for t in (text, text + "？")):
            return text
    pytest.fail("the parser is sure about every candidate; add a more ambiguous one")


@pytest.fixture(scope="session")
def conversation():
    return build_conversation()


class People(dict):
    """key (as in ``bot.demo_data``) → chat user id."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


@pytest.fixture
def people(demo) -> People:
    _db, summary = demo
    return People({p.key: p.chat_user_id for p in summary.people})


@pytest.fixture
def cw(demo, clock, conversation, parser, people) -> ChatWorld:
    db, summary = demo
    forget_gazetteers()
    forget_bindings()
    world = ChatWorld(db, clock, conversation, parser)
    world.names.update({p.chat_user_id: p.name for p in summary.people})
    yield world
    if world.probe is not None:
        world.probe.close()


SUNSHINE = demo_data.GROUP_SUNSHINE  # 阳光花园居民群: community 白庙, compound 阳光花园, no grid
CUIYUAN = demo_data.GROUP_CUIYUAN  # 翠苑小区居民群: 白庙 第三网格
JINGUI = demo_data.GROUP_JINGUI  # 金桂苑居民群: 月亮湖社区, compound 金桂苑
