"""Scoring scheme files: an index of schemes, and for each scheme a table of its groups and components.

The index (`data/scoring/schemes.csv`) has one row per scheme: `code`, `name_vi`, `name_en`, `level`
(the level of the units it scores), `basis` (the decision it follows or is modelled on) and `file`
(its table, next to the index). A scheme's table is the tree officials know from the DTI tables,
one row per line of it, top-down:

- a **group** (pillar, main indicator) has a `code`, a `parent` (empty at the top), names and no
  `rule`; its `max_points`, when given, must be the sum of what is under it;
- a **component** has a parent group, `max_points`, a `rule` (`ratio`, `steps`, `yes_no`), the
  `indicator` it reads (a catalogue code, or `A / B` for one figure as a percentage of another),
  `thresholds` for its rule, and the `evidence` and `source` officials cite.

Everything is checked before anything is written; every problem names its file, row and column,
in English and Vietnamese.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dxmonitor.common.errors import DomainError, Problem
from dxmonitor.common.numbers import NumberFormatError, parse_number
from dxmonitor.common.tables import read_rows
from dxmonitor.geo.models import Level

from .models import Indicator
from .scheme_rules import RuleError, parse_terms, rule_of

DATA_DIR = Path(__file__).resolve().parent / "data" / "scoring"
DEFAULT_INDEX = DATA_DIR / "schemes.csv"
INDEX_COLUMNS = ("code", "name_vi", "name_en", "level", "basis", "file")
TABLE_COLUMNS = ("code", "parent", "name_vi", "name_en", "max_points", "rule", "indicator")
OPTIONAL_COLUMNS = ("thresholds", "evidence", "source")
SCHEME_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_SHARE = re.compile(r"^\s*([A-Z][A-Z0-9_.]*)\s*/\s*([A-Z][A-Z0-9_.]*)\s*$")
TOLERANCE = 1e-6


@dataclass
class ItemDef:
    """A group (rule "") or a component of a scheme table, as read."""

    code: str
    parent: str
    name_vi: str
    name_en: str
    max_points: float | None
    rule: str = ""
    indicator: str = ""
    denominator: str = ""
    thresholds: str = ""
    terms: dict = field(default_factory=dict)
    evidence: str = ""
    source: str = ""
    row: int = 0

    @property
    def is_group(self) -> bool:
        return not self.rule


@dataclass
class SchemeDef:
    code: str
    name_vi: str
    name_en: str
    level: str
    basis: str
    file: str
    items: list[ItemDef] = field(default_factory=list)

    @property
    def max_points(self) -> float:
        return sum(i.max_points or 0 for i in self.items if not i.is_group)

    def fingerprint(self) -> str:
        """What makes a version: the basis and every row as read (not how the file was saved)."""
        rows = [{k: v for k, v in asdict(i).items() if k not in {"row", "thresholds"}} for i in self.items]
        payload = json.dumps({"basis": self.basis, "items": rows}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def _problem(where: str, row: int | None, column: str, en: str, vi: str) -> Problem:
    return Problem(f"{where}:{column}" if column else where, f"{where}: {en}", f"{where}: {vi}", row)


def read_index(path: Path) -> tuple[list[SchemeDef], list[Problem]]:
    """The schemes an index file lists, each with its table read and checked."""
    where = path.name
    if not path.is_file():
        raise DomainError(
            f"scoring scheme index not found: {path}",
            f"Không tìm thấy tệp danh sách bộ chỉ số: {path}",
            field="file",
        )
    rows = read_rows(path.read_bytes())
    if not rows:
        return [], [_problem(where, 1, "", "the index lists no scheme", "Tệp không có bộ chỉ số nào")]
    missing = [c for c in INDEX_COLUMNS if c not in rows[0][1]]
    if missing:
        return [], [
            _problem(
                where, 1, "", f"missing columns: {', '.join(missing)}", f"Thiếu cột: {', '.join(missing)}"
            )
        ]
    schemes: list[SchemeDef] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    indicators = {i.code: i for i in Indicator.objects.all()}
    for line, row in rows:
        code = row["code"]
        if not SCHEME_CODE.match(code):
            problems.append(
                _problem(
                    where,
                    line,
                    "code",
                    f"scheme code {code!r} must be upper-case letters, digits and _ (2 to 40)",
                    f"Mã bộ chỉ số {code!r} chỉ gồm chữ in hoa, chữ số và _ (2 đến 40 ký tự)",
                )
            )
        elif code in seen:
            problems.append(
                _problem(where, line, "code", f"scheme {code} appears twice", f"Bộ chỉ số {code} bị lặp")
            )
        seen.add(code)
        problems.extend(_names(where, line, row))
        if row["level"] not in Level.values:
            problems.append(
                _problem(
                    where,
                    line,
                    "level",
                    f"level {row['level']!r} is not one of {', '.join(Level.values)}",
                    f"Cấp {row['level']!r} không hợp lệ; dùng một trong {', '.join(Level.values)}",
                )
            )
        if len(row["basis"]) > 300:
            problems.append(
                _problem(where, line, "basis", "basis: at most 300 characters", "Căn cứ: tối đa 300 ký tự")
            )
        table = path.parent / row["file"]
        if not row["file"] or not table.is_file():
            problems.append(
                _problem(
                    where,
                    line,
                    "file",
                    f"scheme table {row['file']!r} not found next to the index",
                    f"Không tìm thấy bảng chỉ số {row['file']!r} cạnh tệp danh sách",
                )
            )
            continue
        scheme = SchemeDef(code, row["name_vi"], row["name_en"], row["level"], row["basis"], row["file"])
        scheme.items, table_problems = read_table(table, indicators=indicators)
        problems.extend(table_problems)
        schemes.append(scheme)
    return schemes, problems


def _names(where: str, line: int, row: dict[str, str]) -> list[Problem]:
    return [
        _problem(
            where,
            line,
            column,
            f"{column} is needed (at most 300 characters)",
            f"Cần {column} (tối đa 300 ký tự)",
        )
        for column in ("name_vi", "name_en")
        if not row.get(column) or len(row[column]) > 300
    ]


def read_table(path: Path, *, indicators: dict[str, Indicator]) -> tuple[list[ItemDef], list[Problem]]:
    """The groups and components of one scheme table, and the problems of each row."""
    where = path.name
    rows = read_rows(path.read_bytes())
    if not rows:
        return [], [_problem(where, 1, "", "the table has no rows", "Bảng không có dòng nào")]
    missing = [c for c in TABLE_COLUMNS if c not in rows[0][1]]
    if missing:
        return [], [
            _problem(
                where, 1, "", f"missing columns: {', '.join(missing)}", f"Thiếu cột: {', '.join(missing)}"
            )
        ]
    items: list[ItemDef] = []
    problems: list[Problem] = []
    by_code: dict[str, ItemDef] = {}
    for line, row in rows:
        item, row_problems = _item(where, line, row, by_code, indicators)
        problems.extend(row_problems)
        if item is not None:
            items.append(item)
            by_code.setdefault(item.code, item)
    problems.extend(_check_tree(where, items))
    return items, problems


def _item(
    where: str,
    line: int,
    row: dict[str, str],
    by_code: dict[str, ItemDef],
    indicators: dict[str, Indicator],
) -> tuple[ItemDef | None, list[Problem]]:
    def problem(column: str, en: str, vi: str) -> Problem:
        return _problem(where, line, column, en, vi)

    problems = _names(where, line, row)
    if len(row.get("source", "")) > 300:
        problems.append(
            problem("source", "source: at most 300 characters", "Nguồn số liệu: tối đa 300 ký tự")
        )
    code, parent = row["code"], row["parent"]
    if not ITEM_CODE.match(code):
        problems.append(
            problem(
                "code",
                f"code {code!r} must be letters, digits, . _ - (at most 32)",
                f"Mã {code!r} chỉ gồm chữ, chữ số, . _ - (tối đa 32 ký tự)",
            )
        )
    elif code in by_code:
        problems.append(problem("code", f"code {code} appears twice", f"Mã {code} bị lặp"))
    if parent and (parent not in by_code or not by_code[parent].is_group):
        problems.append(
            problem(
                "parent",
                f"parent {parent!r} is not a group on an earlier row",
                f"Nhóm cha {parent!r} không phải một nhóm ở dòng phía trên",
            )
        )
    max_points = None
    if row["max_points"]:
        try:
            max_points = parse_number(row["max_points"])
        except NumberFormatError:
            problems.append(
                problem(
                    "max_points",
                    f"maximum points {row['max_points']!r} is not a number",
                    f"Điểm tối đa {row['max_points']!r} không phải là số",
                )
            )
        else:
            if max_points <= 0:
                problems.append(
                    problem("max_points", "maximum points must be above 0", "Điểm tối đa phải lớn hơn 0")
                )
    item = ItemDef(
        code=code,
        parent=parent,
        name_vi=row["name_vi"],
        name_en=row["name_en"],
        max_points=max_points,
        thresholds=row.get("thresholds", ""),
        evidence=row.get("evidence", ""),
        source=row.get("source", ""),
        row=line,
    )
    if not row["rule"]:
        if row["indicator"] or item.thresholds:
            problems.append(
                problem(
                    "rule",
                    "a row with an indicator or thresholds needs a rule (ratio, steps, yes_no)",
                    "Dòng có chỉ tiêu hoặc ngưỡng cần ghi cách chấm (ratio, steps, yes_no)",
                )
            )
        return item, problems
    rule = rule_of(row["rule"])
    if rule is None:
        problems.append(
            problem(
                "rule",
                f"rule {row['rule']!r} is not ratio, steps or yes_no",
                f"Cách chấm {row['rule']!r} không hợp lệ; dùng ratio (tỷ lệ), steps (bậc) "
                "hoặc yes_no (có/không)",
            )
        )
        return item, problems
    item.rule = rule
    if not parent:
        problems.append(
            problem("parent", "a component belongs to a group", "Chỉ số thành phần phải thuộc một nhóm")
        )
    if max_points is None and not any(p.field.endswith(":max_points") for p in problems):
        problems.append(problem("max_points", "a component needs its maximum points", "Cần điểm tối đa"))
    share = _SHARE.match(row["indicator"])
    codes = [share.group(1), share.group(2)] if share else [row["indicator"].strip()]
    unknown = [c for c in codes if c not in indicators]
    if not row["indicator"].strip():
        problems.append(
            problem(
                "indicator",
                "a component needs the indicator it reads (a code, or A / B)",
                "Cần ghi chỉ tiêu (một mã, hoặc A / B)",
            )
        )
    elif unknown:
        problems.append(
            problem(
                "indicator",
                f"{', '.join(unknown)} is not in the indicator catalogue",
                f"{', '.join(unknown)} không có trong danh mục chỉ tiêu",
            )
        )
    else:
        item.indicator = codes[0]
        item.denominator = codes[1] if share else ""
        percent = bool(share) or indicators[codes[0]].is_percent
        if max_points is not None and max_points > 0:
            try:
                item.terms = parse_terms(rule, item.thresholds, max_points=max_points, percent=percent)
            except RuleError as exc:
                problems.append(problem("thresholds", exc.message_en, exc.message_vi))
    return item, problems


def _check_tree(where: str, items: list[ItemDef]) -> list[Problem]:
    """Every group holds a component; a group's stated maximum is the sum of what is under it."""
    problems: list[Problem] = []
    if items and not any(not i.is_group for i in items):
        problems.append(
            _problem(where, None, "", "the table has no component", "Bảng không có chỉ số thành phần")
        )
    children: dict[str, list[ItemDef]] = {}
    for item in items:
        children.setdefault(item.parent, []).append(item)

    def total(code: str) -> float:
        return sum((c.max_points or 0) if not c.is_group else total(c.code) for c in children.get(code, []))

    def has_component(code: str) -> bool:
        return any(not c.is_group or has_component(c.code) for c in children.get(code, []))

    for item in items:
        if not item.is_group:
            continue
        if not has_component(item.code):
            problems.append(
                _problem(
                    where,
                    item.row,
                    "code",
                    f"group {item.code} has no component under it",
                    f"Nhóm {item.code} không có chỉ số thành phần nào",
                )
            )
            continue
        summed = total(item.code)
        if item.max_points is not None and abs(item.max_points - summed) > TOLERANCE:
            problems.append(
                _problem(
                    where,
                    item.row,
                    "max_points",
                    f"group {item.code} states {item.max_points:g} points but its components add up "
                    f"to {summed:g}",
                    f"Nhóm {item.code} ghi {item.max_points:g} điểm nhưng các chỉ số thành phần cộng lại "
                    f"là {summed:g}",
                )
            )
        item.max_points = summed
    return problems
