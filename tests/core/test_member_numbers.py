"""Member numbers: one format that prints and parses back exactly; malformed ones say why."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.members.numbers import InvalidMemberNumber, MemberNumber


@st.composite
def numbers(draw):
    role = draw(st.integers(1, 6))
    return MemberNumber(
        role=role,
        community=draw(st.integers(1, 999)),
        unit=draw(st.integers(1, 999)) if role == 2 else 0,
        grid=draw(st.integers(0, 99)),
        building=draw(st.integers(1, 999)) if role == 6 else draw(st.integers(0, 999)),
        seq=draw(st.integers(1, 9999)),
    )


@given(numbers())
def test_prints_and_parses_back_exactly(n):
    text = str(n)
    assert MemberNumber.parse(text) == n
    assert str(MemberNumber.parse(text)) == text


def test_the_documented_example():
    n = MemberNumber.parse("6-012-000-03-005-0042")
    assert (n.role, n.community, n.unit, n.grid, n.building, n.seq) == (6, 12, 0, 3, 5, 42)
    assert "楼栋长" in n.describe() and "第 3 网格" in n.describe()
    cadre = MemberNumber.parse("2-012-007-03-000-0002")
    assert "单位代码 007" in cadre.describe()


@pytest.mark.parametrize(
    "text, reason",
    [
        ("6-012-000-03-005", "格式"),
        ("6012000030050042", "格式"),
        ("7-012-000-03-005-0042", "角色"),
        ("0-012-000-03-005-0042", "角色"),
        ("5-000-000-03-005-0042", "社区代码"),
        ("5-012-007-03-005-0042", "只有2号"),
        ("2-012-000-03-005-0042", "单位代码"),
        ("6-012-000-03-000-0042", "楼栋长"),
        ("5-012-000-03-005-0000", "序号"),
        ("5-12-000-03-005-0042", "格式"),
        (" 5-012-000-03-005-0042", "格式"),
    ],
)
def test_malformed_numbers_are_refused_with_a_reason(text, reason):
    with pytest.raises(InvalidMemberNumber, match=reason):
        MemberNumber.parse(text)


def test_what_people_type_is_tolerated_by_parse_typed():
    assert str(MemberNumber.parse_typed(" ６－０１２－０００－０３－００５－００４２ ")) == "6-012-000-03-005-0042"
    assert str(MemberNumber.parse_typed("6 012 000 03 005 0042")) == "6-012-000-03-005-0042"
