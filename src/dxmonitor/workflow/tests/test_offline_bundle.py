"""What the entry form keeps on the device: the bundle, the service worker and the manifest."""

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.expressions import parse_expression
from dxmonitor.common.errors import DomainError
from dxmonitor.workflow.actions import save_entry
from dxmonitor.workflow.offline import CHECKS, LABELS, _tree
from dxmonitor.workflow.views import _messages

from .conftest import form_path

pytestmark = pytest.mark.django_db


def _message(key: str, **values) -> str:
    return CHECKS[key][1].format(**values)


def _refusal(quarterly, commune, current_quarter, clerk, code: str, **typed) -> list[str]:
    with pytest.raises(DomainError) as caught:
        save_entry(
            dataset=quarterly,
            report_unit=commune,
            unit=commune,
            indicator=Indicator.objects.get(code=code),
            period=current_quarter,
            user=clerk,
            **typed,
        )
    return _messages(caught.value, "vi")  # what the form shows beside the cell


def test_the_devices_checks_say_what_the_server_says(quarterly, commune, current_quarter, clerk):
    refuse = lambda code, **typed: _refusal(quarterly, commune, current_quarter, clerk, code, **typed)  # noqa: E731
    assert refuse("CTX.HOUSEHOLDS", value="12a") == [_message("nan", label=LABELS["v"][1], text="12a")]
    assert refuse("AWR.CDT_VILLAGE_COVERAGE", numerator="3") == [_message("both")]
    assert _message("over", top="12", bottom="10") in refuse(
        "AWR.CDT_VILLAGE_COVERAGE", numerator="12", denominator="10"
    )
    assert refuse("AWR.CDT_VILLAGE_COVERAGE", numerator="1", denominator="0") == [_message("denominator")]
    assert refuse("GOV.ONLINE_DOSSIER_RATE", value="abc", numerator="1") == [_message("both")]
    assert refuse("CTX.HOUSEHOLDS", value="-5") == [_message("negative", number="-5")]
    assert refuse("GOV.ONLINE_DOSSIER_RATE", value="123,5") == [_message("percent", number=f"{123.5:g}")]


def test_a_rule_travels_as_a_tree():
    expression = parse_expression("AWR.CDT_VILLAGE_COVERAGE.numerator * 2 - -1")
    assert _tree(expression.node) == [
        "-",
        ["*", ["r", "AWR.CDT_VILLAGE_COVERAGE", "numerator"], ["n", 2.0]],
        ["-", ["n", 1.0]],
    ]


def test_the_bundle_lists_the_officers_forms_rules_and_checks(
    clerk_client, quarterly, commune, current_quarter, closed_quarter
):
    body = clerk_client.get("/api/v1/offline").json()
    assert body["user"] == "canboxa"
    urls = [f["url"] for f in body["forms"]]
    assert form_path(quarterly, commune, current_quarter) in urls
    assert urls.index(form_path(quarterly, commune, current_quarter)) < urls.index(
        form_path(quarterly, commune, closed_quarter)
    ), "the periods that take figures come first"
    assert body["pages"][0] == "/collect/" and set(urls) <= set(body["pages"])
    assert body["rules"] and all(
        {"left", "right", "operator", "name", "severity"} <= set(r) for r in body["rules"]
    )
    assert body["checks"]["messages"]["both"] == CHECKS["both"][1]
    assert "CTX.HOUSEHOLDS" in body["catalogue"]


def test_the_bundle_is_for_signed_in_users_only(client, quarterly):
    assert client.get("/api/v1/offline").status_code == 401


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert "/static/web/offline.js" in body and "/collect/" in body and "/api/v1/offline" in body
    assert "no-cache" in response["Cache-Control"]
    assert "http://" not in body and "https://" not in body, "nothing from another host"


def test_the_manifest_makes_the_entry_pages_installable(client):
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/collect/" and manifest["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert manifest["short_name"] == "Nhập số liệu"


def test_the_entry_pages_link_the_app(clerk_client, quarterly, commune, current_quarter):
    for path in ("/collect/", form_path(quarterly, commune, current_quarter)):
        html = clerk_client.get(path).content.decode()
        assert 'rel="manifest"' in html and "web/offline.js" in html
        assert 'data-user="canboxa"' in html
