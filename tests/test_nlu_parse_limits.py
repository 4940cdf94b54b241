"""A line of any length is read, as far as a message can go (the parser reads the first
``READ_CHARS``: no chat message is longer, and the longest text the model was built from is 3,048)."""

from bot.nlu import get_parser
from bot.nlu.parser import READ_CHARS
from bot.nlu.problems import signature
from bot.nlu.text import normalize


def test_a_line_longer_than_any_message_is_read_as_its_first_part():
    parser = get_parser()
    long = "3栋2单元楼道灯坏了好几天了" + "1" * 50_000
    assert parser.parse(long) == parser.parse(long[:READ_CHARS])
    assert parser.parse(long).place.building == "3"


def test_a_run_of_letters_is_no_address_of_a_thing():
    # the address blanking reads a run from its start: 「ab12栋」 is one address, a long run of letters none
    assert signature(normalize("a" * 5000 + " 楼道灯坏了")).objects == signature(normalize("楼道灯坏了")).objects
