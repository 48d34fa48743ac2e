"""Background work of the portal: counting the public figures for its first pages."""

from dxmonitor.jobs.registry import Context, background

from .actions import KIND, summarise


@background(KIND, title_en="Count of the public figures", title_vi="Đếm số liệu công khai", priority=-10)
def summarise_public(context: Context) -> dict:
    summary = summarise()
    return {"changes_upto": summary.changes_upto, **summary.counts}
