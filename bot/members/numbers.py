"""The member number: "见号知身份、知单位、知网格、知楼栋".

Format ``R-CCC-UUU-GG-BBB-NNNN``, e.g. ``6-012-000-03-005-0042``:

=====  =====================================================================
R      role, 1–6 (1 包联区领导 … 6 楼栋长)
CCC    community code, 001–999
UUU    work unit code for role 2 (包联/驻地单位人员), 001–999; ``000`` for every other role
GG     grid number inside the community, 01–99; ``00`` = not tied to a grid
BBB    building code inside the community, 001–999; ``000`` = none (required for role 6)
NNNN   sequence inside the community, 0001–9999
=====  =====================================================================

``str(MemberNumber.parse(s)) == s`` for every valid ``s``, and every malformed number is
refused with the reason, in Chinese, because members type them into the chat.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from models.members import ROLE_NAMES_ZH, Role

from bot.infra.errors import InvalidInput

FORMAT_HINT = "R-CCC-UUU-GG-BBB-NNNN（例如 6-012-000-03-005-0042）"
_SHAPE = re.compile(r"^(\d)-(\d{3})-(\d{3})-(\d{2})-(\d{3})-(\d{4})$")


class InvalidMemberNumber(InvalidInput):
    pass


@dataclass(frozen=True)
class MemberNumber:
    role: int
    community: int
    unit: int
    grid: int
    building: int
    seq: int

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise InvalidMemberNumber(f"会员编号无效：{problem}")

    def _problem(self) -> str | None:
        if not 1 <= self.role <= 6:
            return "第1段角色须为 1–6"
        if not 1 <= self.community <= 999:
            return "第2段社区代码须为 001–999"
        if self.role == Role.unit_cadre and not 1 <= self.unit <= 999:
            return "2号红管家（包联单位人员）第3段须为单位代码 001–999"
        if self.role != Role.unit_cadre and self.unit != 0:
            return "只有2号红管家带单位代码，其他角色第3段应为 000"
        if not 0 <= self.grid <= 99:
            return "第4段网格号须为 00–99"
        if not 0 <= self.building <= 999:
            return "第5段楼栋代码须为 000–999"
        if self.role == Role.building_head and self.building == 0:
            return "6号红管家（楼栋长）第5段须为楼栋代码，不能为 000"
        if not 1 <= self.seq <= 9999:
            return "第6段序号须为 0001–9999"
        return None

    def __str__(self) -> str:
        return (
            f"{self.role}-{self.community:03d}-{self.unit:03d}-"
            f"{self.grid:02d}-{self.building:03d}-{self.seq:04d}"
        )

    @classmethod
    def parse(cls, text: str) -> MemberNumber:
        """Exactly the printed form; see ``parse_typed`` for what people type."""
        m = _SHAPE.match(text)
        if not m:
            raise InvalidMemberNumber(f"会员编号格式应为 {FORMAT_HINT}，收到「{text}」")
        return cls(*(int(g) for g in m.groups()))

    @classmethod
    def parse_typed(cls, text: str) -> MemberNumber:
        """Tolerates full-width digits, spaces and other dashes (「６－０１２ …」)."""
        cleaned = unicodedata.normalize("NFKC", text).strip()
        cleaned = re.sub(r"\s*[－—–_~·.]\s*|\s+", "-", cleaned)
        return cls.parse(cleaned)

    def describe(self) -> str:
        """见号知身份: what the number says, without looking anything up."""
        parts = [f"{self.role}号红管家（{ROLE_NAMES_ZH[Role(self.role)]}）", f"社区代码 {self.community:03d}"]
        if self.unit:
            parts.append(f"单位代码 {self.unit:03d}")
        parts.append(f"第 {self.grid} 网格" if self.grid else "不分网格")
        if self.building:
            parts.append(f"楼栋代码 {self.building:03d}")
        parts.append(f"序号 {self.seq}")
        return "，".join(parts)
