"""The analytics store: refresh it, or rebuild it whole, with a progress line; export it as Parquet."""

import argparse
import sys
import time

from .common import Adder, Subcommands, say


class ProgressLine:
    """One line rewritten in place on a terminal (each step on its own line otherwise), with
    the time since the start: a rebuild at national scale runs for minutes."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.live = sys.stdout.isatty()
        self.width = 0

    def __call__(self, message: str) -> None:
        text = f"[{time.monotonic() - self.started:6.1f} s] {message}"
        if self.live:
            print("\r" + text.ljust(self.width), end="", flush=True)
            self.width = len(text)
        else:
            say(text)

    def done(self) -> None:
        if self.live and self.width:
            print(flush=True)


def cmd_analytics_refresh(args: argparse.Namespace) -> int:
    from dxmonitor.analytics.actions import refresh_store

    line = ProgressLine()
    report = refresh_store(full=args.full, progress=line)
    line.done()
    what = "rebuilt" if report.full else "refreshed"
    years = ", ".join(str(y) if y else "undated" for y in report.years) or "none"
    say(
        f"analytics store {what}: {report.values:,} values, {report.figures:,} figures "
        f"(years: {years}) in {report.seconds:.1f} s; up to change {report.watermark}"
    )
    return 0


def cmd_analytics_status(args: argparse.Namespace) -> int:
    from dxmonitor.analytics.answers import store_status

    status = store_status()
    when = f"{status.refreshed_at:%Y-%m-%d %H:%M:%S} UTC" if status.refreshed_at else "never"
    say(f"store: {status.path} ({status.size_bytes / 1e6:.1f} MB)")
    say(f"refreshed: {when}, up to change {status.watermark}; {status.pending_changes:,} changes since")
    say(f"holds {status.facts:,} values and {status.figures:,} added-up figures")
    return 0


def cmd_analytics_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dxmonitor.analytics.parquet import export_parquet

    report = export_parquet(folder=Path(args.to))
    say(
        f"wrote {report.figures:,} figures and {report.values:,} values in {report.files:,} Parquet files "
        f"to {report.folder} in {report.seconds:.1f} s; up to change {report.watermark}"
    )
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    analytics = sub.add_parser("analytics", help="the analytics store").add_subparsers(
        dest="analytics_command", required=True
    )
    refresh = add(
        "refresh",
        cmd_analytics_refresh,
        "take the value changes since the last refresh into the analytics store",
        analytics,
    )
    refresh.add_argument(
        "--full", action="store_true", help="rebuild the whole store from the database instead"
    )
    add("status", cmd_analytics_status, "how current the analytics store is", analytics)
    export = add(
        "export",
        cmd_analytics_export,
        "write the store's figures and values as Parquet files partitioned by year and indicator",
        analytics,
    )
    export.add_argument("--to", required=True, help="folder to write (replaced whole)")
