"""Importing members from a roster spreadsheet as a community office keeps it, all or nothing.

The sheet may have title rows above the header, merged cells, headers in the office's own words
(联系电话, 所在网格, 工作单位 …) and columns the bot does not use (序号, 性别, 身份证号, 备注): those are
ignored, listed once in the report, and never stored. Every problem is reported by its row number
as the spreadsheet shows it and the column header as the office wrote it (「第5行 单位：…」), in
terms of what was filled in — never of the member number built from it. Nothing is written
unless every row is good; importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from bot import identities
from bot.infra.errors import DomainError, InvalidInput
from bot.infra.spreadsheets import Columns, RowError, RowsRejected, cell_text, match_columns, read_table
from bot.members import binding
from bot.members import service as members
from bot.members.numbers import InvalidMemberNumber
from bot.members.service import Titles
from bot.places import service as places
from models import ROLE_NAMES_ZH, ChatAccount, Grid, Member, Role

TELEGRAM = "telegram"  # the roster's 电报ID column names Telegram accounts

# The field's own name first, then the spellings offices use; when a sheet has two columns for one
# field (手机号 and 联系电话), the one listed earlier here is read and the other ignored.
FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name", "名字", "红管家姓名", "成员姓名", "人员姓名"),
    "phone": ("手机号", "phone", "手机号码", "手机", "mobile", "移动电话", "联系电话", "电话",
              "联系方式", "电话号码", "联系号码", "tel"),
    "role": ("角色", "role", "红管家类别", "红管家类型", "红管家角色", "人员类别", "人员类型", "类别", "身份",
             "类型"),
    "community": ("社区", "community", "所属社区", "所在社区", "社区名称", "社区(村)", "村(社区)",
                  "村/社区", "社区/村", "所属村(社区)", "村"),
    "grid": ("网格", "grid", "所在网格", "所属网格", "网格名称", "网格号"),
    "building": ("楼栋", "building", "楼栋号", "所在楼栋", "负责楼栋", "所管楼栋", "楼号", "楼栋名称", "楼栋(号)"),
    "unit": ("单位", "unit", "work_unit", "工作单位", "所在单位", "所属单位", "单位名称", "包联单位",
             "驻地单位", "包联(驻地)单位"),
    "compound": ("小区", "compound", "所在小区", "所属小区", "小区名称"),
    "title": ("职务", "title", "岗位", "职位", "职务/岗位", "position"),
    "telegram_id": ("电报ID", "telegram_id", "tg_id", "telegram"),
}
REQUIRED = ("name", "phone", "role", "community")
LIMITS = {"name": 64, "community": 64, "grid": 64, "compound": 64, "unit": 64, "title": 64}
BUILDING_LIMIT = 16  # what is left of 「阳光花园3栋2单元」 once compound and entrance are taken off
MAX_SEQ = 9999  # members per community (the number's sequence)

_CN = "一二三四五六七八九十两"
_SEPARATORS = r"[、,，;；/／|｜]+"


def _key(text: str) -> str:
    """A role or title as written, without the brackets, slashes and spaces offices vary."""
    t = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s()（）/／、·\-—_\"“”「」]+", "", t)


_ROLE_WORDS: dict[str, tuple[int, Titles]] = {}
for _role, _words in {
    1: ("包联区领导", "区领导", "包联领导", "包联区级领导", "区级领导", "包保领导", "包联区领导干部"),
    2: ("包联单位人员", "驻地单位人员", "包联(驻地)单位人员", "包联/驻地单位人员", "单位人员", "机关干部",
        "包联干部", "包联单位干部", "驻地单位干部", "下沉干部", "包联/驻地单位干部"),
    3: ("社区工作人员", "村工作人员", "村(社区)工作人员", "村/社区工作人员", "社区干部", "村干部",
        "社区工作者", "居委会工作人员", "社区书记", "社区主任", "村书记", "村主任"),
    4: ("议事团队成员", "议事成员", "议事会成员", "居民议事会成员", "议事团成员", "议事员"),
    5: ("热心居民", "志愿者", "居民", "党员志愿者", "居民志愿者", "热心群众"),
    6: ("楼栋长", "楼长", "栋长"),
}.items():
    for _w in _words:
        _ROLE_WORDS[_key(_w)] = (_role, Titles())
for _w in ("网格员", "网格长", "专职网格员", "社区网格员", "网格管理员"):
    _ROLE_WORDS[_key(_w)] = (3, Titles(grid_manager=True))
for _w in ("工作室管理员", "红管家工作室管理员", "社区工作室管理员"):
    _ROLE_WORDS[_key(_w)] = (3, Titles(office_admin=True))
for _w in ("调解员", "金牌调解员", "人民调解员"):
    _ROLE_WORDS[_key(_w)] = (4, Titles(mediator=True))

_POSITION_WORDS = r"书记|主任|科员|科长|局长|区长|委员|干事|部长|站长|所长|主席|组长"
ROLE_HINT = "填 1–6 或 包联区领导/包联单位人员/社区工作人员/网格员/议事团队成员/金牌调解员/热心居民/楼栋长"


def parse_role(text: str) -> tuple[int, Titles]:
    """「3」「3号」「三号红管家」「网格长」「包联（驻地）单位人员」 → (role, titles it implies)."""
    t = _key(text)
    for i, digit in enumerate(_CN[:6], start=1):
        t = re.sub(rf"^(第?){digit}(?=号|类)", rf"\g<1>{i}", t)
    m = re.fullmatch(r"(?:红管家)?第?([1-6])(?:号|类)?(?:红管家)?", t)
    if m:
        return int(m.group(1)), Titles()
    if t in _ROLE_WORDS:
        return _ROLE_WORDS[t]
    if re.search(_POSITION_WORDS, t):
        raise InvalidInput(f"「{shown(text)}」是职务，不是红管家角色：职务请填在职务列，这里{ROLE_HINT}")
    raise InvalidInput(f"「{shown(text)}」无法识别（{ROLE_HINT}）")


def parse_titles(text: str) -> Titles:
    """The titles the bot acts on, found in a 职务 such as 「书记、网格员」; other words (书记, 主任,
    科员 …) are kept as the member's position and grant nothing. Only the office's own words make an
    office admin, so a 「物业管理员」 does not."""
    flags = {}
    for word in filter(None, (_key(w) for w in re.split(_SEPARATORS, text))):
        if re.fullmatch(r".{0,8}网格(?:员|长)", word):
            flags["grid_manager"] = True
        elif word.endswith("调解员"):
            flags["mediator"] = True
        elif word in ("管理员", "工作室管理员", "红管家工作室管理员", "社区工作室管理员"):
            flags["office_admin"] = True
    return Titles(**flags)


_ID_NUMBER = re.compile(r"(?<![0-9])(?:\d{17}[\dXx]|\d{15})(?![0-9Xx])")


def shown(value: str, limit: int = 30) -> str:
    """A cell's value as an error may repeat it: short, and never an ID number."""
    if _ID_NUMBER.search(unicodedata.normalize("NFKC", value)):
        return "（像是身份证号，不显示）"
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def clean_name(text: str) -> str:
    """「张  三」(names padded to line up in a printed list) is 张三; 「Li  Na」 is Li Na."""
    text = " ".join(text.split())
    if re.fullmatch(r"[\u3400-\u9fff·• ]+", text):
        return text.replace(" ", "")
    return text


def clean_unit(text: str) -> str:
    """One spelling per unit: full-width brackets, single spaces (「区政府办 (区委办)」 is 区政府办（区委办）)."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    text = re.sub(r"\s*\(\s*", "（", text)
    return re.sub(r"\s*\)", "）", text)


def parse_phone(raw: str) -> str:
    """The mobile number in a cell: 「139 0724 0001」, 「+86-139…」, a number cell, or one mobile among
    several numbers (「13907240001 / 0724-2345678」)."""
    if _ID_NUMBER.search(unicodedata.normalize("NFKC", raw)):
        raise InvalidInput("填的像是身份证号（不显示），请填11位手机号")
    if re.fullmatch(r"\d(?:\.\d+)?[eE]\+?\d+", raw):
        raise InvalidInput(f"「{raw}」是科学计数法，号码的后几位已经丢了：请把这一列设为文本，重新填写号码")
    try:
        return members.normalize_phone(raw)
    except InvalidInput:
        pass
    found = set()
    for part in re.split(_SEPARATORS + r"|或|\s{2,}", raw):
        try:
            found.add(members.normalize_phone(part))
        except InvalidInput:
            continue
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        raise InvalidInput(f"「{shown(raw)}」里有几个手机号，请只留一个")
    digits = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", raw))
    if re.fullmatch(r"0\d{9,11}", digits):
        raise InvalidInput(f"「{shown(raw)}」是固定电话，请填11位手机号")
    raise InvalidInput(f"「{shown(raw)}」不是有效的11位手机号")


_BUILDING_WORD = r"(?:号楼|号栋|栋楼|栋|幢|座|#楼|#|号)"
_NUMBER = rf"(?:\d+|[{_CN}零〇百]+)"


def split_building(text: str, community: str) -> tuple[str, str]:
    """(compound, building) in a 楼栋 cell: 「3栋2单元」 is building 3 (reports go by building), and
    「阳光花园3栋」 is building 3 of 阳光花园. Several buildings are refused: a member has one."""
    t = places.normalize(text)
    if community and t.startswith(places.normalize(community)) and t != places.normalize(community):
        t = t[len(places.normalize(community)):]
    parts = [p for p in re.split(_SEPARATORS + r"|和|及", t) if p]
    if len(parts) > 1 or re.search(rf"\d+\s*[-~～至到]\s*\d+{_BUILDING_WORD}?$", t):
        raise InvalidInput(f"「{shown(text)}」是几栋楼，一位红管家只能填一栋")
    m = re.fullmatch(rf"(.*?{_NUMBER}{_BUILDING_WORD})(?:{_NUMBER}单元.*)", t)
    if m:
        t = m.group(1)
    if places.building_number(t) is not None:
        return "", t
    m = re.fullmatch(rf"(.{{2,}}?)((?:第)?{_NUMBER}{_BUILDING_WORD})", t)
    if m and places.building_number(m.group(2)) is not None:
        return m.group(1), m.group(2)
    return "", t


def clean_grid(text: str, community: str) -> str:
    """「白庙社区第一网格」 in a 所在网格 column is 第一网格 of 白庙社区."""
    t = places.normalize(text)
    c = places.normalize(community)
    return t[len(c):] if c and t.startswith(c) and len(t) > len(c) else t


@dataclass
class RosterRow:
    row: int
    name: str
    phone: str
    role: int
    titles: Titles
    community: str
    grid: str
    building: str
    compound: str
    unit: str
    telegram_id: int | None
    position: str = ""
    given: frozenset[str] = frozenset()  # the optional columns the sheet has: the others stay as they are


class RosterRejected(RowsRejected):
    what = "花名册"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    places_created: dict[str, int] = field(default_factory=lambda: {"社区": 0, "网格": 0, "小区": 0, "楼栋": 0, "单位": 0})
    dry_run: bool = False
    prebound: list[Member] = field(default_factory=list)  # chat accounts the 电报ID column bound
    header_row: int = 1
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)  # no member in them: only 序号, 备注 …
    section_rows: list[tuple[int, str]] = field(default_factory=list)  # 「第一网格」 merged across
    new_communities: list[str] = field(default_factory=list)  # named, so a misspelt one is seen


@dataclass
class ParsedRoster:
    rows: list[RosterRow]
    columns: Columns
    header_row: int
    skipped_rows: list[int]
    section_rows: list[tuple[int, str]]


class _CellError(InvalidInput):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column


def read_roster(path: Path, *, community: str = "") -> ParsedRoster:
    """Read and check every row; raises ``RosterRejected`` listing every problem. ``community``
    fills rows (or a whole sheet) without one."""
    table = read_table(path, FIELDS)
    required = tuple(f for f in REQUIRED if not (f == "community" and community))
    cols = match_columns(table, FIELDS, required)
    label = {name: cols.label(name, FIELDS) for name in FIELDS}
    errors: list[RowError] = []
    good: list[RosterRow] = []
    skipped: list[int] = []
    phones: dict[str, int] = {}
    telegram_ids: dict[int, int] = {}
    given = frozenset(cols.index)

    for number, cells in table.rows:
        value = {name: cell_text(cells[i]) if i < len(cells) else "" for name, i in cols.index.items()}
        if not any(value.values()):
            skipped.append(number)  # only columns the bot does not read: 序号 of an unused line, 备注
            continue
        get = lambda name: value.get(name, "")  # noqa: E731
        problems: list[tuple[str, str]] = []

        def bad(name: str, message: str) -> None:
            problems.append((name, message))

        for column, limit in LIMITS.items():
            if len(get(column)) > limit:
                bad(column, f"「{shown(get(column))}」太长（最多 {limit} 个字）")
        name = clean_name(get("name"))
        if not name:
            bad("name", "没有填写")
        elif re.search(r"\d{6,}", unicodedata.normalize("NFKC", name)):
            bad("name", "里面有一串数字（不显示），请只填姓名")
        phone = ""
        if not get("phone"):
            bad("phone", "没有填写")
        else:
            try:
                phone = parse_phone(get("phone"))
                if phone in phones:
                    bad("phone", f"与第{phones[phone]}行重复")
                else:
                    phones[phone] = number
            except InvalidInput as err:
                bad("phone", str(err))
        role, titles = 0, Titles()
        if not get("role"):
            bad("role", "没有填写")
        else:
            try:
                role, titles = parse_role(get("role"))
            except InvalidInput as err:
                bad("role", str(err))
        position = " ".join(get("title").split())
        extra = parse_titles(position)
        titles = Titles(titles.grid_manager or extra.grid_manager, titles.mediator or extra.mediator,
                        titles.office_admin or extra.office_admin)
        where = clean_name(get("community") or community)
        if not where:
            bad("community", "没有填写")
        unit = clean_unit(get("unit"))
        if role == Role.unit_cadre and not unit and "unit" in given:
            bad("unit", "2号红管家（包联单位人员）须填写所在单位")
        compound, building = places.normalize(get("compound")), ""
        if get("building"):
            try:
                in_cell, building = split_building(get("building"), where)
                if in_cell and compound and places.normalize(in_cell) != compound:
                    bad("building", f"「{shown(get('building'))}」与{label['compound']}「{shown(get('compound'))}」不一致")
                compound = compound or in_cell
                if len(building) > BUILDING_LIMIT or len(compound) > LIMITS["compound"]:
                    bad("building", f"「{shown(get('building'))}」太长（楼栋最多 {BUILDING_LIMIT} 个字）")
            except InvalidInput as err:
                bad("building", str(err))
        elif role == Role.building_head and "building" in given:
            bad("building", "6号红管家（楼栋长）须填写所管楼栋")
        telegram_id = None
        raw_tg = get("telegram_id")
        if raw_tg:
            if re.fullmatch(r"\d{1,15}", raw_tg):
                telegram_id = int(raw_tg)
                if telegram_id in telegram_ids:
                    bad("telegram_id", f"与第{telegram_ids[telegram_id]}行重复")
                else:
                    telegram_ids[telegram_id] = number
            else:
                bad("telegram_id", f"「{shown(raw_tg)}」应为数字")
        if problems:
            errors.extend(RowError(number, message, label[name]) for name, message in problems)
            continue
        good.append(RosterRow(
            number, name, phone, role, titles, where, clean_grid(get("grid"), where), building, compound,
            unit, telegram_id, position=position, given=given,
        ))
    if errors:
        raise RosterRejected(errors)
    if not good:
        raise InvalidInput("花名册没有数据行")
    return ParsedRoster(good, cols, table.header_row, skipped, table.section_rows)


def parse_rows(path: Path, *, community: str = "") -> list[RosterRow]:
    return read_roster(path, community=community).rows


def import_roster(
    session: Session,
    path: Path,
    *,
    now: datetime,
    dry_run: bool = False,
    community: str = "",
    on_row: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check the whole file, then write it in the caller's transaction. Raises ``RosterRejected``
    (the caller rolls back) when any row is bad; with ``dry_run`` the caller rolls back anyway.
    ``community`` is the community of rows that name none."""
    parsed = read_roster(path, community=community)
    rows = parsed.rows
    report = ImportReport(
        rows=len(rows), dry_run=dry_run, header_row=parsed.header_row,
        ignored_columns=parsed.columns.ignored, skipped_rows=parsed.skipped_rows,
        section_rows=parsed.section_rows,
    )
    label = {name: parsed.columns.label(name, FIELDS) for name in FIELDS}
    errors: list[RowError] = []
    known: dict[tuple, tuple] = {}  # places and units already looked up (or made) in this import
    for i, row in enumerate(rows, start=1):
        try:
            with session.begin_nested():
                _apply(session, row, report, label, known, now=now)
        except DomainError as err:
            known.clear()  # what the failed row made went with its savepoint
            errors.append(_row_error(row, err))
        if on_row:
            on_row(i, len(rows))
    if errors:
        raise RosterRejected(errors)
    if report.prebound:
        binding.notify_roster_binds(session, report.prebound, now=now)
    return report


def _row_error(row: RosterRow, err: DomainError) -> RowError:
    if isinstance(err, _CellError):
        return RowError(row.row, str(err), err.column)
    if isinstance(err, InvalidMemberNumber):
        # the checks keep this from happening; the office never typed a number
        return RowError(row.row, f"{ROLE_NAMES_ZH[Role(row.role)]}与所填单位、网格、楼栋对不上")
    return RowError(row.row, str(err))


def _apply(session: Session, row: RosterRow, report: ImportReport, label: dict[str, str], known: dict,
           *, now: datetime) -> None:
    made = report.places_created

    def step(column: str, key: tuple, make, message: Callable[[DomainError], str] = str):
        if key in known:
            return known[key], False
        try:
            found, new = make()
        except DomainError as err:
            raise _CellError(label[column], message(err)) from err
        known[key] = found
        return found, new

    community, new = step(
        "community", ("community", row.community), lambda: places.ensure_community(session, row.community, now=now),
        lambda err: f"社区已满 999 个，不能再新建「{row.community}」" if "代码" in str(err) else str(err))
    made["社区"] += new
    if new:
        report.new_communities.append(community.name)
    grid = compound = building = work_unit = None
    if row.grid:
        grid, new = step("grid", ("grid", community.id, row.grid),
                         lambda: places.ensure_grid(session, community, row.grid))
        made["网格"] += new
    if row.compound:
        compound, new = step("compound", ("compound", community.id, row.compound),
                             lambda: places.ensure_compound(session, community, row.compound))
        made["小区"] += new
    if row.building:
        key = ("building", community.id, row.building, compound and compound.id, grid and grid.id)
        building, new = step("building", key, lambda: places.ensure_building(
            session, community, row.building, grid=grid, compound=compound))
        made["楼栋"] += new
        if grid is None and building.grid_id:
            grid = session.get(Grid, building.grid_id)
    if row.role == Role.unit_cadre and row.unit:
        work_unit, new = step("unit", ("unit", row.unit), lambda: members.ensure_work_unit(session, row.unit),
                              lambda err: "包联单位已满 999 个，不能再新增单位")
        made["单位"] += new
    account = _telegram_account(session, row.telegram_id, now)
    if account is not None:
        holder = members.find_by_account(session, account.id)
        if holder is not None and holder.phone != row.phone:
            raise _CellError(label["telegram_id"], f"{row.telegram_id} 已绑定给 {holder.name}（{holder.number}）")
    existing = members.find_by_phone(session, row.phone)
    if existing is None:
        if row.role == Role.unit_cadre and work_unit is None:
            raise _CellError(label["unit"], "2号红管家（包联单位人员）须填写所在单位")
        if row.role == Role.building_head and building is None:
            raise _CellError(label["building"], "6号红管家（楼栋长）须填写所管楼栋")
        top = session.exec(select(func.max(Member.seq)).where(Member.community_id == community.id)).one() or 0
        if top >= MAX_SEQ:
            raise _CellError(label["community"], f"「{community.name}」的红管家已满 {MAX_SEQ} 名")
        member = members.create_member(
            session, name=row.name, role=row.role, community=community, phone=row.phone, now=now,
            grid=grid, building=building, work_unit=work_unit, account_id=account.id if account else None,
            titles=row.titles,
            work_unit_name=row.unit, position=row.position,
        )
        report.created += 1
        if row.telegram_id is not None:
            report.prebound.append(member)
        return
    old_account = identities.account_of(session, existing, TELEGRAM)
    if _update(session, existing, row, community, grid, building, work_unit, label, account, now=now):
        report.updated += 1
        if identities.account_of(session, existing, TELEGRAM) != old_account:
            report.prebound.append(existing)
    else:
        report.unchanged += 1


def _telegram_account(session, telegram_id: int | None, now) -> ChatAccount | None:
    """The account the roster's 电报ID names (a Telegram user's private chat has their id)."""
    if telegram_id is None:
        return None
    return identities.resolve_account(session, TELEGRAM, str(telegram_id), private_chat=str(telegram_id), now=now)


def _rebound_by_roster(session, member: Member, old: ChatAccount | None, new: ChatAccount, *, now) -> None:
    """The roster names another chat account: what the old one held ends as at /unbind (web
    logins, the calendar link, invitations it made, messages waiting for it), both are recorded."""
    if old is not None:
        members.detach_account(session, old)
        members.record_event(session, member, "unbind", "roster", account_id=old.id, now=now)
        binding.release_account(session, member, old.id, now=now)
    members.attach_account(session, new, member, now=now)
    members.link_resident(session, member, new.id, now=now)
    members.record_event(session, member, "bind", "roster", account_id=new.id, now=now)


def _update(session, member: Member, row: RosterRow, community, grid, building, work_unit, label,
            account: ChatAccount | None, *, now) -> bool:
    if member.community_id != community.id:
        raise _CellError(label["community"],
                         f"{member.name} 已在另一个社区登记（{member.number}），请先在原社区办理退出")
    wanted: dict[str, object] = {"name": row.name, "role": row.role}
    # a column the sheet does not have leaves what the member has; an empty cell clears it
    if "grid" in row.given or grid is not None:
        wanted["grid_id"] = grid.id if grid else None
    if "building" in row.given:
        wanted["building_id"] = building.id if building else None
    if "unit" in row.given:
        wanted["work_unit_name"] = row.unit
    if "title" in row.given:
        wanted["position"] = row.position
    if row.role == Role.unit_cadre:
        if work_unit is None and member.work_unit_id is None:
            raise _CellError(label["unit"], "2号红管家（包联单位人员）须填写所在单位")
        if work_unit is not None:
            wanted["work_unit_id"] = work_unit.id
    else:
        wanted["work_unit_id"] = None
    if row.role == Role.building_head and wanted.get("building_id", member.building_id) is None:
        raise _CellError(label["building"], "6号红管家（楼栋长）须填写所管楼栋")
    # a roster adds titles; taking one away is done by hand, not by a missing column
    for flag in ("grid_manager", "mediator", "office_admin"):
        if getattr(row.titles, flag):
            wanted[f"is_{flag}"] = True
    changed = {k: v for k, v in wanted.items() if getattr(member, k) != v}
    old = identities.account_of(session, member, TELEGRAM)
    rebound = account is not None and (old is None or old.id != account.id)
    if not changed and not rebound:
        return False
    for key, value in changed.items():
        setattr(member, key, value)
    member.updated_at = now
    members.renumber(session, member)
    if rebound:
        _rebound_by_roster(session, member, old, account, now=now)
    session.add(member)
    return True
