"""Duplicate reports: same place, same kind of problem, different words."""

from bot.nlu import get_parser, same_issue


def test_same_place_same_problem_different_words():
    s = same_issue("5栋门口垃圾好多", "五幢楼下垃圾堆成山了没人管")
    assert s.same and 0.0 <= s.score <= 1.0


def test_other_building_is_another_issue():
    assert not same_issue("5栋门口垃圾好多", "6栋门口垃圾好多").same


def test_other_problem_at_same_place_is_another_issue():
    assert not same_issue("5栋门口垃圾好多", "5栋电梯坏了").same


def test_scores_rank_the_duplicate_above_the_stranger():
    dup = same_issue("3栋楼道灯坏了", "三号楼楼道里灯不亮，黑漆漆的")
    other = same_issue("3栋楼道灯坏了", "三号楼楼上天天半夜蹦迪")
    assert dup.same and not other.same and dup.score > other.score


def test_accepts_parse_results():
    p = get_parser()
    a, b = p.parse_many(["8栋电梯困人了", "八号楼电梯里有人被困住了"])
    assert same_issue(a, b).same


def test_chatter_is_never_a_duplicate():
    assert not same_issue("3栋电梯修好了，谢谢物业", "3栋电梯修好了，谢谢物业").same


def test_sharing_only_the_address_is_not_the_same_issue():
    # same building, unit and category (facility): the address words must not make them one
    light = "3栋2单元楼道灯坏了好几天了，晚上黑漆漆的"
    assert not same_issue(light, "阳光花园3栋2单元的单元门关不上了，风一吹哐哐响").same
    assert same_issue(light, "三号楼二单元楼道的灯还是不亮").same
