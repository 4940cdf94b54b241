"""Addresses as residents write them come out as Arabic-digit place fields."""

import pytest

from bot.nlu import Gazetteer, get_parser

GAZ = Gazetteer(
    compounds={"阳光花园": "阳光花园", "阳光小区": "阳光花园", "翠苑": "翠苑"},
    buildings={"老干部楼": "12"},
)


def place(text, gaz=GAZ):
    d = get_parser().parse(text, gaz).place.to_dict()
    return {k: v for k, v in d.items() if v}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3栋2单元楼道灯坏了好几天了", {"building": "3", "unit": "2"}),
        ("三栋二单元的灯不亮", {"building": "3", "unit": "2"}),
        ("3幢门口垃圾没人收", {"building": "3"}),
        ("三号楼电梯坏了", {"building": "3"}),
        ("3#楼电梯坏了", {"building": "3"}),
        ("３栋２单元停水了", {"building": "3", "unit": "2"}),
        ("十二栋一单元声控灯不亮", {"building": "12", "unit": "1"}),
        ("二十三号楼电梯按钮失灵", {"building": "23"}),
        ("5栋501门口有垃圾", {"building": "5", "room": "501"}),
        ("7号楼三单元五零一楼上漏水", {"building": "7", "unit": "3", "room": "501"}),
        ("我住3栋5楼501，楼上太吵", {"building": "3", "floor": "5", "room": "501"}),
        ("4-2-301厨房着火", {"building": "4", "unit": "2", "room": "301"}),
        ("8栋2-301门口水管破了", {"building": "8", "unit": "2", "room": "301"}),
        ("阳光小区5栋电梯困人", {"compound": "阳光花园", "building": "5"}),
        ("老干部楼二单元扶手断了", {"building": "12", "unit": "2"}),
        ("住在向阳新村9栋，单元门坏了", {"compound": "向阳新村", "building": "9"}),
        ("两栋楼中间的路灯不亮，就是4栋和5栋中间", {"building": "4"}),
        ("A座大堂的玻璃门碎了", {"building": "A"}),
        ("b栋3单元楼道灯坏了", {"building": "B", "unit": "3"}),
        ("闻到一股臭鸡蛋味 在C座12楼", {"building": "C", "floor": "12"}),
        ("电梯突然往下掉了一层", {}),
        # in 天津 and 北京 a building's entrance (门) is its unit, right after the building
        ("12号楼3门的楼道灯坏了", {"building": "12", "unit": "3"}),
        ("3号楼2门401 我妈倒地上了", {"building": "3", "unit": "2", "room": "401"}),
        ("老干部楼二门扶手断了", {"building": "12", "unit": "2"}),
        ("小区2号门的道闸坏了", {}),  # a gate
        ("3栋402门缝往外冒烟", {"building": "3", "room": "402"}),  # a flat's door
    ],
)
def test_address_forms(text, expected):
    assert place(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3栋", {"building": "3"}),
        ("在5号楼", {"building": "5"}),
        ("阳光花园三号楼二单元", {"compound": "阳光花园", "building": "3", "unit": "2"}),
        ("五零一", {"room": "501"}),
        ("翠苑6栋", {"compound": "翠苑", "building": "6"}),
        ("在B座2单元", {"building": "B", "unit": "2"}),
    ],
)
def test_short_answers_to_which_building(text, expected):
    # The bot reads the reply to 「在哪栋楼？」 with the parser: a bare address is a place,
    # and not a new report.
    r = get_parser().parse(text, GAZ)
    assert {k: v for k, v in r.place.to_dict().items() if v} == expected
    assert r.intent == "chatter"


@pytest.mark.parametrize(
    "text",
    ["厚厚一层灰", "两栋楼之间", "晚上十点以后小区里没车位", "666", "村里的一座石拱桥裂了", "8:00-18:00停电"],
)
def test_no_place_invented(text):
    r = get_parser().parse(text)
    assert r.place.building == "" and r.place.room == "" and r.place.compound == ""


def test_gazetteer_is_optional_and_pattern_compounds_still_found():
    assert place("碧水苑2号楼楼道灯坏了", None) == {"compound": "碧水苑", "building": "2"}
