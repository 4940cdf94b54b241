"""Members: creation rules, numbers that follow their place, binding a chat account."""

from __future__ import annotations

import pytest

from bot.infra.errors import InvalidInput
from bot.members import service as members
from bot.members.numbers import MemberNumber
from tests.factories import build_world
from tests import ids


@pytest.fixture
def w(db, clock):
    with db.transaction() as session:
        yield build_world(session, clock.now())


def test_number_shows_role_unit_grid_and_building(w):
    n = MemberNumber.parse(w.m["bh3"].number)
    assert (n.role, n.community, n.grid, n.building) == (6, w.community.code, w.grid1.number, w.b3.code)
    cadre = MemberNumber.parse(w.m["cadre"].number)
    assert cadre.role == 2 and cadre.unit == 1 and cadre.grid == 1


def test_role_rules(w):
    with pytest.raises(InvalidInput, match="单位"):
        w.add_member("x", 2)
    with pytest.raises(InvalidInput, match="楼栋"):
        w.add_member("y", 6)
    with pytest.raises(InvalidInput, match="1–6"):
        w.add_member("z", 7)


def test_phones_are_cleaned_unique_and_masked(w):
    assert members.normalize_phone("+86 139-0000-1234") == "13900001234"
    assert members.normalize_phone("13900001234.0") == "13900001234"
    with pytest.raises(InvalidInput, match="手机号"):
        members.normalize_phone("12345")
    with pytest.raises(InvalidInput, match="已被"):
        members.create_member(w.session, name="dup", role=5, community=w.community, phone=w.m["gm1"].phone, now=w.now)
    assert members.mask_phone("13900001234") == "139****1234"


def test_moving_a_member_renumbers_them_but_keeps_the_sequence(w):
    v = w.m["volunteer"]
    before = MemberNumber.parse(v.number)
    v.grid_id = w.grid2.id
    members.renumber(w.session, v)
    after = MemberNumber.parse(v.number)
    assert after.grid == w.grid2.number and after.seq == before.seq


def test_a_resident_who_binds_later_keeps_their_reports(w):
    from bot.members import binding

    issue = w.report(by="neighbour")
    volunteer = w.m["volunteer"]
    outcome = binding.bind_by_contact(w.session, ids.account(w.session, 5002), phone=volunteer.phone, owner_id=ids.account(w.session, 5002), now=w.now)
    assert outcome.status == "bound"
    assert w.r["neighbour"].member_id == volunteer.id
    assert issue.reporter_id == w.r["neighbour"].id
