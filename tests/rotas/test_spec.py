"""The words of a rota: one parser for the chat command, the spreadsheet and the API."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.infra.errors import InvalidInput
from bot.rotas.spec import (
    describe_weekdays,
    parse_date_range,
    parse_duration,
    parse_kind,
    parse_size,
    parse_times,
    parse_weekdays,
)


@pytest.mark.parametrize("text,kind", [("巡逻", "patrol"), ("卡口值守", "checkpoint"), ("物资配送", "delivery"),
                                       ("秩序维护", "order"), ("值班", "duty"), ("duty", "duty"), ("跳舞", None)])
def test_kinds(text, kind):
    assert parse_kind(text) == kind


@pytest.mark.parametrize("text,days", [("每天", "1234567"), ("工作日", "12345"), ("周末", "67"), ("每周一", "1"),
                                       ("周一三五", "135"), ("星期二、四", "24"), ("每周日", "7"), ("mon,wed", "13"),
                                       ("每月", None)])
def test_weekdays(text, days):
    assert parse_weekdays(text) == days
    if days:
        assert parse_weekdays(describe_weekdays(days)) == days


@pytest.mark.parametrize("text,want", [("20:00", (time(20), None)), ("20:00-22:00", (time(20), 120)),
                                       ("22:00-06:00", (time(22), 480)), ("20：00~次日02:00", (time(20), 360)),
                                       ("8点半-10点", (time(8, 30), 90)), ("25:00", None), ("明天", None)])
def test_times(text, want):
    assert parse_times(text) == want


def test_durations_and_sizes():
    assert [parse_duration(t) for t in ("2小时", "1.5h", "90分钟", "2小时30分", "半小时", "两小时", "x")] == [
        120, 90, 90, 150, 30, 120, None]
    assert [parse_size(t) for t in ("2人", "两人", "每班3人", "2", "30人")] == [2, 2, 3, None, None]


def test_date_ranges():
    today = date(2026, 11, 28)
    assert parse_date_range("12-01 12-05", today) == (date(2026, 12, 1), date(2026, 12, 5))
    assert parse_date_range("12月1日到12月5日", today) == (date(2026, 12, 1), date(2026, 12, 5))
    assert parse_date_range("明天", today) == (date(2026, 11, 29),) * 2
    assert parse_date_range("2027-01-02", today) == (date(2027, 1, 2),) * 2
    assert parse_date_range("1月3日", today) == (date(2027, 1, 3),) * 2  # next January, not last
    with pytest.raises(InvalidInput):
        parse_date_range("12-05 12-01", today)
    with pytest.raises(InvalidInput):
        parse_date_range("下个月", today)
