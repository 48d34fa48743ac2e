"""Background work on the analytics store: refreshes (after changes, and the nightly rebuild)."""

from dxmonitor.jobs.registry import Context, background

from .actions import refresh_store


@background(
    "analytics.refresh",
    title_en="Refresh of the analytics figures",
    title_vi="Cập nhật số liệu phân tích",
    priority=-10,
)
def refresh(context: Context) -> dict:
    report = refresh_store(full=bool(context.arguments.get("full")))
    return {
        "full": report.full,
        "values": report.values,
        "years": report.years,
        "figures": report.figures,
        "seconds": round(report.seconds, 3),
    }
