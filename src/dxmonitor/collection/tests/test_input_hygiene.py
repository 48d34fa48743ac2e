"""Control characters, lengths and magnitudes refused on every channel with a clear 400: the API,
bulk payloads, files, pages and the command line."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dxmonitor.cli import main
from dxmonitor.collection.models import Value

pytestmark = pytest.mark.django_db

ONE = {"unit": "098", "indicator": "CTX.VILLAGES", "period": "2024", "value": 12}


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post_value(client, token: str, body: dict):
    one = {("unit_code" if key == "unit" else key): value for key, value in body.items()}
    return client.post("/api/v1/values", json.dumps(one), content_type="application/json", **bearer(token))


def post_bulk(client, token: str, values: list[dict]):
    return client.post(
        "/api/v1/dataValueSets",
        json.dumps({"values": values}),
        content_type="application/json",
        **bearer(token),
    )


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\x7f"])
def test_a_control_character_in_a_value_is_a_400_not_a_server_error(client, admin_token, bad):
    response = post_value(client, admin_token, {**ONE, "note": f"báo cáo{bad}quý"})
    assert response.status_code == 400, response.content
    assert "note: the text holds a control character" in response.json()["detail"]
    assert "ký tự điều khiển" in response.json()["detail_vi"]
    assert post_value(client, admin_token, {**ONE, "note": "dòng một\ndòng hai\tcột"}).status_code == 201
    assert [v.note for v in Value.objects.all()] == ["dòng một\ndòng hai\tcột"]


def test_bulk_values_with_control_characters_or_overlong_notes_are_refused_one_by_one(client, admin_token):
    values = [
        {**ONE, "note": "tốt"},
        {**ONE, "period": "2023", "note": "a\x00b"},
        {**ONE, "period": "2022", "unit": "09\x008"},
        {**ONE, "period": "2021", "note": "x" * 2_001},
    ]
    body = post_bulk(client, admin_token, values).json()
    assert body["created"] == 1 and body["rejected"] == 3
    reasons = {r["index"]: (r["field"], r["message"]) for r in body["rejections"]}
    assert reasons[1] == ("note", "note: the text holds a control character (U+0000); remove it")
    assert reasons[2][0] == "unit_code" and "U+0000" in reasons[2][1]
    assert reasons[3] == ("note", "note: at most 2,000 characters (2,001 given)")


def test_a_count_beyond_any_sane_figure_is_refused(client, admin_token):
    response = post_value(client, admin_token, {**ONE, "indicator": "CTX.HOUSEHOLDS", "value": 1e29})
    assert response.status_code == 400
    assert (
        "value 1e+29 is beyond what CTX.HOUSEHOLDS can be (at most 1,000,000,000,000)"
        in (response.json()["detail"])
    )
    body = post_bulk(client, admin_token, [{**ONE, "indicator": "CTX.HOUSEHOLDS", "value": 1e29}]).json()
    assert body["rejected"] == 1 and "beyond what" in body["rejections"][0]["message"]
    assert (
        post_value(client, admin_token, {**ONE, "indicator": "CTX.HOUSEHOLDS", "value": 25_000}).status_code
        == 201
    )


def test_query_parameters_and_forms_with_control_characters_are_refused(client, admin_token):
    api = client.get("/api/v1/units", {"q": "Tủa\x00Chùa"})
    assert api.status_code == 400 and "q: the text holds a control character (U+0000)" in api.json()["detail"]
    page = client.get("/search/", {"q": "Tủa\x00Chùa"})
    assert page.status_code == 400, page.content[:300]
    assert page.status_code == 400 and "ký tự điều khiển (U+0000)" in page.content.decode()
    form = client.post("/login/", {"username": "quantri\x01", "password": "x"})
    assert form.status_code == 400, form.content[:300]
    assert form.status_code == 400 and "username" in form.content.decode()
    upload = client.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile("bao\x07cao.csv", b"a,b\n")}, **bearer(admin_token)
    )
    assert upload.json()["file_name"] == "baocao.csv", "Django drops control characters from file names"


def test_a_file_row_with_a_control_character_is_reported_at_its_row(client, admin_token):
    text = "unit_code,indicator,period,value,note\n098,CTX.VILLAGES,2024,12,tốt\n"
    text += "098,CTX.HOUSEHOLDS,2024,9,a\x1bb\n"  # a NUL makes it binary data, refused whole
    answer = client.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile("so-lieu.csv", text.encode())}, **bearer(admin_token)
    ).json()
    assert "check" in answer, answer
    (problem,) = answer["check"]["problems"]
    assert problem["row"] == 3 and problem["column"] == "E" and "control character" in problem["message_en"]


def test_the_command_line_refuses_control_characters_in_its_arguments(capsys):
    assert main(["user", "create", "ten\x1bmoi", "--password-stdin"]) == 1
    err = capsys.readouterr().err
    assert "--username: the text holds a control character (U+001B)" in err and "ký tự điều khiển" in err
