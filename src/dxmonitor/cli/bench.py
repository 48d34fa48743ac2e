"""Benchmarks: each prints its measures and, last, one line of JSON."""

import argparse
import json

from .common import Adder, Subcommands, say
from .extraction import register_bench


def cmd_bench_import(args: argparse.Namespace) -> int:

    from dxmonitor.bench.imports import bench_import

    figures = bench_import(values=args.values, sample=args.sample, checks=not args.no_checks, say=say)
    say(json.dumps(figures))
    return 0


def cmd_bench_xlsx(args: argparse.Namespace) -> int:

    from dxmonitor.files.bench import bench_xlsx, own_database

    with own_database(args.database_url, say=say):
        result = bench_xlsx(values=args.values, say=say)
    say(json.dumps(result))
    return 0


def cmd_bench_analytics(args: argparse.Namespace) -> int:

    from dxmonitor.bench.analytics import run

    figures = run(
        scale_name=args.scale, server=args.server, keep=args.keep, database=args.database or "", say=say
    )
    say(json.dumps(figures))
    return 0


def cmd_bench_dashboard(args: argparse.Namespace) -> int:
    from dxmonitor.dashboard.bench import bench_dashboard

    result = bench_dashboard(runs=args.runs, var_dir=args.var_dir, path=args.path, scale=args.scale, say=say)
    say(json.dumps(result))
    return 0


def cmd_bench_entry(args: argparse.Namespace) -> int:
    from dxmonitor.bench.entry import bench_entry

    result = bench_entry(runs=args.runs, var_dir=args.var_dir, say=say)
    say(json.dumps(result))
    return 0


def cmd_bench_pages(args: argparse.Namespace) -> int:
    from dxmonitor.bench.pages import bench_pages

    result = bench_pages(scale=args.scale, say=say)
    say(json.dumps(result))
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(dest="bench_command", required=True)
    register_bench(bench, add)
    bench_xlsx = add("xlsx", cmd_bench_xlsx, "time checking and applying a large Excel template", bench)
    bench_xlsx.add_argument("--values", type=int, default=100_000, help="how many figures (default 100000)")
    bench_xlsx.add_argument(
        "--database-url", help="an empty database to run on (default: a temporary SQLite file)"
    )
    bench_imports = add(
        "import", cmd_bench_import, "time many values through the bulk path against per-value saves", bench
    )
    bench_imports.add_argument("--values", type=int, required=True, help="values through the bulk path")
    bench_imports.add_argument(
        "--sample", type=int, default=2000, help="values through per-value ORM saves (default 2000)"
    )
    bench_imports.add_argument(
        "--no-checks", action="store_true", help="skip the rules and outlier checks (the write path alone)"
    )
    bench_analytics = add(
        "analytics",
        cmd_bench_analytics,
        "time the analytics store at national scale against plain SQL GROUP BY on PostgreSQL",
        bench,
    )
    bench_analytics.add_argument(
        "--scale",
        choices=["small", "medium", "full"],
        default="small",
        help="small (CI), medium (one year of the country) or full (five years, about 229 million values)",
    )
    bench_analytics.add_argument(
        "--server",
        help="PostgreSQL server to make the bench database on "
        "(default: the configured database's server, else postgres@127.0.0.1:5432)",
    )
    bench_analytics.add_argument(
        "--keep", action="store_true", help="keep the bench database and the store file at the end"
    )
    bench_analytics.add_argument(
        "--database",
        help="run on a bench database an earlier run kept (--keep) instead of generating one; kept too",
    )
    bench_dashboard = add(
        "dashboard", cmd_bench_dashboard, "time the dashboard's first render in Chromium", bench
    )
    bench_dashboard.add_argument("--runs", type=int, default=5, help="visits timed, of each page (default 5)")
    bench_dashboard.add_argument("--var-dir", help="a prepared var folder to serve (default: a fresh demo)")
    bench_dashboard.add_argument(
        "--path", default="/dashboard/", help="page to open on a demo (default /dashboard/)"
    )
    bench_dashboard.add_argument(
        "--scale",
        default="demo",
        help="demo (default; or any name of a --var-dir's data, for the JSON line), or small, medium or "
        "full: the analytics bench's synthetic country in a PostgreSQL database of its own on "
        "127.0.0.1:5432 (user postgres), built, served and removed by the bench",
    )
    bench_entry = add(
        "entry",
        cmd_bench_entry,
        "the entry pages on a Slow 3G link (bytes, time until usable, cold and warm) and the sync "
        "of 100 queued figures",
        bench,
    )
    bench_entry.add_argument("--runs", type=int, default=3, help="fresh browsers timed (default 3)")
    bench_entry.add_argument("--var-dir", help="a prepared var folder to serve (default: a fresh demo)")
    bench_pages = add(
        "pages",
        cmd_bench_pages,
        "time every page and endpoint on the synthetic country held as the product holds it",
        bench,
    )
    bench_pages.add_argument(
        "--scale",
        choices=["small", "medium", "full"],
        default="small",
        help="the analytics bench's country, in a PostgreSQL database of its own on 127.0.0.1:5432 "
        "(user postgres), built, served and removed by the bench (default small)",
    )
