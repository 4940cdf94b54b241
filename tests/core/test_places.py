"""Places: a building is found by every way residents write it."""

from __future__ import annotations

import pytest

from bot.places import service as places
from bot.infra.errors import InvalidInput
from tests.factories import build_world


@pytest.fixture
def w(db, clock):
    with db.transaction() as session:
        yield build_world(session, clock.now())


@pytest.mark.parametrize("ref", ["3栋", "三号楼", "3#", "３栋", "3幢", "三栋", "3号楼", "3#楼", "第3栋", "3"])
def test_every_way_of_writing_a_building_finds_it(w, ref):
    assert places.find_buildings(w.session, w.community.id, ref) == [w.b3]


def test_numbers_beyond_ten_and_custom_aliases(w):
    b12, _ = places.ensure_building(w.session, w.community, "十二栋", grid=w.grid1)
    b23, _ = places.ensure_building(w.session, w.community, "23号楼", grid=w.grid2)
    assert b12.number == "12" and places.find_buildings(w.session, w.community.id, "12#") == [b12]
    assert places.find_buildings(w.session, w.community.id, "二十三号楼") == [b23]
    places.add_alias(w.session, w.community.id, "building", b12.id, "老干部楼")
    assert places.find_buildings(w.session, w.community.id, "老干部楼") == [b12]
    assert places.find_buildings(w.session, w.community.id, "不存在楼") == []


def test_compounds_share_numbers_and_are_told_apart(w):
    cuiyuan, _ = places.ensure_compound(w.session, w.community, "翠苑小区", aliases=("翠苑",))
    other3, _ = places.ensure_building(w.session, w.community, "3栋", grid=w.grid2, compound=cuiyuan)
    assert set(b.id for b in places.find_buildings(w.session, w.community.id, "3栋")) == {w.b3.id, other3.id}
    assert places.find_buildings(w.session, w.community.id, "3栋", compound_id=cuiyuan.id) == [other3]
    assert places.find_compound(w.session, w.community.id, "翠苑") == cuiyuan
    assert places.find_compound(w.session, w.community.id, "阳光小区").name == "阳光花园"
    assert places.building_label(w.session, other3) == "翠苑小区3栋"


def test_ensure_is_idempotent_and_fills_a_missing_grid(w):
    b, created = places.ensure_building(w.session, w.community, "8栋")
    assert created and b.grid_id is None
    again, created = places.ensure_building(w.session, w.community, "八号楼", grid=w.grid1)
    assert again.id == b.id and not created and again.grid_id == w.grid1.id
    assert b.code == 3  # codes count up inside the community


def test_grids_by_name_or_number(w):
    assert places.find_grid(w.session, w.community.id, "第一网格") == w.grid1
    assert places.find_grid(w.session, w.community.id, "2") == w.grid2
    assert places.find_grid(w.session, w.community.id, "二网格") == w.grid2
    g, created = places.ensure_grid(w.session, w.community, "第5网格")
    assert created and g.number == 5


def test_duplicate_or_empty_community_is_refused(w):
    with pytest.raises(InvalidInput, match="已存在"):
        places.create_community(w.session, "白庙社区", now=w.now)
    with pytest.raises(InvalidInput):
        places.create_community(w.session, " ", now=w.now)


def test_gazetteer_lists_compound_and_building_aliases(w):
    b12, _ = places.ensure_building(w.session, w.community, "12栋", aliases=("老干部楼",))
    gaz = places.gazetteer(w.session, w.community.id)
    assert gaz["compounds"] == {"阳光花园": "阳光花园", "阳光小区": "阳光花园"}
    assert gaz["buildings"] == {"老干部楼": "12"}
