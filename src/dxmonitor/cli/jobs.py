"""Background jobs: the worker, the scheduler, and jobs seen and retried from the shell."""

import argparse

from .common import Adder, Subcommands, account, say


def cmd_worker(args: argparse.Namespace) -> int:
    from dxmonitor.jobs.worker import JobWorker

    return JobWorker(poll=args.poll, schedule=not args.no_scheduler, burst=args.burst, say=say).run()


def cmd_scheduler(args: argparse.Namespace) -> int:
    import time

    from dxmonitor.jobs import schedule

    if args.list:
        for row in schedule.describe():
            state = "on" if row["active"] else "off"
            last = f", last {row['last_slot']:%Y-%m-%d %H:%M}" if row["last_slot"] else ""
            say(f"{row['name']:<18} {row['at']} daily  {state:<3}  {row['kind']}: {row['description']}{last}")
        return 0
    while True:
        for job in schedule.tick():
            say(f"scheduled {job.kind} ({job.pk})")
        if args.once:
            return 0
        time.sleep(20)


def cmd_jobs_list(args: argparse.Namespace) -> int:
    from dxmonitor.jobs.models import Job
    from dxmonitor.jobs.queries import workers_alive

    found = Job.objects.select_related("user").order_by("-created_at")
    if args.status:
        found = found.filter(status=args.status)
    for job in found[: args.limit]:
        progress = f"{job.done}/{job.total}" if job.total else str(job.done)
        owner = job.user.get_username() if job.user else "-"
        say(
            f"{job.pk}  {job.status:<7} {job.kind:<18} {owner:<16} {progress:>15}  "
            f"{job.created_at:%Y-%m-%d %H:%M:%S}"
        )
        if job.error:
            say(f"    {job.error}")
    alive = workers_alive()
    say(f"{len(alive)} workers running" + "".join(f"\n    {w.id}" for w in alive))
    return 0


def cmd_jobs_retry(args: argparse.Namespace) -> int:
    from dxmonitor.jobs.actions import get_job, retry_job

    user = account(args.user)
    job = retry_job(job=get_job(job_id=args.job, user=user), user=user)
    say(f"job {job.pk} queued again")
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    worker = add("worker", cmd_worker, "run background jobs from the queue until stopped")
    worker.add_argument(
        "--no-scheduler", action="store_true", help="do not enqueue periodic jobs (another process does)"
    )
    worker.add_argument("--burst", action="store_true", help="run the jobs waiting now, then exit")
    worker.add_argument(
        "--poll",
        type=float,
        default=None,
        help="seconds between looks at the queue (DXM_WORKER_POLL_SECONDS)",
    )
    scheduler = add("scheduler", cmd_scheduler, "enqueue the periodic jobs when their time comes")
    scheduler.add_argument("--list", action="store_true", help="show the periodic jobs and exit")
    scheduler.add_argument("--once", action="store_true", help="enqueue what is due now and exit (for cron)")

    jobs = sub.add_parser("jobs", help="background jobs").add_subparsers(
        dest="jobs_command", required=True, metavar="ACTION"
    )
    listing = add("list", cmd_jobs_list, "the latest background jobs and the workers running", jobs)
    listing.add_argument("--status", choices=["queued", "running", "done", "failed"])
    listing.add_argument("--limit", type=int, default=20)
    retry = add("retry", cmd_jobs_retry, "run a failed job again", jobs)
    retry.add_argument("job", help="the job's id")
    retry.add_argument(
        "--user", required=True, help="the account retrying it (its owner or an administrator)"
    )
