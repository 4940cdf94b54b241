"""Materialising shifts: the rhythm, the fair round-robin, away dates, members who left,
overrides, swaps, volunteers, and the same result however often it runs."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.infra.errors import InvalidInput, NotAllowed
from bot.rotas import admin, away as rota_away, checkins, swaps as rota_swaps, turns as rota_turns
from models import MemberStatus, Shift

from .conftest import TZ, at, make_rota


def on_people(s, shift) -> list[str]:
    return [m.name for m in rota_turns.on_duty(s, shift)]


def shifts(s, rota) -> list[Shift]:
    return list(s.exec(select(Shift).where(Shift.rota_id == rota.id).order_by(Shift.starts_at)).all())


def test_daily_round_robin_is_fair_and_deterministic(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), team=("张三", "李四", "王五", "赵六", "volunteer"))
        got = shifts(s, rota)
        assert len(got) == settings.rota_horizon_days + 1  # today 20:00 is still ahead at 09:00
        assert got[0].starts_at == at(28, 20).astimezone(timezone.utc)
        assert got[0].ends_at - got[0].starts_at == timedelta(hours=2)
        turns = [on_people(s, sh) for sh in got]
        assert turns[:3] == [["张三", "李四"], ["王五", "赵六"], ["volunteer", "张三"]]
        counts = Counter(n for t in turns[:20] for n in t)
        assert set(counts.values()) == {8}  # 20 shifts × 2 people / 5 members
        assert all(len(set(t)) == 2 for t in turns)
        assert rota_turns.backup_of(s, got[0]).name == "王五"  # next in line is on call
        # running it again (a restart, a second process) creates nothing and changes nothing
        assert rota_turns.materialise(s, rota, now=clock.now(), horizon_days=settings.rota_horizon_days) == []
        assert rota_turns.materialise_all(s, now=clock.now(), settings=settings) == (0, 0)
        assert [on_people(s, sh) for sh in shifts(s, rota)] == turns


def test_weekdays_rhythm_and_horizon_extends_day_by_day(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), weekdays="135", size=1, start=time(8, 30), minutes=60)
        got = shifts(s, rota)
        assert {sh.starts_at.astimezone(TZ).isoweekday() for sh in got} == {1, 3, 5}
        assert got[0].starts_at.astimezone(TZ) == at(30, 8, 30)  # Mon 30 Nov (28th is a Saturday)
        before = on_people(s, got[-1])
        clock.advance(days=7)
        new = rota_turns.materialise(s, rota, now=clock.now(), horizon_days=settings.rota_horizon_days)
        assert len(new) == 3
        assert on_people(s, got[-1]) == before  # what was planned stays planned


def test_zone_boundaries_without_dst(db, world, clock, settings):
    """Local days, not UTC days: 07:00 in Shanghai is 23:00 UTC the day before."""
    with db.transaction() as s:
        early = make_rota(s, world, settings, clock.now(), name="早班", start=time(7, 0), minutes=60, size=1)
        first = shifts(s, early)[0]
        assert first.starts_at.astimezone(TZ) == at(29, 7)
        assert first.starts_at.astimezone(timezone.utc).day == 28 and first.starts_at.hour == 23
        # a rota kept in Ürümqi time (UTC+6) runs at its own 22:00, across midnight
        overnight = make_rota(s, world, settings, clock.now(), name="夜班", start=time(22, 0), minutes=8 * 60,
                              size=1, tz="Asia/Urumqi")
        sh = shifts(s, overnight)[0]
        urumqi = ZoneInfo("Asia/Urumqi")
        assert sh.starts_at.astimezone(urumqi) == at(28, 22).replace(tzinfo=urumqi)
        assert sh.ends_at.astimezone(urumqi) == at(29, 6).replace(tzinfo=urumqi)
        assert sh.starts_at.astimezone(TZ) == at(29, 0)  # midnight in Shanghai


def test_away_dates_are_skipped_and_the_member_comes_back_first(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), team=("张三", "李四", "王五"), size=1)
        zhang = world.m["张三"]
        # 张三 is on 28th, 李四 29th, 王五 30th, 张三 1 Dec …; away 1–3 Dec
        _period, moved = rota_away.add_away(s, zhang, date(2026, 12, 1), date(2026, 12, 3), now=clock.now())
        assert moved == 1
        by_day = {sh.starts_at.astimezone(TZ).date(): on_people(s, sh) for sh in shifts(s, rota)}
        for d in (1, 2, 3):
            assert by_day[date(2026, 12, d)] != ["张三"]
        assert rota_turns.backup_of(s, shifts(s, rota)[4]).name != "张三"
        # a rota created now skips the away days from the start and puts 张三 first on his return
        later = make_rota(s, world, settings, clock.now(), name="白班", team=("张三", "李四", "王五"), size=1,
                          start=time(9, 30), starts_on=date(2026, 12, 2))
        turns = [on_people(s, sh)[0] for sh in shifts(s, later)]
        assert turns[:3] == ["李四", "王五", "张三"]  # 2 Dec, 3 Dec, then 张三 back on the 4th


def test_members_who_left_or_leave_the_team_are_replaced(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), team=("张三", "李四", "王五", "赵六"))
        world.m["李四"].status = MemberStatus.left
        s.add(world.m["李四"])
        s.flush()
        rota_turns.repair(s, rota, now=clock.now())
        assert all("李四" not in on_people(s, sh) for sh in shifts(s, rota))
        assert all(len(on_people(s, sh)) == 2 for sh in shifts(s, rota))
        admin.remove_from_team(s, rota, [world.m["王五"]], by=world.m["gm1"], now=clock.now())
        assert all(set(on_people(s, sh)) == {"张三", "赵六"} for sh in shifts(s, rota))
        with pytest.raises(NotAllowed):
            admin.remove_from_team(s, rota, [world.m["张三"]], by=world.m["volunteer"], now=clock.now())


def test_override_swap_and_join(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), team=("张三", "李四", "王五", "赵六"))
        first, second = shifts(s, rota)[:2]
        assert on_people(s, first) == ["张三", "李四"]
        # a manager puts 赵六 on instead of 李四 for one shift
        with pytest.raises(NotAllowed):
            admin.add_override(s, first, add=world.m["赵六"], remove=world.m["李四"], by=world.m["张三"], now=clock.now())
        admin.add_override(s, first, add=world.m["赵六"], remove=world.m["李四"], by=world.m["gm1"], now=clock.now())
        assert set(on_people(s, first)) == {"张三", "赵六"}
        # 王五 asks for a swap on the second shift; 李四 takes it (the first to accept wins)
        req = rota_swaps.request_swap(s, second, world.m["王五"], now=clock.now())
        with pytest.raises(InvalidInput):
            rota_swaps.accept_swap(s, req.id, world.m["王五"], now=clock.now())
        with pytest.raises(NotAllowed):
            rota_swaps.accept_swap(s, req.id, world.m["volunteer"], now=clock.now())
        rota_swaps.accept_swap(s, req.id, world.m["李四"], now=clock.now())
        assert set(on_people(s, second)) == {"李四", "赵六"}
        with pytest.raises(InvalidInput, match="已经有人接了"):
            rota_swaps.accept_swap(s, req.id, world.m["张三"], now=clock.now())
        # the override survives a repair run
        rota_turns.repair(s, rota, now=clock.now())
        assert set(on_people(s, first)) == {"张三", "赵六"}
        # nobody may volunteer for a full shift; a short one takes them
        with pytest.raises(InvalidInput, match="人已够了"):
            rota_swaps.join_shift(s, first, world.m["王五"], now=clock.now())


def test_swap_refused_once_the_shift_started(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now())
        first = shifts(s, rota)[0]
        req = rota_swaps.request_swap(s, first, world.m["张三"], now=clock.now())
        clock.set(at(28, 20, 5))
        with pytest.raises(InvalidInput, match="已经开始"):
            rota_swaps.accept_swap(s, req.id, world.m["王五"], now=clock.now())
        with pytest.raises(InvalidInput, match="已经开始"):
            rota_swaps.request_swap(s, first, world.m["李四"], now=clock.now())


def test_check_in_books_points_once_and_dual_check_in_for_cadres(db, world, clock, settings):
    from bot.points import service as points

    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), team=("张三", "cadre", "王五"), size=2)
        zhang = world.m["张三"]
        with pytest.raises(InvalidInput, match="没有需要签到的班次"):
            checkins.check_in(s, zhang, now=clock.now(), settings=settings)
        clock.set(at(28, 19, 30))  # check-in opens an hour early
        r = checkins.check_in(s, zhang, now=clock.now(), settings=settings)
        assert r.shift is not None and r.points == 5 and not r.already
        again = checkins.check_in(s, zhang, now=clock.now(), settings=settings, location=(30.99, 112.2))
        assert again.already and again.points == 0 and again.checkin.latitude == 30.99
        assert points.balance(s, zhang.id) == 5
        cadre = world.m["cadre"]
        r = checkins.check_in(s, cadre, now=clock.now(), settings=settings, photo="file-1")
        assert r.shift is not None and r.dual is not None and r.points == 10
        # a cadre with no shift checks in for the dual check-in alone, once a day
        clock.set(at(29, 10))
        r = checkins.check_in(s, cadre, now=clock.now(), settings=settings)
        assert r.shift is None and r.dual is not None and r.points == 5
        r = checkins.check_in(s, cadre, now=clock.now(), settings=settings)
        assert r.already and r.points == 0
        assert rota.id


def test_backup_checking_in_on_a_short_shift_joins_it(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now(), size=2)
        first = shifts(s, rota)[0]
        backup = rota_turns.backup_of(s, first)
        assert backup.name == "王五"
        clock.set(at(28, 20, 40))
        r = checkins.check_in(s, backup, now=clock.now(), settings=settings)
        assert r.shift.id == first.id
        assert backup.name in on_people(s, first)
        # once two are there, nobody else needs to join
        checkins.check_in(s, world.m["张三"], now=clock.now(), settings=settings)
        with pytest.raises(InvalidInput, match="人已够了"):
            rota_swaps.join_shift(s, first, world.m["赵六"], now=clock.now())
