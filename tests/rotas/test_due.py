"""What is due, driven by an injected clock across days: reminders, missed check-ins up the
route, quorum calls, issue escalations step by step, quiet hours, digests — and each sent once."""

from __future__ import annotations

import threading
from tests.rendered import html_of
from datetime import date, time, timedelta, timezone

import pytest

from bot.due import fire as D
from bot.issues import escalation
from bot.places import groups
from bot.issues import service as issues
from bot.points import service as points
from bot.infra.config import Settings
from bot.rotas import away, checkins, swaps, turns
from models import MemberStatus, PolicyKind

from .conftest import at, due_now, fire, make_rota, outbox
from tests import ids

UTC = timezone.utc


def keys(items) -> list[str]:
    return sorted(d.key for d in items)


def mid(world, key) -> int:
    return world.m[key].id


def test_reminders_fire_once_each_across_days(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now())
        s1, s2 = turns.shifts_of_rota(s, rota, since=clock.now(), until=clock.now() + timedelta(days=2))
    z, l, w = mid(world, "张三"), mid(world, "李四"), mid(world, "王五")
    # created the same morning: tonight's shift is reminded at once ("今天"), to the two and the backup
    first = due_now(db, clock.now(), settings)
    assert keys(first) == sorted([f"eve:shift:{s1.id}:m:{m}" for m in (z, l, w)] + [f"digest:20261128:m:{mid(world, 'gm1')}"])
    eve = next(d for d in first if d.what == "eve")
    assert "今天 20:00–22:00" in html_of(eve.out) and eve.out.kind == "reminder"
    assert fire(db, clock.now(), settings).queued == 4
    assert fire(db, clock.now(), settings).queued == 0  # a second tick
    assert due_now(db, clock.now(), settings) == []
    assert len(due_now(db, clock.now(), settings, include_fired=True)) == 4
    with db.session() as s:
        assert D.next_due_at(s, at(28, 19, 58), settings=settings) == at(28, 20).astimezone(UTC)
    assert due_now(db, at(28, 19, 59, 59), settings) == []
    at20 = due_now(db, at(28, 20), settings)
    assert sorted(d.what for d in at20) == ["eve"] * 3 + ["start"] * 2
    start = next(d for d in at20 if d.what == "start")
    assert "签到" in [b.text for b in start.out.buttons[0]] and start.out.buttons[0][0].action.pack() == f"s:in:{s1.id}:"
    # a late tick (the process was down from 19:00 to 20:10) still sends each of them once
    assert fire(db, at(28, 20, 10), settings).queued == 5
    assert fire(db, at(28, 20, 10, 15), settings).queued == 0
    with db.session() as s:
        assert [ids.telegram_chat(s, r.chat_id) for r in outbox(db, f"start:shift:{s1.id}")] == [7001, 7002]
    assert len({r.dedupe_key for r in outbox(db)}) == len(outbox(db)) == 9
    # once a shift is over its start reminder is no longer useful
    assert not [d for d in due_now(db, at(29, 22, 30), settings) if d.key.startswith(f"start:shift:{s2.id}")]


def test_missed_check_in_goes_to_the_backup_then_up_the_route(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), building=world.b3)
        s1 = turns.shifts_of_rota(s, rota, since=clock.now(), until=clock.now() + timedelta(days=1))[0]
    fire(db, at(28, 20), settings)

    def calls(hh, mm):
        return [(d.key.split(":")[3], d.out.member_id) for d in due_now(db, at(28, hh, mm), settings) if d.what == "miss"]

    assert calls(20, 29) == []
    assert calls(20, 30) == [("1", mid(world, "王五"))]  # the backup, at start + 30 min
    fire(db, at(28, 20, 30), settings)
    assert calls(20, 45) == [("2", mid(world, "bh3"))]  # the building head
    fire(db, at(28, 20, 45), settings)
    assert calls(21, 0) == [("3", mid(world, "gm1"))]  # the grid manager
    fire(db, at(28, 21, 0), settings)
    assert calls(21, 30) == [("4", mid(world, "office"))]  # the community office
    backup_msg = outbox(db, f"miss:shift:{s1.id}:1")[0]
    assert "后备" in html_of(backup_msg) and "s:in:" in backup_msg.buttons
    # two check in at 21:10: the office is not called
    with db.transaction() as s:
        checkins.check_in(s, world.m["张三"], now=at(28, 21, 10), settings=settings)
        checkins.check_in(s, world.m["王五"], now=at(28, 21, 10), settings=settings)
    assert calls(21, 30) == []


def test_late_tick_tells_each_person_once(db, world, clock, settings):
    """No building head for a grid-wide rota: that step falls back to the grid manager, who is
    then named by two steps; a tick firing both at once tells them once."""
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
    items = [d for d in due_now(db, at(28, 21, 5), settings) if d.what == "miss"]
    assert sorted(d.out.member_id for d in items) == sorted([mid(world, "王五"), mid(world, "gm1")])


def test_quorum_gap_calls_the_team_with_a_join_button(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), team=("张三", "李四", "王五"), size=1, quorum=2)
        s2 = turns.shifts_of_rota(s, rota, since=at(29, 0), until=at(30, 0))[0]
    calls = [d for d in due_now(db, at(28, 20, 0, 1), settings) if d.what == "quorum" and d.key.startswith(f"quorum:shift:{s2.id}")]
    assert sorted(d.out.member_id for d in calls) == sorted([mid(world, "张三"), mid(world, "王五")])  # not 李四: he is on
    assert calls[0].out.buttons[0][0].action.pack() == f"s:join:{s2.id}:"
    fire(db, at(28, 20, 0, 1), settings)
    with db.transaction() as s:
        swaps.join_shift(s, s.get(type(s2), s2.id), world.m["王五"], now=at(28, 21))
    assert not [d for d in due_now(db, at(28, 21, 1), settings) if d.key.startswith(f"quorum:shift:{s2.id}")]


def test_short_shift_with_nobody_free_goes_to_the_grid_manager(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), team=("张三", "李四"), size=2)
        away.add_away(s, world.m["李四"], date(2026, 11, 30), date(2026, 11, 30), now=clock.now())
        s3 = turns.shifts_of_rota(s, rota, since=at(30, 0), until=at(30, 23))[0]
        assert [m.name for m in turns.on_duty(s, s3)] == ["张三"]
    calls = [d for d in due_now(db, at(29, 20, 0, 1), settings) if d.key.startswith(f"quorum:shift:{s3.id}")]
    assert [d.out.member_id for d in calls] == [mid(world, "gm1")]
    assert "/cover" in html_of(calls[0].out)


def test_quiet_hours_hold_non_urgent_messages_but_not_the_shift_under_way(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), start=time(23, 0), minutes=120, building=world.b3)
        s1 = turns.shifts_of_rota(s, rota, since=clock.now(), until=at(29, 0))[0]
    fire(db, clock.now(), settings)
    seven = at(29, 7).astimezone(UTC)
    by_what = {}
    for hh, mm in ((23, 0), (23, 30), (23, 45)):
        for d in due_now(db, at(28, hh, mm), settings):
            by_what.setdefault(d.what + (":" + d.key.split(":")[3] if d.what == "miss" else ""), d)
        fire(db, at(28, hh, mm), settings)
    assert by_what["start"].not_before is None  # people on duty are awake
    assert by_what["miss:1"].not_before is None  # the backup: any hour ("!")
    assert by_what["miss:2"].not_before is None  # the building head: any hour ("!")
    held = [d for d in due_now(db, at(29, 0, 0), settings) if d.what == "miss"]
    assert [d.key.split(":")[3] for d in held] == ["3"] and held[0].not_before == seven  # the grid manager waits
    rows = outbox(db, f"miss:shift:{s1.id}:2")
    assert rows[0].next_attempt_at == at(28, 23, 45).astimezone(UTC)


def test_evening_reminder_in_quiet_hours_waits_unless_that_is_too_late(db, world, clock):
    late = Settings(_env_file=None, rota_evening_reminder=time(22, 30))
    with db.transaction() as s:
        make_rota(s, world, late, clock.now(), name="早巡", start=time(8, 0), minutes=60, size=1)
        make_rota(s, world, late, clock.now(), name="晨巡", start=time(6, 0), minutes=60, size=1)
    items = {html_of(d.out).split("\n")[1].split("（")[0]: d for d in due_now(db, at(28, 22, 31), late) if d.what == "eve"}
    assert items["早巡"].not_before == at(29, 7).astimezone(UTC)  # 07:00 is still before 08:00
    assert items["晨巡"].not_before is None  # waiting to 07:00 would miss a 06:00 start


def _report(world, s, *, urgent=False, when):
    world.session, world.now = s, when
    return world.report("3栋楼道灯坏了", urgent=urgent, category="safety" if urgent else "facility")


def test_issue_not_accepted_escalates_step_by_step(db, world, clock, settings):
    with db.transaction() as s:
        issue = _report(world, s, when=at(28, 9))
        iid = issue.id

    def steps(when):
        return [(d.key.split(":")[4], d.out.member_id) for d in due_now(db, when, settings) if d.what == "unaccepted"]

    assert steps(at(28, 10, 59)) == []
    assert steps(at(28, 11)) == [("1", mid(world, "gm1"))]
    fire(db, at(28, 11), settings)
    assert steps(at(28, 15)) == [("2", mid(world, "office"))]
    fire(db, at(28, 15), settings)
    assert steps(at(29, 9)) == [("3", mid(world, "leader"))]
    msg = next(d for d in due_now(db, at(29, 9), settings) if d.what == "unaccepted")
    assert "Q" in html_of(msg.out) and "无人受理" in html_of(msg.out) and msg.out.kind == "alert"
    assert [b.action.pack() for b in msg.out.buttons[0]] == [f"q:accept:{iid}:", f"q:claim:{iid}:"]
    with db.transaction() as s:
        world.session = s
        issues.accept(s, s.get(type(issue), iid), world.actor("gm1"), now=at(28, 20))
    assert steps(at(29, 9)) == []


def test_escalation_policy_is_data(db, world, clock, settings):
    with db.transaction() as s:
        escalation.save_policy(s, PolicyKind.issue_unaccepted, "30:building_head,30:office!", community_id=world.community.id)
        _report(world, s, when=at(28, 21))
    items = [d for d in due_now(db, at(28, 21, 30), settings) if d.what == "unaccepted"]
    assert [d.out.member_id for d in items] == [mid(world, "bh3")]
    fire(db, at(28, 21, 30), settings)
    items = [d for d in due_now(db, at(28, 22, 0), settings) if d.what == "unaccepted"]
    assert [d.out.member_id for d in items] == [mid(world, "office")] and items[0].not_before is None  # "!"
    with pytest.raises(Exception, match="无法识别"):
        escalation.parse_steps("30:nobody")


def test_unaccepted_step_in_quiet_hours_waits_but_urgent_goes_to_everyone_at_once(db, world, clock, settings):
    with db.transaction() as s:
        _report(world, s, when=at(28, 21))  # step 1 (grid manager) at 23:00
        _report(world, s, urgent=True, when=at(29, 2))
    normal = [d for d in due_now(db, at(28, 23), settings) if d.what == "unaccepted"]
    assert normal[0].not_before == at(29, 7).astimezone(UTC)
    urgent = [d for d in due_now(db, at(29, 2, 10), settings) if d.what == "urgent"]
    told = {d.out.member_id for d in urgent}
    assert {mid(world, "bh3"), mid(world, "gm1"), mid(world, "office")} <= told
    assert all(d.not_before is None and d.urgent for d in urgent)
    assert "紧急" in html_of(urgent[0].out)


def test_claimed_and_overdue_reminds_the_claimer(db, world, clock, settings):
    with db.transaction() as s:
        issue = _report(world, s, when=at(28, 9))
        issues.claim(s, issue, world.actor("worker1"), now=at(28, 10))
    assert not [d for d in due_now(db, at(1, 9, month=12), settings) if d.what == "overdue"]
    items = [d for d in due_now(db, at(1, 10, month=12), settings) if d.what == "overdue"]  # 3 days on
    assert [d.out.member_id for d in items] == [mid(world, "worker1")]
    assert "你领办的问题" in html_of(items[0].out)
    fire(db, at(1, 10, month=12), settings)
    later = [d for d in due_now(db, at(3, 10, month=12), settings) if d.what == "overdue"]  # 2 more days
    assert sorted(d.out.member_id for d in later) == sorted([mid(world, "worker1"), mid(world, "gm1")])


def test_a_reopened_issue_is_overdue_again_from_the_reopening(db, world, clock, settings):
    with db.transaction() as s:
        issue = _report(world, s, when=at(28, 9))
        issues.claim(s, issue, world.actor("worker1"), now=at(28, 10))
        issues.resolve(s, issue, world.actor("worker1"), now=at(28, 11), note="换了灯泡")
        issues.reopen(s, issue, world.actor("resident"), now=at(29, 9), note="又不亮了")
    assert not [d for d in due_now(db, at(2, 8, month=12), settings) if d.what == "overdue"]
    items = [d for d in due_now(db, at(2, 9, month=12), settings) if d.what == "overdue"]  # 3 days on
    assert [d.out.member_id for d in items] == [mid(world, "worker1")]
    assert "重新打开后已 3天" in html_of(items[0].out) and "已解决" in items[0].out.buttons[0][0].text
    fire(db, at(2, 9, month=12), settings)
    assert not [d for d in due_now(db, at(2, 10, month=12), settings) if d.what == "overdue"]  # sent once


def test_morning_digest_to_grid_managers_by_chat_or_group(db, world, clock, settings):
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
        _report(world, s, when=at(25, 9))
        _report(world, s, when=at(28, 8))
        groups.bind(s, ids.chat(s, -100200), community_name=world.community.name, grid_name="第二网格", now=clock.now())
        world.session = s
        world.report("5栋门禁坏了", building=world.b5)
    digests = {d.out.member_id: d for d in due_now(db, at(29, 7, 30), settings) if d.what == "digest"}
    gm1 = digests[mid(world, "gm1")]
    assert gm1.out.chat_id == 8001 and "超过3天" in html_of(gm1.out) and "夜间巡逻" in html_of(gm1.out)
    assert "昨日缺岗" in html_of(gm1.out)  # nobody checked in on the 28th
    gm2 = digests[mid(world, "gm2")]  # no chat account: told in the grid's group, by name
    assert gm2.out.chat_id == -100200 and html_of(gm2.out).startswith("【致 gm2】")
    assert not [d for d in due_now(db, at(29, 7, 29), settings) if d.what == "digest"]
    assert not [d for d in due_now(db, at(29, 13, 31), settings) if d.what == "digest"]  # too late to be useful


def test_weekly_note_to_each_group(db, world, clock, settings):
    with db.transaction() as s:
        groups.bind(s, ids.chat(s, -100100), community_name=world.community.name, grid_name="第一网格", now=clock.now())
        issue = _report(world, s, when=at(28, 9))
        issues.claim(s, issue, world.actor("gm1"), now=at(28, 10))
        issues.resolve(s, issue, world.actor("gm1"), now=at(28, 11), note="换了灯泡")
        issues.confirm(s, issue, world.actor("resident"), now=at(28, 12))  # points once the reporter confirms
    notes = [d for d in due_now(db, at(30, 9), settings) if d.what == "weekly"]  # Monday 09:00
    assert [d.out.chat_id for d in notes] == [-100100]
    text = html_of(notes[0].out)
    assert "解决问题 1 件" in text and "感谢：gm1" in text and "本周之星：gm1" in text
    with db.session() as s:  # one per group: the key names the group's chat
        assert notes[0].key == f"weekly:2026w49:chat:{ids.known_chat(s, -100100)}"


def test_quarterly_unit_scoreboard_to_office_and_district_leader(db, world, clock, settings):
    with db.transaction() as s:
        cadre = world.m["cadre"]
        checkins.check_in(s, cadre, now=at(10, 10, month=12), settings=settings)
        checkins.check_in(s, cadre, now=at(11, 10, month=12), settings=settings)
    first_of_q1 = at(1, 9, month=12).replace(year=2027, month=1)
    items = [d for d in due_now(db, first_of_q1, settings) if d.what == "quarterly" and d.key.endswith(f":m:{mid(world, 'office')}")]
    assert items and "2026年第4季度" in html_of(items[0].out) and "区住建局：双报到 2 次 · 积分 10" in html_of(items[0].out)
    told = {d.out.member_id for d in due_now(db, first_of_q1, settings) if d.what == "quarterly"}
    assert {mid(world, "office"), mid(world, "leader")} <= told


def test_members_who_left_are_not_reminded_and_unreachable_fall_back_to_the_group(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), team=("张三", "李四", "王五"))
        groups.bind(s, ids.chat(s, -100100), community_name=world.community.name, grid_name="第一网格", now=clock.now())
        ids.set_unreachable(s, world.m["李四"])
        world.m["王五"].status = MemberStatus.left
        s.add(world.m["王五"])
        s.flush()
        turns.repair(s, rota, now=clock.now())
    items = [d for d in due_now(db, clock.now(), settings) if d.what == "eve"]
    assert {d.out.chat_id for d in items} == {7001, -100100}
    assert not [d for d in items if d.out.member_id == mid(world, "王五")]
    assert any(html_of(d.out).startswith("【致 李四】") for d in items)


def test_two_ticks_at_once_queue_each_message_once(any_db, clock):
    """Two processes (here: two threads with their own sessions) fire the same moment."""
    from tests.factories import build_world

    settings = Settings(_env_file=None)
    with any_db.transaction() as s:
        w = build_world(s, clock.now())
        for i, name in enumerate(("张三", "李四", "王五"), start=1):
            w.add_member(name, 5, grid=w.grid1, chat_user_id=7000 + i)
        make_rota(s, w, settings, clock.now(), team=("张三", "李四", "王五"))
    barrier = threading.Barrier(2)
    results = []

    def tick():
        barrier.wait()
        results.append(fire(any_db, at(28, 20, 1), settings).queued)

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [0, 5]
    assert len(outbox(any_db)) == 5
    assert points  # imported for the ledger rules the world uses
