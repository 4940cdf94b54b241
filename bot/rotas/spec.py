"""What a rota is, in words people write: one parser serves the chat command, the spreadsheet
import and the JSON API, so 「每周一三五」「20:00-22:00」「2人」 mean the same everywhere."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.infra.errors import InvalidInput
from bot.places.service import chinese_number
from models import DAILY, ROTA_KIND_ZH, Member, MemberStatus, RotaKind

from ..members import numbers

KIND_WORDS: dict[str, str] = {
    **{zh: k.value for k, zh in ROTA_KIND_ZH.items()},
    **{k.value: k.value for k in RotaKind},
    "巡查": RotaKind.patrol, "巡察": RotaKind.patrol, "巡逻队": RotaKind.patrol, "义务巡逻": RotaKind.patrol,
    "夜巡": RotaKind.patrol, "值守": RotaKind.checkpoint, "卡口": RotaKind.checkpoint,
    "卡口值守队": RotaKind.checkpoint, "配送": RotaKind.delivery, "物资配送队": RotaKind.delivery,
    "秩序": RotaKind.order, "秩序维护队": RotaKind.order, "值班室": RotaKind.duty,
}

# more than size is a short shift by design (the team is asked for the rest); more than the team is
# a shift nobody can fill: every one would end in calls and escalations
QUORUM_ABOVE_TEAM = "最少人数（{quorum}人）多于队员人数（{team}人）：每一班都凑不齐，会天天催人、层层上报"
# the same, reached by taking people off the team: say how to get there
QUORUM_ABOVE_REMAINING = (QUORUM_ABOVE_TEAM + "。请先调低人数（/rota {code} 人数 {team}），再移出队员")
_DAY_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7, "七": 7}
_EN_DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_WEEKDAY_ZH = "一二三四五六日"


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


def parse_kind(text: str) -> str | None:
    return KIND_WORDS.get(norm(text))


def parse_weekdays(text: str) -> str | None:
    """「每天」→"1234567"; 「工作日」→"12345"; 「周末」; 「每周一」「周一三五」「星期二、四」; mon,wed."""
    t = norm(text)
    if t in ("每天", "每日", "天天", "daily", "everyday", "每天一班"):
        return DAILY
    if t in ("工作日", "weekdays", "周一至周五", "周一到周五"):
        return "12345"
    if t in ("周末", "weekend", "weekends", "双休日"):
        return "67"
    m = re.fullmatch(r"(?:每)?(?:周|星期|礼拜)((?:[一二三四五六日天七1-7][、,/和及]?)+)", t)
    if m:
        days = {_DAY_DIGITS.get(c) or int(c) for c in m.group(1) if c in _DAY_DIGITS or c.isdigit()}
        return "".join(str(d) for d in sorted(days)) if days else None
    parts = re.split(r"[,/、]", t)
    if parts and all(p[:3] in _EN_DAYS for p in parts if p):
        return "".join(str(d) for d in sorted({_EN_DAYS[p[:3]] for p in parts if p})) or None
    return None


def describe_weekdays(weekdays: str) -> str:
    if weekdays == DAILY:
        return "每天"
    if weekdays == "12345":
        return "工作日"
    if weekdays == "67":
        return "周末"
    return "每周" + "、".join(_WEEKDAY_ZH[int(d) - 1] for d in weekdays)


_CLOCK = re.compile(r"^(?:(次日|翌日|第二天))?(\d{1,2})(?::(\d{2})(?::(\d{2}))?|点(半|(\d{1,2})分?)?|时)$")


def parse_clock(text: str) -> tuple[time, bool] | None:
    """「20:00」「8点」「8点半」「次日02:00」 → (time, next day?)."""
    m = _CLOCK.match(norm(text))
    if not m:
        return None
    hour = int(m.group(2))
    minute = int(m.group(3) or (30 if m.group(5) == "半" else m.group(6) or 0))
    second = int(m.group(4) or 0)
    if hour == 24 and minute == 0:
        return time(0, 0), True
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second), bool(m.group(1))


def parse_times(text: str) -> tuple[time, int | None] | None:
    """「20:00」 → (20:00, None); 「20:00-22:00」 → (20:00, 120); 「22:00-06:00」 crosses midnight."""
    t = norm(text)
    parts = re.split(r"[-~～—–到至]", t, maxsplit=1)
    start = parse_clock(parts[0])
    if start is None or start[1]:
        return None
    if len(parts) == 1:
        return start[0], None
    end = parse_clock(parts[1])
    if end is None:
        return None
    s, e = start[0], end[0]
    minutes = (e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) + (e.second - s.second) // 60
    if minutes <= 0 or end[1]:
        minutes += 24 * 60
    if not 0 < minutes <= 24 * 60:
        return None
    return s, minutes


def parse_duration(text: str) -> int | None:
    """「2小时」「1.5h」「90分钟」「2小时30分」「半小时」 → minutes."""
    t = norm(text)
    if t in ("半小时", "半个小时"):
        return 30
    m = re.fullmatch(r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)(?:个)?(?:小时|钟头|h|hr|hrs|hour|hours)"
                     r"(?:(\d+)(?:分钟|分|min|m))?", t)
    if m:
        num = m.group(1)
        hours = float(num) if num[0].isdigit() else chinese_number(num)
        if hours is None:
            return None
        return int(round(hours * 60)) + int(m.group(2) or 0) or None
    m = re.fullmatch(r"(\d+)(?:分钟|分|min|mins|minutes|m)", t)
    return int(m.group(1)) or None if m else None


def parse_size(text: str) -> int | None:
    """「2人」「两人」「每班2人」 → 2."""
    m = re.fullmatch(r"(?:每班|每次)?(\d+|[一二两三四五六七八九十])(?:个)?人(?:一班|一组)?", norm(text))
    if not m:
        return None
    n = int(m.group(1)) if m.group(1).isdigit() else chinese_number(m.group(1))
    return n if n and 1 <= n <= 20 else None


# --- dates (away periods, first day) -----------------------------------------------------

_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}


def parse_date(text: str, today: date) -> date | None:
    """「2026-12-01」「12-01」「12/1」「12月1日」「明天」 → a date (this year, or next when past)."""
    t = norm(text)
    if t in _RELATIVE:
        return today + timedelta(days=_RELATIVE[t])
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?", t)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})[日号]?", t)
        if m:
            d = date(today.year, int(m.group(1)), int(m.group(2)))
            return d if d >= today - timedelta(days=180) else date(today.year + 1, d.month, d.day)
        m = re.fullmatch(r"(\d{1,2})[日号]", t)
        if m:
            d = date(today.year, today.month, int(m.group(1)))
            if d < today:
                d = date(today.year + (today.month == 12), today.month % 12 + 1, d.day)
            return d
    except ValueError:
        return None
    return None


def parse_date_range(text: str, today: date) -> tuple[date, date]:
    """「12-01 12-05」「12月1日到12月5日」「明天」「12-03」 → (first, last), inclusive."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    parts = [p for p in re.split(r"\s*(?:到|至|~|～|—|–|\s+|(?<=[日号天])-|(?<=\d{2})-(?=\d{4}-))\s*", t) if p]
    if len(parts) == 3 and all(p.isdigit() for p in parts):  # "2026-12-01" split by the last rule
        parts = [t]
    if len(parts) == 4 and all(re.fullmatch(r"\d{1,2}", p) for p in parts):  # "12-01-12-05"
        parts = [f"{parts[0]}-{parts[1]}", f"{parts[2]}-{parts[3]}"]
    if not parts or len(parts) > 2:
        raise InvalidInput("日期看不懂，请写成 /away 12-01 12-05 或 /away 明天")
    first = parse_date(parts[0], today)
    last = parse_date(parts[-1], today) if len(parts) == 2 else first
    if first is None or last is None:
        raise InvalidInput(f"日期「{text.strip()}」看不懂，请写成 12-01、12月1日 或 明天")
    if last < first:
        raise InvalidInput("结束日期早于开始日期")
    if (last - first).days > 366:
        raise InvalidInput("一次请假不能超过一年")
    return first, last


# --- members by number or name -----------------------------------------------------------


def find_member(session: Session, community_id: int, ref: str) -> Member:
    """A member of this community by member number or (unique) name."""
    ref = ref.strip().lstrip("@")
    if re.match(r"^\d[-－\s]?\d{3}", ref):  # looks like a member number
        found = session.exec(
            select(Member).where(Member.number == str(numbers.MemberNumber.parse_typed(ref)))
        ).first()
        if found is None or found.community_id != community_id:
            raise InvalidInput(f"本社区没有编号为 {ref} 的红管家")
        return found
    found = list(
        session.exec(
            select(Member).where(
                Member.community_id == community_id, Member.name == ref, Member.status != MemberStatus.left
            )
        ).all()
    )
    if not found:
        raise InvalidInput(f"本社区没有叫「{ref}」的红管家")
    if len(found) > 1:
        raise InvalidInput(f"本社区有 {len(found)} 位「{ref}」，请改用会员编号")
    return found[0]


def split_names(text: str) -> list[str]:
    return [p for p in re.split(r"[\s、,，;；/]+", unicodedata.normalize("NFKC", text or "").strip()) if p]


def find_members(session: Session, community_id: int, refs: list[str]) -> tuple[list[Member], list[str]]:
    """Members in the order given (repeats dropped), and the reasons for the refs not found."""
    found, errors, seen = [], [], set()
    for ref in refs:
        try:
            member = find_member(session, community_id, ref)
        except InvalidInput as err:
            errors.append(str(err))
            continue
        if member.id not in seen:
            seen.add(member.id)
            found.append(member)
    return found, errors


# --- the spec ----------------------------------------------------------------------------


@dataclass
class RotaSpec:
    """Everything needed to create a rota; ``team`` holds member ids in turn order."""

    community_id: int
    name: str
    kind: str
    weekdays: str
    start_time: time
    duration_minutes: int
    size: int = 1
    quorum: int | None = None  # default: ``size``
    grid_id: int | None = None
    building_id: int | None = None
    timezone: str = "Asia/Shanghai"
    starts_on: date | None = None  # default: today
    ends_on: date | None = None
    team: list[int] = field(default_factory=list)

    def check(self) -> None:
        problems = []
        if not self.name.strip():
            problems.append("名称为空")
        elif len(self.name) > 64:
            problems.append("名称超过64个字")
        if self.kind not in {k.value for k in RotaKind}:
            problems.append(f"类型「{self.kind}」无法识别")
        if not self.weekdays or not set(self.weekdays) <= set(DAILY):
            problems.append("节奏无法识别")
        if not 0 < self.duration_minutes <= 24 * 60:
            problems.append("时长须在1分钟到24小时之间")
        if not 1 <= self.size <= 20:
            problems.append("每班人数须在1–20之间")
        if self.quorum is not None and not 1 <= self.quorum <= 20:
            problems.append("最少人数须在1–20之间")
        elif 1 <= self.size <= 20 and self.team and (self.quorum or self.size) > len(set(self.team)):
            problems.append(QUORUM_ABOVE_TEAM.format(quorum=self.quorum or self.size, team=len(set(self.team))))
        if not self.team:
            problems.append("没有队员")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            problems.append("结束日期早于开始日期")
        if not known_zone(self.timezone):
            problems.append(f"时区「{self.timezone}」无法识别（如 Asia/Shanghai）")
        if problems:
            raise InvalidInput("；".join(problems))


def known_zone(name: str) -> bool:
    """An IANA zone name ``ZoneInfo`` can load (it raises ValueError for paths, not only
    ZoneInfoNotFoundError for unknown names)."""
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


USAGE = (
    "用法：/newrota 名称 类型 节奏 时间 [时长] [N人] [网格] 队员…\n"
    "例如：/newrota 阳光花园夜巡 巡逻 每天 20:00-22:00 2人 张三 李四 王五 赵六\n"
    "类型：巡逻/值班/卡口值守/物资配送/秩序维护；节奏：每天/工作日/周末/每周一三五；"
    "时间：20:00-22:00，或 20:00 加 2小时；队员：姓名或会员编号"
)


def parse_words(
    session: Session, community_id: int, words: list[str], *, find_grid, find_building
) -> tuple[dict, list[str]]:
    """The one-line form (``/newrota``). Words are recognised by their shape, in any order; the
    first word that is nothing else is the name, the rest are team members. Returns the fields
    found and the problems (all of them, so one answer lists everything to fix)."""
    out: dict = {"team_refs": []}
    problems: list[str] = []
    for word in words:
        if "kind" not in out and parse_kind(word):
            out["kind"] = parse_kind(word)
        elif "weekdays" not in out and parse_weekdays(word):
            out["weekdays"] = parse_weekdays(word)
        elif "start_time" not in out and parse_times(word):
            out["start_time"], minutes = parse_times(word)
            if minutes:
                out["duration_minutes"] = minutes
        elif "duration_minutes" not in out and parse_duration(word):
            out["duration_minutes"] = parse_duration(word)
        elif "size" not in out and parse_size(word):
            out["size"] = parse_size(word)
        elif re.fullmatch(r"(?:最少|至少)(\d+)人?", norm(word)):
            out["quorum"] = int(re.fullmatch(r"(?:最少|至少)(\d+)人?", norm(word)).group(1))
        elif "grid_id" not in out and re.search(r"网格|格$", word) and find_grid(word) is not None:
            out["grid_id"] = find_grid(word).id
        elif "building_id" not in out and re.search(r"[栋幢#]|号楼", word) and find_building(word) is not None:
            building = find_building(word)
            out["building_id"] = building.id
            out.setdefault("grid_id", building.grid_id)
        elif "name" not in out:
            out["name"] = word
        else:
            out["team_refs"].append(word)
    for key, label in (("name", "名称"), ("kind", "类型"), ("weekdays", "节奏"), ("start_time", "开始时间"),
                       ("duration_minutes", "时长（如 20:00-22:00 或 2小时）")):
        if key not in out:
            problems.append(f"缺少{label}")
    if not out["team_refs"]:
        problems.append("缺少队员")
    members, errors = find_members(session, community_id, out["team_refs"])
    out["team"] = [m.id for m in members]
    problems.extend(errors)
    return out, problems
