"""DHIS2's ImportSummary: counts, conflicts with DHIS2's error codes, and the import options."""

from dxmonitor.common.errors import DomainError

from .bulk import BulkSummary
from .dhis2 import SEP
from .payloads import sorted_rejections


def _object(ref: str, field_name: str) -> str:
    if SEP not in ref:
        return ref
    element, org_unit, period = [*ref.split(SEP), "", ""][:3]
    if field_name == "unit":
        return org_unit
    if field_name == "period":
        return period or element
    return element


def error_code(field_name: str, message: str) -> str:
    """DHIS2's error code for a conflict, so that clients can tell kinds of conflict apart."""
    if field_name in ("orgUnit",) or (field_name == "unit" and "outside" not in message):
        return "E7612"
    if field_name == "unit":
        return "E7617"
    if field_name in ("dataElement", "indicator"):
        return "E7610"
    if field_name == "categoryOptionCombo":
        return "E7613"
    if field_name == "period":
        if "submitted" in message or "closed" in message:
            return "E7642"
        return "E7643" if "not open" in message else "E7611"
    if "empty" in message or "missing" in message:
        return "E7618"
    return "E7619"


def import_options(*, dry_run: bool, strategy: str = "CREATE_AND_UPDATE", asynchronous: bool = False) -> dict:
    return {
        "idSchemes": {},
        "dryRun": dry_run,
        "async": asynchronous,
        "importStrategy": strategy,
        "mergeMode": "REPLACE",
        "reportMode": "FULL",
        "skipExistingCheck": False,
        "sharing": False,
        "skipNotifications": False,
        "skipAudit": False,
        "force": False,
        "firstRowIsHeader": True,
    }


def _conflict(rejection) -> dict:
    objects = {}
    if SEP in rejection.ref:
        element, org_unit, period = [*rejection.ref.split(SEP), "", ""][:3]
        objects = {"dataElement": element, "orgUnit": org_unit, "period": period}
    return {
        "object": _object(rejection.ref, rejection.field),
        "objects": objects,
        "value": rejection.message_en,
        "value_vi": rejection.message_vi,
        "errorCode": error_code(rejection.field, rejection.message_en),
        "property": rejection.field,
        "indexes": [rejection.row] if rejection.row is not None else [],
    }


def import_summary(
    summary: BulkSummary, *, dry_run: bool, strategy: str = "CREATE_AND_UPDATE", deleted: int = 0
) -> dict:
    """DHIS2's ImportSummary: counts, conflicts (object, message, error code, indexes), status."""
    kept = summary.created + summary.updated + summary.unchanged + deleted
    status = "SUCCESS" if not summary.rejected else ("WARNING" if kept else "ERROR")
    description = "Import process completed successfully"
    if summary.rejected:
        description = f"Import process completed with {summary.rejected} conflicts"
        if not kept:
            description = "Import process failed: no value could be imported"
    if dry_run:
        description += " (dry run: nothing was saved)"
    elif not summary.applied:
        # atomicMode ALL met a conflict: the whole payload was rolled back.
        status, kept = "ERROR", 0
        description = f"Import was aborted (atomicMode ALL): {summary.rejected} conflicts, nothing was saved"
    conflicts = [_conflict(r) for r in sorted_rejections(summary)]
    return {
        "responseType": "ImportSummary",
        "status": status,
        "description": description,
        "importOptions": import_options(dry_run=dry_run, strategy=strategy),
        "importCount": {
            "imported": summary.created,
            "updated": summary.updated,
            "ignored": summary.unchanged + summary.rejected,
            "deleted": deleted,
        },
        "conflicts": conflicts,
        "rejectedIndexes": sorted({i for c in conflicts for i in c["indexes"]}),
        "dataSetComplete": "false",
    }


def refused_summary(exc: DomainError, *, dry_run: bool) -> dict:
    """An ImportSummary for a payload refused whole (unsupported option, unreadable body)."""
    return {
        "responseType": "ImportSummary",
        "status": "ERROR",
        "description": exc.message_en,
        "importOptions": import_options(dry_run=dry_run),
        "importCount": {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0},
        "conflicts": [
            {
                "object": exc.field,
                "objects": {},
                "value": exc.message_en,
                "value_vi": exc.message_vi,
                "errorCode": "",
                "property": exc.field,
                "indexes": [],
            }
        ],
        "rejectedIndexes": [],
        "dataSetComplete": "false",
    }
