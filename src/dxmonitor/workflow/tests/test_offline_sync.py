"""Figures queued on a device without a connection, sent through the values API with their base."""

import json

import pytest

from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType, Value, ValueChange

pytestmark = pytest.mark.django_db

API = "/api/v1/values"
OFFLINE_AT = "2026-11-19T15:30:00+07:00"


def send(client, unit, period, code, *, base: int, keep: str | None = None, **parts):
    body = {
        "unit_id": unit.pk,
        "indicator": code,
        "period": period.code,
        "base_version": base,
        "entered_offline_at": OFFLINE_AT,
        **parts,
    }
    if keep:
        body["keep"] = keep
    return client.post(API, json.dumps(body), content_type="application/json")


@pytest.fixture
def colleague(db, commune):
    """A second officer of the same commune, entering from the office while the first is away."""
    from dxmonitor.accounts.actions import ensure_user, grant_role

    user, _ = ensure_user(username="canbo.vanphong", password="mat-khau-dai-321")
    user.first_name, user.last_name = "Lò Thị", "Hoa"
    user.save()
    grant_role(user=user, role="data_entry", unit=commune)
    return user


def _value(unit, code, period) -> Value:
    return Value.objects.get(unit=unit, indicator__code=code, period=period.code)


def _by_colleague(colleague, commune, period, code: str, number: float) -> Value:
    from dxmonitor.catalog.models import Indicator

    return record_value(
        unit=commune,
        indicator=Indicator.objects.get(code=code),
        period=period.code,
        value=number,
        provenance=Provenance(source_type=SourceType.FORM),
        user=colleague,
    ).value


def test_a_queued_figure_on_a_current_base_is_applied_and_marked_offline(
    clerk_client, quarterly, commune, current_quarter
):
    response = send(clerk_client, commune, current_quarter, "CTX.HOUSEHOLDS", base=0, value="1.234,5")
    assert response.status_code == 201, response.content
    value = _value(commune, "CTX.HOUSEHOLDS", current_quarter)
    assert value.value == 1234.5 and value.source_type == SourceType.FORM
    history = clerk_client.get(f"{API}/{value.pk}/history").json()
    assert history[0]["entered_offline_at"].startswith("2026-11-19T")
    # The same figure again (a retried send) changes nothing.
    again = send(clerk_client, commune, current_quarter, "CTX.HOUSEHOLDS", base=1, value="1.234,5")
    assert again.json()["outcome"] == "unchanged"


def test_own_later_saves_are_no_conflict(clerk_client, clerk, quarterly, commune, current_quarter):
    send(clerk_client, commune, current_quarter, "CTX.HOUSEHOLDS", base=0, value="100")
    response = send(clerk_client, commune, current_quarter, "CTX.HOUSEHOLDS", base=0, value="120")
    assert response.status_code == 200 and response.json()["outcome"] == "updated"


def test_someone_elses_change_is_a_conflict_and_nothing_is_overwritten(
    clerk_client, colleague, quarterly, commune, current_quarter
):
    _by_colleague(colleague, commune, current_quarter, "CTX.HOUSEHOLDS", 900)
    response = send(clerk_client, commune, current_quarter, "CTX.HOUSEHOLDS", base=0, value="950")
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"]["by"] == "Lò Thị Hoa" and body["conflict"]["value"] == 900
    assert body["conflict"]["display"] == "900 hộ" and body["conflict"]["version"] == 1
    assert "Lò Thị Hoa" in body["detail_vi"]
    assert _value(commune, "CTX.HOUSEHOLDS", current_quarter).value == 900
    # The same figure as theirs is no conflict.
    same = send(clerk_client, commune, current_quarter, "CTX.HOUSEHOLDS", base=0, value="900")
    assert same.status_code == 200 and same.json()["outcome"] == "unchanged"


def test_keeping_mine_writes_it_after_theirs(clerk_client, colleague, quarterly, commune, current_quarter):
    _by_colleague(colleague, commune, current_quarter, "CTX.HOUSEHOLDS", 900)
    response = send(
        clerk_client, commune, current_quarter, "CTX.HOUSEHOLDS", base=0, value="950", keep="mine"
    )
    assert response.status_code == 200, response.content
    value = _value(commune, "CTX.HOUSEHOLDS", current_quarter)
    changes = list(ValueChange.objects.filter(value=value).order_by("version"))
    assert [c.after["value"] for c in changes] == [900, 950]
    assert changes[1].entered_offline_at is not None and "Lò Thị Hoa" in changes[1].reason


def test_keeping_theirs_keeps_both_in_the_history(
    clerk_client, clerk, colleague, quarterly, commune, current_quarter
):
    _by_colleague(colleague, commune, current_quarter, "CTX.HOUSEHOLDS", 900)
    response = send(
        clerk_client, commune, current_quarter, "CTX.HOUSEHOLDS", base=0, value="950", keep="theirs"
    )
    assert response.status_code == 200, response.content
    value = _value(commune, "CTX.HOUSEHOLDS", current_quarter)
    assert value.value == 900
    changes = list(ValueChange.objects.filter(value=value).order_by("version"))
    assert [(c.after["value"], c.changed_by_id) for c in changes] == [
        (900, colleague.pk),
        (950, clerk.pk),
        (900, clerk.pk),
    ]
    assert changes[1].entered_offline_at is not None and changes[2].entered_offline_at is None


def test_a_queued_figure_is_checked_as_any_write(
    clerk_client, client, quarterly, commune, other_commune, current_quarter, closed_quarter
):
    wrong = send(
        clerk_client,
        commune,
        current_quarter,
        "AWR.CDT_VILLAGE_COVERAGE",
        base=0,
        numerator="12",
        denominator="10",
    )
    assert wrong.status_code == 400
    assert "Tử số 12 lớn hơn mẫu số 10" in json.dumps(wrong.json(), ensure_ascii=False)
    closed = send(clerk_client, commune, closed_quarter, "CTX.HOUSEHOLDS", base=0, value="10")
    assert closed.status_code == 400 and closed.json()["errors"][0]["field"] == "period"
    elsewhere = send(clerk_client, other_commune, current_quarter, "CTX.HOUSEHOLDS", base=0, value="10")
    assert elsewhere.status_code == 403
    client.logout()
    assert send(client, commune, current_quarter, "CTX.HOUSEHOLDS", base=0, value="10").status_code == 401
