"""The rules file: declared validation rules as data (`data/rules.csv`), loaded all or nothing.

Columns: `code`, `name_vi`, `name_en`, `rule` ("left <= right"), `severity` (`error` or
`warning`). Every problem is reported with its line; a file with problems changes nothing.
Rules the file does not mention are left alone; loading the same file twice changes nothing.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from dxmonitor.catalog.models import Indicator
from dxmonitor.common.errors import DomainError, InvalidInput, Problem
from dxmonitor.common.tables import read_rows

from .expressions import ExpressionError, parse_expression, split_rule
from .models import ValidationRule
from .rules import RefreshReport, refresh_rules

DEFAULT_RULES = Path(__file__).resolve().parent / "data" / "rules.csv"
COLUMNS = ("code", "name_vi", "name_en", "rule", "severity")
CODE = re.compile(r"^[A-Z][A-Z0-9_.]{0,63}$")
_FIELDS = ("name_vi", "name_en", "left", "operator", "right", "severity")


@dataclass
class RulesReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    violations: RefreshReport = field(default_factory=RefreshReport)


def _problem(line: int, column: str, en: str, vi: str) -> Problem:
    return Problem(column, en, vi, line)


def parse_rules(data: bytes | str) -> tuple[list[dict], list[Problem]]:
    """Rule definitions from a file's content and the problems of each line."""
    rows = read_rows(data)
    if not rows:
        return [], [_problem(1, "", "the rules file has no rules", "Tệp quy tắc không có quy tắc nào")]
    missing = [c for c in COLUMNS if c not in rows[0][1]]
    if missing:
        return [], [
            _problem(1, "", f"missing columns: {', '.join(missing)}", f"Thiếu cột: {', '.join(missing)}")
        ]
    indicators = {i.code: i for i in Indicator.objects.all()}
    definitions, problems, seen = [], [], set()
    for line, row in rows:
        code = row["code"]
        if not CODE.match(code):
            problems.append(
                _problem(
                    line,
                    "code",
                    f"rule code {code!r} must be upper-case letters, digits, _ and . (at most 64)",
                    f"Mã quy tắc {code!r} chỉ gồm chữ in hoa, chữ số, _ và . (tối đa 64 ký tự)",
                )
            )
        elif code in seen:
            problems.append(_problem(line, "code", f"rule {code} appears twice", f"Quy tắc {code} bị lặp"))
        seen.add(code)
        for column in ("name_vi", "name_en"):
            if not row[column] or len(row[column]) > 300:
                problems.append(
                    _problem(
                        line,
                        column,
                        f"{column} is needed (at most 300 characters)",
                        f"Cần {column} (tối đa 300 ký tự)",
                    )
                )
        severity = row["severity"].lower() or ValidationRule.Severity.ERROR
        if severity not in ValidationRule.Severity.values:
            problems.append(
                _problem(
                    line,
                    "severity",
                    f"severity {severity!r} is not error or warning",
                    f"Mức độ {severity!r} không hợp lệ; dùng error hoặc warning",
                )
            )
        try:
            left, operator, right = split_rule(row["rule"])
        except ExpressionError as exc:
            problems.append(_problem(line, "rule", exc.message_en, exc.message_vi))
            continue
        problems.extend(_check_references(line, left, right, indicators))
        definitions.append(
            {
                "code": code,
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "left": left,
                "operator": operator,
                "right": right,
                "severity": severity,
            }
        )
    return definitions, problems


def _check_references(line: int, left: str, right: str, indicators: dict[str, Indicator]) -> list[Problem]:
    problems = []
    refs = parse_expression(left, field="left").refs | parse_expression(right, field="right").refs
    for ref in sorted(refs, key=lambda r: (r.code, r.part)):
        indicator = indicators.get(ref.code)
        if indicator is None:
            problems.append(
                _problem(
                    line,
                    "rule",
                    f"{ref.code} is not in the indicator catalogue",
                    f"{ref.code} không có trong danh mục chỉ tiêu",
                )
            )
        elif ref.part != "value" and not indicator.has_parts:
            problems.append(
                _problem(
                    line,
                    "rule",
                    f"{ref.code} has no {ref.part}: it is not a rate",
                    f"{ref.code} không có {'tử số' if ref.part == 'numerator' else 'mẫu số'}: "
                    "chỉ tiêu này không phải một tỷ lệ",
                )
            )
    return problems


def load_rules(*, path: Path | None = None) -> RulesReport:
    """Create or update the rules of a rules file, all or nothing, then re-judge what they touch."""
    path = Path(path) if path else DEFAULT_RULES
    if not path.is_file():
        raise DomainError(
            f"rules file not found: {path}", f"Không tìm thấy tệp quy tắc: {path}", field="file"
        )
    definitions, problems = parse_rules(path.read_bytes())
    if problems:
        raise InvalidInput(problems)
    report = RulesReport()
    with transaction.atomic():
        existing = {r.code: r for r in ValidationRule.objects.select_for_update()}
        touched = []
        for definition in definitions:
            rule = existing.get(definition["code"])
            if rule is None:
                rule = ValidationRule.objects.create(**definition, is_active=True)
                report.created.append(rule.code)
                touched.append(rule.pk)
                continue
            if all(getattr(rule, name) == definition[name] for name in _FIELDS):
                report.unchanged += 1
                continue
            for name in _FIELDS:
                setattr(rule, name, definition[name])
            rule.save(update_fields=list(_FIELDS))
            report.updated.append(rule.code)
            touched.append(rule.pk)
        if touched:
            report.violations = refresh_rules(rule_ids=touched)
    return report
