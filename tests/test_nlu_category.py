"""Category corrections of issue 10: naming 物业 does not make a report about the company, and a
utility bill is never a wish; a range of buildings is no single building."""

import pytest

from bot.nlu import get_parser
from bot.nlu.category import property_is_a_name
from bot.nlu.text import normalize


@pytest.mark.parametrize(
    "text, category",
    [
        ("物业快来看看，5号楼的电梯又卡住不动了", "facility"),
        ("@物业 消防通道又被私家车堵死了，真着火了消防车都进不来", "safety"),
        ("物业能不能安排一下，地下室老鼠太多了", "sanitation"),
    ],
)
def test_naming_the_property_company_keeps_the_problem_category(text, category):
    r = get_parser().parse(text)
    assert (r.intent, r.category) == ("issue", category)


@pytest.mark.parametrize(
    "text",
    ["物业费涨了也不开业主大会", "物业把小区的篮球场租给外面的培训班了", "物业前台的态度太差了，问两句就不耐烦"],
)
def test_the_company_s_own_doing_is_property(text):
    assert not property_is_a_name(normalize(text))
    assert get_parser().parse(text).category == "property"


@pytest.mark.parametrize(
    "text", ["这个月水费怎么比上个月多了一倍", "能不能帮我交一下这个月的电费，钱转你", "物业代收的电费比电网贵"],
)
def test_a_utility_bill_is_never_a_wish(text):
    r = get_parser().parse(text)
    assert r.intent != "wish"
    if r.intent == "issue":
        assert r.category in ("property", "other")


@pytest.mark.parametrize("text", ["1-10栋明天停水，大家提前接水", "5号楼至9号楼明天停气", "3~8栋电梯年检，分时停运"])
def test_a_range_of_buildings_is_no_single_building(text):
    assert get_parser().parse(text).place.building == ""
