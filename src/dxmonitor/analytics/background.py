"""Background work on the analytics store: refreshes (after changes, and the nightly rebuild) and
the computation of scores, which reads the refreshed store."""

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


@background("scores.compute", title_en="Computation of scores and ranks", title_vi="Tính điểm và xếp hạng")
def compute(context: Context) -> dict:
    from dxmonitor.catalog.models import ScoringScheme
    from dxmonitor.catalog.schemes import require_version
    from dxmonitor.geo.models import Unit

    from .scoring import compute_scores

    arguments = context.arguments
    scheme = ScoringScheme.objects.get(code=arguments["scheme"])
    within = Unit.objects.get(pk=arguments["within"]) if arguments.get("within") else None
    report = compute_scores(
        scheme=scheme,
        period=arguments["period"],
        within=within,
        version=require_version(scheme, arguments["version"]),
        user=context.user,
    )
    return {**vars(report), "seconds": round(report.seconds, 3)}
