"""Benchmark: a district's roster at the seed's volume, shaped as offices keep it, imported with
``hgj import-roster``'s code on SQLite — then imported again (which must change nothing).

108 communities, 19,536 members in one .xlsx: a title row merged across, the header in row 3,
序号 / 性别 / 身份证号 / 备注 columns, a unit for every role, phones stored as numbers. Prints one
JSON line: {"rows", "read_s", "import_s", "rows_per_s", "reimport_s", "reimport_rows_per_s", ...}.

    python bench/roster.py [--database-url URL] [--members N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from bot.bootstrap import prepare  # noqa: E402
from bot.members.roster import import_roster, read_roster  # noqa: E402

COMMUNITIES, MEMBERS = 108, 19_536
ROLES = ["包联区领导", "包联单位人员", "网格员", "社区工作人员", "议事团队成员", "热心居民", "楼栋长"]
WEIGHTS = [1, 6, 4, 4, 10, 55, 20]


def write_roster(path: Path, members: int, rng: random.Random) -> None:
    wb = Workbook()
    ws = wb.active
    header = ["序号", "姓名", "性别", "身份证号", "联系电话", "角色", "所属社区", "所在网格", "楼栋号", "工作单位",
              "职务", "备注"]
    ws.append(["掇刀区红管家花名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(["填报单位：区红管家办公室"])
    ws.append(header)
    for i in range(members):
        c = i % COMMUNITIES
        role = rng.choices(ROLES, WEIGHTS)[0]
        unit = {"包联区领导": "区政府办", "包联单位人员": f"区直单位{rng.randrange(52) + 1:02d}",
                "网格员": f"社区{c + 1:03d}居委会", "社区工作人员": f"社区{c + 1:03d}居委会"}.get(role, "")
        ws.append([
            i + 1, f"成员{i:05d}", rng.choice("男女"), f"420802{rng.randrange(10**12):012d}", 13000000000 + i,
            role, f"社区{c + 1:03d}", f"第{rng.randrange(4) + 1}网格", f"{rng.randrange(20) + 1}栋" if role == "楼栋长" or
            rng.random() < 0.5 else "", unit, "书记" if role == "社区工作人员" and rng.random() < 0.1 else "", "",
        ])
    ws.append([])
    wb.save(path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url")
    ap.add_argument("--members", type=int, default=MEMBERS)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = Path(tmp.name) / "花名册.xlsx"
    write_roster(path, args.members, random.Random(20221202))
    db = prepare(args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}")
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)

    t0 = time.perf_counter()
    parsed = read_roster(path)
    read_s = time.perf_counter() - t0
    print(f"read and checked {len(parsed.rows)} rows in {read_s:.1f} s", file=sys.stderr)

    t0 = time.perf_counter()
    with db.transaction() as s:
        first = import_roster(s, path, now=now)
    import_s = time.perf_counter() - t0
    print(f"imported in {import_s:.1f} s", file=sys.stderr)

    t0 = time.perf_counter()
    with db.transaction() as s:
        again = import_roster(s, path, now=now)
    reimport_s = time.perf_counter() - t0
    assert again.created == again.updated == 0, again

    print(json.dumps({
        "rows": first.rows, "created": first.created, "read_s": round(read_s, 2),
        "import_s": round(import_s, 1), "rows_per_s": round(first.rows / import_s),
        "reimport_s": round(reimport_s, 1), "reimport_rows_per_s": round(again.rows / reimport_s),
        "reimport_unchanged": again.unchanged, "ignored_columns": first.ignored_columns,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
