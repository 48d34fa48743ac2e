"""Background work on collected values: large payload imports, and the nightly re-check."""

import datetime
import uuid

from django.utils import timezone

from dxmonitor.jobs.registry import Context, background


@background("import.payload", title_en="Import of a payload of values", title_vi="Nhập gói số liệu")
def import_payload(context: Context) -> dict:
    from .jobs import run_import

    arguments = context.arguments
    return run_import(
        job_id=uuid.UUID(arguments["import"]),
        envelope=arguments.get("envelope") or {},
        api_client=arguments.get("api_client", ""),
        progress=context.progress,
        strategy=arguments.get("strategy", "CREATE_AND_UPDATE"),
        atomic=bool(arguments.get("atomic")),
    )


@background(
    "checks.scan",
    title_en="Re-check of the rules and outliers",
    title_vi="Kiểm tra lại quy tắc và giá trị bất thường",
    priority=-20,
)
def scan(context: Context) -> dict:
    """Every province of today's structure, each period of the current year: values written since
    can make an earlier figure stand out, and rules may have changed."""
    from dxmonitor.geo.queries import filter_units

    from .periods import parse_period
    from .rules import recheck

    slot = context.arguments.get("slot")
    today = timezone.localdate(datetime.datetime.fromisoformat(slot)) if slot else timezone.localdate()
    year = today.year
    periods = [str(year), *(f"{year}Q{q}" for q in range(1, 5)), *(f"{year}{m:02d}" for m in range(1, 13))]
    periods = [p for p in periods if parse_period(p).start <= today]
    provinces = list(filter_units(level="province", as_of=today).order_by("code"))
    totals = {"provinces": len(provinces), "periods": len(periods), "violations": 0, "flags": 0}
    steps = len(provinces) * len(periods)
    context.progress(0, steps)
    for i, province in enumerate(provinces):
        for j, period in enumerate(periods):
            report = recheck(within=province, period=period)
            totals["violations"] += report.violations.violations
            totals["flags"] += report.flags.open
            context.progress(i * len(periods) + j + 1, steps)
    return totals
