"""Reports up the hierarchy: reminders of deadlines."""

import argparse

from .common import Adder, Subcommands, say


def cmd_reports_remind(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from dxmonitor.workflow.notify import send_reminders

    communes, sent = send_reminders(today=timezone.localdate(), days=args.days, dry_run=args.dry_run)
    if args.dry_run:
        say(f"{communes} communes have reports due within {args.days} days or late; nothing sent (--dry-run)")
    else:
        say(f"{communes} communes have reports due within {args.days} days or late; {sent} e-mails sent")
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    reports = sub.add_parser("reports", help="reports up the hierarchy").add_subparsers(
        dest="reports_command", required=True, metavar="ACTION"
    )
    remind = add(
        "remind",
        cmd_reports_remind,
        "e-mail each commune the reports it has due soon or late (run it daily, e.g. from cron)",
        parent=reports,
    )
    remind.add_argument(
        "--days", type=int, default=7, help="how many days ahead a deadline counts (default 7)"
    )
    remind.add_argument("--dry-run", action="store_true", help="count what would be sent, send nothing")
