"""A group upgraded to a supergroup gets a new chat id: ``groups.move_chat`` carries over what
belongs to the group."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.places import groups
from models import ChatGroup, Occurrence, OutboxMessage, OutboxStatus, PendingQuestion
from tests.factories import build_world
from tests import ids

OLD, NEW = -4000000001, -1000000000007


@pytest.fixture
def w(any_db, clock):
    with any_db.transaction() as session:
        yield build_world(session, clock.now())


def row(w, chat_id, text, **kw) -> OutboxMessage:
    out = OutboxMessage(chat_id=ids.chat(w.session, chat_id), text=text, created_at=w.now, **kw)
    w.session.add(out)
    w.session.flush()
    return out


def test_binding_outbox_questions_reports_and_the_weekly_note_follow(w):
    groups.bind(w.session, ids.chat(w.session, OLD), community_name="白庙社区", grid_name="第一网格", compound_name="阳光花园",
                title="阳光花园居民群", by=w.m["office"], now=w.now)
    waiting = row(w, OLD, "已记录 Q1", reply_to_message_id="41")
    edit = row(w, OLD, "Q1 已受理", edit_message_id="42", kind="card")
    sent = row(w, OLD, "早先的回复", status=OutboxStatus.sent, sent_message_id="43")
    private = row(w, 5001, "私聊")
    issue = w.report()
    issue.source_chat_id, issue.source_message_id = ids.chat(w.session, OLD), "41"
    wish = w.wish()
    wish.source_chat_id, wish.source_message_id = ids.chat(w.session, OLD), "44"
    question = PendingQuestion(chat_id=ids.chat(w.session, OLD), user_id=ids.account(w.session, 5001), kind="place",
                               question_message_id="45",
                               payload=json.dumps({"text": "灯坏了", "message_id": "46"}), created_at=w.now,
                               expires_at=w.now + timedelta(minutes=30))
    w.session.add_all([issue, wish, question, Occurrence(key=f"weekly:2026w48:chat:{ids.chat(w.session, OLD)}", due_at=w.now,
                                                         fired_at=w.now, messages=1)])
    w.session.flush()

    moved = groups.move_chat(w.session, ids.chat(w.session, OLD), ids.chat(w.session, NEW), now=w.now)

    assert groups.get(w.session, ids.known_chat(w.session, OLD)) is None
    group = groups.get(w.session, ids.known_chat(w.session, NEW))
    assert group is moved.group
    assert (group.community_id, group.grid_id, group.title, group.bound_by_id) == (
        w.community.id, w.grid1.id, "阳光花园居民群", w.m["office"].id)
    assert group.compound_id is not None
    for r in (waiting, edit, sent, private, issue, wish, question):
        w.session.refresh(r)
    tg = lambda key: ids.telegram_chat(w.session, key)  # noqa: E731 — chat keys as Telegram ids
    assert (tg(waiting.chat_id), waiting.reply_to_message_id, waiting.status) == (NEW, None, OutboxStatus.pending)
    assert (tg(edit.chat_id), edit.status) == (OLD, OutboxStatus.dead) and "migrated" in edit.last_error
    assert (tg(sent.chat_id), sent.sent_message_id) == (OLD, "43")  # history stays where it happened
    assert tg(private.chat_id) == 5001
    assert (tg(issue.source_chat_id), issue.source_message_id) == (NEW, None)
    assert (tg(wish.source_chat_id), wish.source_message_id) == (NEW, None)
    assert (tg(question.chat_id), question.question_message_id) == (NEW, None)
    assert json.loads(question.payload) == {"text": "灯坏了", "message_id": None}
    assert w.session.get(Occurrence, f"weekly:2026w48:chat:{ids.chat(w.session, NEW)}") is not None
    assert (moved.outbox, moved.edits_dropped, moved.questions, moved.issues, moved.wishes) == (1, 1, 1, 1, 1)

    again = groups.move_chat(w.session, ids.chat(w.session, OLD), ids.chat(w.session, NEW), now=w.now)  # the other service message, a retry …
    assert again.group is group and (again.outbox, again.questions, again.issues) == (0, 0, 0)
    assert w.session.exec(select(ChatGroup)).all() == [group]


def test_a_new_id_already_bound_keeps_its_binding(w):
    groups.bind(w.session, ids.chat(w.session, OLD), community_name="白庙社区", grid_name="第一网格", now=w.now)
    groups.bind(w.session, ids.chat(w.session, NEW), community_name="白庙社区", grid_name="第二网格", now=w.now)
    w.session.add(PendingQuestion(chat_id=ids.chat(w.session, OLD), user_id=ids.account(w.session, 5001), kind="place",
                                  created_at=w.now))
    w.session.add(PendingQuestion(chat_id=ids.chat(w.session, NEW), user_id=ids.account(w.session, 5001), kind="intent",
                                  created_at=w.now))
    w.session.flush()
    groups.move_chat(w.session, ids.chat(w.session, OLD), ids.chat(w.session, NEW), now=w.now)
    assert groups.get(w.session, ids.known_chat(w.session, OLD)) is None
    assert groups.get(w.session, ids.known_chat(w.session, NEW)).grid_id == w.grid2.id
    kinds = [(ids.telegram_chat(w.session, c), k)
             for c, k in w.session.exec(select(PendingQuestion.chat_id, PendingQuestion.kind)).all()]
    assert kinds == [(NEW, "intent")]  # one question per person and chat: the newer one stays


def test_an_unbound_group_moves_its_rows_and_binds_nothing(w):
    out = row(w, OLD, "hi")
    moved = groups.move_chat(w.session, ids.chat(w.session, OLD), ids.chat(w.session, NEW), now=w.now)
    assert moved.group is None and groups.get(w.session, ids.known_chat(w.session, NEW)) is None
    w.session.refresh(out)
    assert ids.telegram_chat(w.session, out.chat_id) == NEW
