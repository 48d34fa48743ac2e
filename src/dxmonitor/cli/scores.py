"""Scoring schemes: load their files, compute scores and ranks, show a ranking or one unit's score."""

import argparse
from pathlib import Path

from .common import Adder, Subcommands, say


def _period(args: argparse.Namespace):
    from dxmonitor.analytics.scoring import require_dated

    return require_dated(args.period)


def _unit(args: argparse.Namespace, period):
    """The unit a code means on --as-of, by default on the last day of the period."""
    import datetime

    from dxmonitor.common.errors import DomainError
    from dxmonitor.geo.queries import unit_for_code

    if not args.unit_code:
        return None
    try:
        on = datetime.date.fromisoformat(args.as_of) if args.as_of else period.end
    except ValueError as exc:
        raise DomainError(
            f"--as-of {args.as_of!r} is not a date (YYYY-MM-DD)",
            f"--as-of {args.as_of!r} không phải ngày (YYYY-MM-DD)",
        ) from exc
    return unit_for_code(code=args.unit_code, on=on)


def cmd_scores_load(args: argparse.Namespace) -> int:
    from dxmonitor.catalog.schemes import load_schemes

    report = load_schemes(path=Path(args.file) if args.file else None)
    say(
        f"scoring schemes: {len(report.created)} created, {len(report.new_versions)} new versions, "
        f"{len(report.unchanged)} unchanged"
    )
    for label, names in (("created", report.created), ("new version", report.new_versions)):
        for name in names:
            say(f"  {label}: {name}")
    if report.renamed:
        say(f"  renamed: {', '.join(report.renamed)}")
    return 0


def cmd_scores_compute(args: argparse.Namespace) -> int:
    from dxmonitor.analytics.scoring import compute_scores
    from dxmonitor.catalog.models import ScoringScheme
    from dxmonitor.catalog.schemes import require_scheme, require_version

    period = _period(args)
    within = _unit(args, period)
    schemes = [require_scheme(args.scheme)] if args.scheme else list(ScoringScheme.objects.order_by("code"))
    if not schemes:
        say("no scoring scheme is loaded; run `dxmonitor scores load`")
        return 1
    for scheme in schemes:
        version = require_version(scheme, args.version) if args.version else None
        report = compute_scores(scheme=scheme, period=period, within=within, version=version)
        missing = ", ".join(f"{code} ({count})" for code, count in list(report.missing.items())[:5])
        say(
            f"{report.scheme} v{report.version}, {report.period}: {report.units} units in "
            f"{report.peer_groups} peer group(s) scored, {report.complete} with every figure"
            + (f"; missing most: {missing}" if missing else "")
            + f" ({report.seconds:.1f} s)"
        )
    return 0


def cmd_scores_show(args: argparse.Namespace) -> int:
    from dxmonitor.analytics import scores
    from dxmonitor.catalog.schemes import require_scheme

    scheme = require_scheme(args.scheme)
    period = _period(args)
    unit = _unit(args, period)
    if unit is not None and unit.level == scheme.level:
        _show_unit(scores.breakdown(scheme=scheme, unit=unit, period=period, number=args.version))
        return 0
    found = scores.ranking(scheme=scheme, period=period, within=unit, number=args.version)
    if found.version is None:
        say(f"no scores of {scheme.code} for {period.code} here; run `dxmonitor scores compute`")
        return 1
    where = found.within.name if found.within else "the country"
    say(f"{scheme.code} v{found.version.number}, {period.code}, {where}: {found.peers} units ranked")
    say(f"{'rank':>4} {'change':>6}  {'code':<8} {'score':>6} {'points':>7} {'figures':>8}  unit")
    for row in found.rows[: args.limit or None]:
        score = row.score
        change = "" if row.change is None else f"{row.change:+d}"
        say(
            f"{score.rank:>4} {change:>6}  {score.unit.code:<8} {score.score:>6.3f} {score.points:>7.1f} "
            f"{score.components_found:>3}/{score.components:<4}  {score.unit.name}"
        )
    return 0


def _show_unit(found) -> None:
    score = found.score
    change = "" if found.change is None else f" ({found.change:+d} since the year before)"
    say(
        f"{score.unit.name} ({score.unit.code}), {score.scheme.code} v{score.version.number}, "
        f"{score.period}: "
        f"score {score.score:.3f} ({score.points:g} of {score.max_points:g} points), rank {score.rank} of "
        f"{score.peers}{change}; figures for {score.components_found} of {score.components} components"
    )
    for line in found.lines:
        indent = "  " * line.depth
        if hasattr(line, "group"):
            say(
                f"{indent}{line.group.code} {line.group.name_en}: "
                f"{line.points:g}/{line.max_points:g} ({line.score:.3f})"
            )
            continue
        part = line.part
        measured = "missing" if line.missing else f"{part['measured']:g}"
        say(
            f"{indent}{line.component.code} {line.component.name_en}: "
            f"{line.points:g}/{line.component.max_points:g}"
            f"  [{line.rule_text('en')}; figure {measured}]"
        )
    if found.what_if:
        say("what would raise the rank most (full points in one component, the others as they are):")
    for step in found.what_if[:10]:
        say(
            f"  {step.component.code} {step.component.name_en}: +{step.points_needed:g} points → rank "
            f"{step.rank_after} ({step.places:+d})"
        )


def register(sub: Subcommands, add: Adder) -> None:
    scores = sub.add_parser("scores", help="scoring schemes, scores and ranks").add_subparsers(
        dest="scores_command", required=True
    )
    load = add(
        "load", cmd_scores_load, "load scoring schemes; a changed scheme table becomes a new version", scores
    )
    load.add_argument("--file", help="an index of schemes (default: the schemes shipped with dxmonitor)")

    compute = add(
        "compute", cmd_scores_compute, "compute scores and ranks of a period from the analytics store", scores
    )
    compute.add_argument("--scheme", help="scheme code (default: every scheme)")
    compute.add_argument("--period", required=True, help="the period scored: 2024")
    compute.add_argument("--unit-code", help="a province (or a unit in it) to score; default: every province")
    compute.add_argument("--as-of", help="the day whose unit the code means (default: the period's last day)")
    compute.add_argument("--version", type=int, help="the scheme version to apply (default: the latest)")

    show = add("show", cmd_scores_show, "print a ranking, or one unit's score with its what-if", scores)
    show.add_argument("--scheme", required=True, help="scheme code")
    show.add_argument("--period", required=True, help="the period scored: 2024")
    show.add_argument(
        "--unit-code",
        help="a province (its ranking), a district (its units' ranks) or a unit scored (its breakdown)",
    )
    show.add_argument("--as-of", help="the day whose unit the code means (default: the period's last day)")
    show.add_argument("--version", type=int, help="the scheme version (default: the latest with scores)")
    show.add_argument("--limit", type=int, default=0, help="print only the first N units of a ranking")
