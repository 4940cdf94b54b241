"""Numbers people type or send back to us (Q12, R5, a button's id, a community code), read strictly.

``str.isdigit()`` is true for 「²」 and 「①」, which ``int()`` then refuses, and a number of thirty
digits is a fine Python int that no database column holds. Both reached SQL (or crashed before
it) from a chat message, a button or a URL. Everything that turns outside text into a row id goes
through ``parse_id``: ASCII digits only, within the signed 64-bit range of the id columns.
"""

from __future__ import annotations

import re

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

_UNSIGNED = re.compile(r"[0-9]{1,19}")
_SIGNED = re.compile(r"-?[0-9]{1,19}")


def fits(value: int) -> bool:
    """A value every integer id column (64-bit) can hold."""
    return INT64_MIN <= value <= INT64_MAX


def parse_id(text: str | None, *, signed: bool = False) -> int | None:
    """``"12"`` → 12; None for anything but plain ASCII digits (``"²"``, ``"①"``, ``"１２"``,
    ``" 12"``, ``"+12"``) or a value out of the 64-bit range. ``signed`` allows a leading ``-``
    (chat ids of groups are negative)."""
    if not text or not (_SIGNED if signed else _UNSIGNED).fullmatch(text):
        return None
    value = int(text)
    return value if fits(value) else None
