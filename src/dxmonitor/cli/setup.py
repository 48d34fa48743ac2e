"""Setting up and serving: the database, the units, the catalogue, the demo."""

import argparse
import time
from pathlib import Path

from .common import Adder, Subcommands, say

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    say("database is up to date")
    return 0


def cmd_units_load(args: argparse.Namespace) -> int:
    from dxmonitor.geo.actions import load_units

    started = time.monotonic()
    report = load_units(source_dir=Path(args.source) if args.source else None, progress=say)
    say(
        f"units from {report.source}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged; succession links: {report.successions_created} created, "
        f"{report.successions_updated} updated, {report.successions_removed} removed "
        f"({time.monotonic() - started:.1f} s)"
    )
    return 0


def cmd_units_villages(args: argparse.Namespace) -> int:
    import datetime

    from django.utils import timezone

    from dxmonitor.common.tables import read_rows
    from dxmonitor.geo.actions import import_villages

    on = datetime.date.fromisoformat(args.as_of) if args.as_of else timezone.localdate()
    report = import_villages(rows=read_rows(Path(args.file).read_bytes()), on=on, dry_run=args.dry_run)
    prefix = "dry run, nothing saved: " if args.dry_run else ""
    say(f"{prefix}villages: {len(report.created)} added, {report.unchanged} already there")
    return 0


def cmd_catalog_load(args: argparse.Namespace) -> int:
    from dxmonitor.catalog.actions import load_catalog

    report = load_catalog(path=Path(args.file) if args.file else None, overwrite=args.overwrite)
    created, updated = len(report.created), len(report.updated)
    say(f"catalogue: {created} created, {updated} updated, {report.unchanged} unchanged")
    if report.kept:
        say(f"kept as edited by administrators (use --overwrite to replace): {', '.join(report.kept)}")
    return 0


def cmd_seeds_load(args: argparse.Namespace) -> int:
    from dxmonitor.demo.actions import load_seed_facts

    report = load_seed_facts()
    say(
        f"seed articles: {report.documents} documents, {report.facts} facts "
        f"({report.created} created, {report.updated} updated, {report.unchanged} unchanged; "
        f"{report.dated_from_article} dated from their article, {report.undated} undated)"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings

    from dxmonitor.server.run import serve

    processes = args.processes or settings.DXM_WEB_PROCESSES
    worker = "" if args.no_worker else " and a job worker"
    web = "1 web process" if processes == 1 else f"{processes} web processes"
    say(f"dxmonitor serving on http://{args.host}:{args.port}/ ({web}{worker}; Ctrl+C to stop)")
    return serve(
        host=args.host,
        port=args.port,
        processes=processes,
        threads=args.threads or settings.DXM_WEB_THREADS,
        with_worker=not args.no_worker,
        say=say,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from django.conf import settings

    from dxmonitor.demo.assessment import assessment_accounts
    from dxmonitor.demo.entry import demo_accounts
    from dxmonitor.demo.setup import prepare_demo

    login = prepare_demo(progress=say)
    say("")
    say(f"  dxmonitor demo: http://{args.host}:{args.port}/")
    say(f"  login: {login.username} / {login.password}   (saved in {settings.VAR_DIR / 'demo-login.txt'})")
    for account in demo_accounts():
        say(f"  {account.description}: {account.username} / {account.password}")
    say(f"  (data-entry accounts saved in {settings.VAR_DIR / 'demo-accounts.txt'})")
    for account in assessment_accounts():
        say(f"  {account.description}: {account.username} / {account.password}")
    say(
        "  signing: the approver signs with the key of tỉnh Lai Châu (no password) or a personal"
        f" certificate whose password is in {settings.VAR_DIR / 'demo-pki' / 'passwords.txt'}"
    )
    say("")
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dxmonitor manage", *args.rest])
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    def serving(command: argparse.ArgumentParser) -> None:
        command.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
        command.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
        command.add_argument(
            "--processes", type=int, default=0, help="web processes (default DXM_WEB_PROCESSES, 1)"
        )
        command.add_argument(
            "--threads",
            type=int,
            default=0,
            help="threads running Django in each (default DXM_WEB_THREADS, 8)",
        )
        command.add_argument(
            "--no-worker",
            action="store_true",
            help="serve pages only; run `dxmonitor worker` separately (production)",
        )

    demo = add("demo", cmd_demo, "set up the database with units, catalogue and demo data, then serve")
    demo.add_argument("--no-serve", action="store_true", help="prepare the data and exit")
    serving(demo)
    serving(add("serve", cmd_serve, "serve the web interface and the API"))
    migrate = add("migrate", cmd_migrate, "create or upgrade the database tables")
    migrate.add_argument("--verbose", action="store_true")

    units = sub.add_parser("units", help="administrative units").add_subparsers(
        dest="units_command", required=True
    )
    units_load = add(
        "load",
        cmd_units_load,
        "load both administrative structures and their succession links",
        units,
    )
    units_load.add_argument(
        "--source",
        help="folder holding dataset.db and converter_2025.json "
        "(default: the installed vietnamadminunits package)",
    )

    villages = add(
        "villages", cmd_units_villages, "add villages from a CSV file (commune_code, name, type)", units
    )
    villages.add_argument("file", help="CSV in UTF-8 or UTF-16, comma, semicolon or tab separated")
    villages.add_argument("--as-of", help="the day whose communes the codes mean (default: today)")
    villages.add_argument("--dry-run", action="store_true", help="check the file and report, save nothing")

    catalog = sub.add_parser("catalog", help="indicator catalogue").add_subparsers(
        dest="catalog_command", required=True
    )
    catalog_load = add("load", cmd_catalog_load, "create or update indicators from a catalogue CSV", catalog)
    catalog_load.add_argument("--file", help="catalogue CSV (default: the catalogue shipped with dxmonitor)")
    catalog_load.add_argument(
        "--overwrite", action="store_true", help="also replace indicators administrators have edited"
    )

    seeds = sub.add_parser("seeds", help="the seed articles").add_subparsers(
        dest="seeds_command", required=True
    )
    add("load", cmd_seeds_load, "store the five seed articles and their 45 facts as values", seeds)

    manage = add("manage", cmd_manage, "run a Django management command (for maintainers)")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
