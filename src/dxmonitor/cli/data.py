"""Data in: validation rules, files of values, DHIS2 mappings."""

import argparse
import sys
from pathlib import Path

from .common import Adder, Subcommands, say


def cmd_rules_load(args: argparse.Namespace) -> int:
    from dxmonitor.collection.rules_file import load_rules

    report = load_rules(path=Path(args.file) if args.file else None)
    created, updated = len(report.created), len(report.updated)
    say(f"rules: {created} created, {updated} updated, {report.unchanged} unchanged")
    if created or updated:
        found = report.violations
        say(f"violations: {found.violations} standing ({found.created} new, {found.removed} resolved)")
    return 0


def cmd_rules_check(args: argparse.Namespace) -> int:
    import datetime

    from django.utils import timezone

    from dxmonitor.collection.rules import recheck, standing_violations
    from dxmonitor.common.errors import DomainError
    from dxmonitor.geo.queries import unit_for_code

    within = None
    if args.unit_code:
        try:
            on = datetime.date.fromisoformat(args.as_of) if args.as_of else timezone.localdate()
        except ValueError as exc:
            raise DomainError(
                f"--as-of {args.as_of!r} is not a date (YYYY-MM-DD)",
                f"--as-of {args.as_of!r} không phải ngày (YYYY-MM-DD)",
            ) from exc
        within = unit_for_code(code=args.unit_code, on=on)
    report = recheck(within=within, period=args.period)
    found, flags = report.violations, report.flags
    where = f"{within.name} ({within.code})" if within else "every unit"
    say(
        f"{where}, {args.period or 'every period'}: {found.pairs} unit-periods checked, "
        f"{found.violations} violations ({found.created} new, {found.updated} changed, "
        f"{found.removed} resolved); {flags.checked} values checked for outliers, {flags.open} flagged "
        f"({flags.created} new, {flags.resolved} resolved)"
    )
    for violation in standing_violations(within=within, period=args.period):
        rule = violation.rule
        say(
            f"{rule.severity:<8}{violation.period:<8}{violation.unit.code:<12}{violation.unit.name}: "
            f"{rule.code}  {rule}  ({violation.left_value:g} vs {violation.right_value:g})"
        )
    return 0


def cmd_dhis2_mappings_load(args: argparse.Namespace) -> int:
    import datetime

    from django.utils import timezone

    from dxmonitor.collection.dhis2_mappings import load_mappings
    from dxmonitor.common.tables import read_rows

    on = datetime.date.fromisoformat(args.as_of) if args.as_of else timezone.localdate()
    report = load_mappings(rows=read_rows(Path(args.file).read_bytes()), on=on, dry_run=args.dry_run)
    prefix = "dry run, nothing saved: " if args.dry_run else ""
    say(
        f"{prefix}DHIS2 mappings: {len(report.created)} created, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged"
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from dxmonitor.files.actions import import_file

    user = get_user_model().objects.filter(username=args.user).first()
    if user is None:
        print(f"error: no user {args.user}", file=sys.stderr)
        return 1
    path = Path(args.file)
    report = import_file(data=path.read_bytes(), file_name=path.name, user=user, dry_run=args.dry_run)
    where = ", ".join(
        part
        for part in (
            report.format,
            f"sheet {report.sheet}" if report.sheet else "",
            f"data set {report.dataset}" if report.dataset else "",
            f"period {report.period}" if report.period else "",
        )
        if part
    )
    for problem in report.problems[:200]:
        say(f"  {problem.ref or '-'}: {problem.message_en}")
        say(f"      {problem.message_vi}")
    if report.problems_total > 200:
        say(f"  … and {report.problems_total - 200} more")
    counts = f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    values = f"{report.values} value{'' if report.values == 1 else 's'}"
    if report.problems_total:
        problems = f"{report.problems_total} problem{'' if report.problems_total == 1 else 's'}"
        say(f"{path.name} ({where}): {values}, {problems}; nothing written")
        return 1
    if args.dry_run:
        say(f"dry run, nothing written: {path.name} ({where}): {values} would give {counts}")
    else:
        say(f"{path.name} ({where}): {values}, {counts} ({report.seconds:.1f} s)")
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    rules = sub.add_parser("rules", help="validation rules").add_subparsers(
        dest="rules_command", required=True
    )
    rules_load = add("load", cmd_rules_load, "create or update validation rules from a rules CSV", rules)
    rules_load.add_argument("--file", help="rules CSV (default: the rules shipped with dxmonitor)")
    rules_check = add(
        "check", cmd_rules_check, "re-run the rules and outlier checks and print the violations", rules
    )
    rules_check.add_argument("--unit-code", help="GSO code of the unit whose subtree to check (default: all)")
    rules_check.add_argument("--as-of", help="the day whose unit the code means (default: today)")
    rules_check.add_argument(
        "--period", help="only this period: 2024, 2024Q3, 202409 (default: every period)"
    )

    dhis2 = sub.add_parser("dhis2", help="DHIS2 compatibility").add_subparsers(
        dest="dhis2_command", required=True
    )
    dhis2_mappings = dhis2.add_parser("mappings", help="DHIS2 mappings").add_subparsers(
        dest="dhis2_mappings_command", required=True
    )
    mappings_load = add(
        "load",
        cmd_dhis2_mappings_load,
        "create or update DHIS2 org unit and data element mappings",
        dhis2_mappings,
    )
    mappings_load.add_argument(
        "file", help="CSV: kind, dhis2_id, category_option_combo, unit_code, indicator, part, value_kind"
    )
    mappings_load.add_argument("--as-of", help="the day whose units the codes mean (default: today)")
    mappings_load.add_argument(
        "--dry-run", action="store_true", help="check the file and report, save nothing"
    )

    importing = add("import", cmd_import, "check and import a file of values (.xlsx or .csv) as a user")
    importing.add_argument("file", help="an Excel template (.xlsx) or a CSV table of values")
    importing.add_argument("--user", required=True, help="whose permissions the import is checked against")
    importing.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")
