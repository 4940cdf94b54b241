"""Two corrections of the category model, where naming someone is not what a message is about.

- A message that names 物业 is still about its problem: a broken lift is a facility, a blocked
  fire lane a safety matter. ``property`` is the company's own doing — its fees, its staff, its
  phones, its attitude — so it stays only when the message speaks of those or names no thing.
- A utility bill is never a wish: it is the property company's (物业费, bills it collects) or
  the utility's (other).
"""

from __future__ import annotations

import re

from .problems import signature

BILL = re.compile(r"水费|电费|燃气费|煤气费|暖气费|取暖费|供暖费|水电费|水电气|物业费|话费|电话费|网费|宽带费|有线电视费|账单")
# What makes a message about the property company itself, even when it also names a thing.
_PROPERTY_MATTER = re.compile(
    r"费|收钱|钱|账|发票|公示|公开|涨价|乱收|多收|态度|骂|凶|电话|打不通|没人接|不接|推诿|推脱|不作为|敷衍|"
    r"保安|门卫|保洁|客服|管家|前台|经理|合同|业委会|业主大会|换物业|服务"
)
# Things that belong to the company's service rather than to the shared installations.
_SERVICE_THINGS = frozenset(
    {"property_fee", "parking_fee", "utility_bill", "public_income", "property_phone", "front_desk",
     "repair_request", "guard", "cleaner", "notice_board"}
)


# 物业 as the one who did something (物业把绿地租出去, 物业强制…), not as whom the message calls on.
_ACTOR = re.compile(
    r"物业(?:公司)?(?:擅自|私自|强制|偷偷|突然|把|将|让|要求|收|不退|拒|承包|租|卖|停|撤|换|只|从不|不给)"
)


def property_is_a_name(text: str) -> bool:
    """True when normalised ``text`` calls on 物业 about a thing, not about the company's doing."""
    if "物业" not in text or _ACTOR.search(text) or _PROPERTY_MATTER.search(text.replace("物业", "")):
        return False
    return bool(signature(text).objects - _SERVICE_THINGS)


def bill_category(text: str) -> str:
    """The category of a message about a bill: the property company's, or the utility's."""
    return "property" if "物业" in text else "other"
