"""A large payload posted to a real `dxmonitor serve` is imported by its background worker.

The other tests run background jobs at once, in the test's transaction; here a real server on
a fresh var folder (prepared by `dxmonitor demo --no-serve`, as the browser suite does) answers
202 and the job worker `serve` started imports while the test polls the job. The server runs
on SQLite, or on a fresh PostgreSQL database of the same server when the surrounding run uses
PostgreSQL.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.live_server import live_server

INDICATORS = [
    "CTX.VILLAGES",
    "CTX.HOUSEHOLDS",
    "CTX.POPULATION",
    "CTX.OFFICIALS",
    "HR.DX_TRAINEES",
    "INF.BTS_STATIONS",
]


@pytest.fixture(scope="module")
def server() -> Iterator[dict]:
    with live_server("bulk-server") as live:
        token = live.run("token", "create", live.username, "e2e").strip().splitlines()[-1]
        yield {"url": live.url, "token": token, "var_dir": live.var_dir}


def _call(server: dict, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(server["url"] + path, data=body, method=method)
    request.add_header("Authorization", f"Bearer {server['token']}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _wait(server: dict, status_url: str) -> dict:
    deadline = time.monotonic() + 240
    seen = set()
    while True:
        code, job = _call(server, "GET", status_url)
        assert code == 200, job
        seen.add(job["status"])
        if job["status"] in ("done", "failed"):
            job["seen"] = seen
            return job
        assert job["processed"] <= max(job["total"], 0) or job["total"] == 0
        assert time.monotonic() < deadline, f"the job did not finish: {job}"
        time.sleep(0.3)


def test_a_large_payload_is_imported_by_the_background_worker(server):
    code, units = _call(server, "GET", "/api/v1/units?level=commune&as_of=2012-12-31&limit=1000")
    assert code == 200 and len(units["items"]) == 1000
    values = [
        {"unit": unit["code"], "indicator": indicator, "period": "2012", "value": (n % 50) + 1}
        for n, (unit, indicator) in enumerate((u, i) for u in units["items"] for i in INDICATORS)
    ]
    body = json.dumps({"values": values}).encode()
    assert len(values) == 6000

    code, accepted = _call(server, "POST", "/api/v1/dataValueSets", body)
    assert code == 202, accepted
    assert accepted["status_url"] == f"/api/v1/imports/{accepted['id']}"
    job = _wait(server, accepted["status_url"])
    assert job["status"] == "done", job
    assert job["total"] == job["processed"] == 6000
    result = job["result"]
    assert (result["created"], result["updated"], result["rejected"]) == (6000, 0, 0), result
    assert not list((server["var_dir"] / "imports").iterdir()), "the spooled payload is removed"

    code, listed = _call(server, "GET", f"/api/v1/values?unit={units['items'][0]['id']}&period=2012")
    assert listed["count"] == len(INDICATORS)

    code, again = _call(server, "POST", "/api/v1/dataValueSets", body)
    assert code == 202
    repeated = _wait(server, again["status_url"])["result"]
    assert (repeated["created"], repeated["updated"], repeated["unchanged"]) == (0, 0, 6000)


def _post_raw(server: dict, path: str, body: bytes) -> tuple[int, dict, dict]:
    request = urllib.request.Request(server["url"] + path, data=body, method="POST")
    request.add_header("Authorization", f"Bearer {server['token']}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"not_json": raw[:200].decode("utf-8", "replace")}
        return error.code, dict(error.headers), body


def test_concurrent_writers_of_overlapping_payloads_get_answers(server):
    """20 clients post overlapping values at once, in different orders, through our format and
    DHIS2's, and single figures between: each gets an answer (200, or 503 with Retry-After and a
    JSON body), the version a single figure's answer names is the version stored with it, and
    every stored value's history runs 1, 2, … up to its version."""
    import random
    import threading

    code, units = _call(server, "GET", "/api/v1/units?level=commune&as_of=2012-12-31&limit=30&offset=2000")
    assert code == 200 and len(units["items"]) == 30
    codes = [unit["code"] for unit in units["items"]]
    keys = [(c, i) for c in codes for i in ("CTX.VILLAGES", "CTX.OFFICIALS")]
    mappings = [{"kind": "org_unit", "dhis2_id": f"OU{c}", "unit_code": c} for c in codes] + [
        {"kind": "data_element", "dhis2_id": f"DE_{i.replace('.', '_')}", "indicator": i}
        for i in ("CTX.VILLAGES", "CTX.OFFICIALS")
    ]
    body = json.dumps({"mappings": mappings, "as_of": "2013-06-30"}).encode()
    code, loaded = _call(server, "POST", "/api/v1/dhis2/mappings", body)
    assert code == 200, loaded

    answers: list[tuple[int, dict, dict]] = []
    singles: list[tuple[int, dict]] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def writer(number: int) -> None:
        chooser = random.Random(number)
        start.wait()
        for round_ in range(3):
            chosen = chooser.sample(keys, 40)
            figure = number * 10 + round_ + 1
            if number % 2:
                payload = {"dataValues": [
                    {"orgUnit": f"OU{c}", "dataElement": f"DE_{i.replace('.', '_')}", "period": "2013",
                     "value": str(figure)} for c, i in chosen
                ]}  # fmt: skip
                path = "/api/dataValueSets"
            else:
                payload = {"values": [
                    {"unit": c, "indicator": i, "period": "2013", "value": figure} for c, i in chosen
                ]}  # fmt: skip
                path = "/api/v1/dataValueSets"
            answer = _post_raw(server, path, json.dumps(payload).encode())
            with lock:
                answers.append(answer)
            # One figure through the single-value API between payloads: its answer names the
            # version it became, which must be the version stored with that figure.
            unit, indicator = chooser.choice(keys)
            single = {"unit_code": unit, "indicator": indicator, "period": "2013", "value": 1000 + figure}
            code, _headers, body = _post_raw(server, "/api/v1/values", json.dumps(single).encode())
            with lock:
                singles.append((code, body))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(answers) == 60
    codes_seen = sorted(code for code, _, _ in answers)
    for code, headers, body in answers:
        assert code in (200, 503), (code, body)
        assert "not_json" not in body, body
        if code == 503:
            assert int(headers.get("Retry-After", "0")) > 0, (code, headers, body)
    assert codes_seen.count(200) >= 50, codes_seen

    assert len(singles) == 60
    told: dict[tuple[int, int], float] = {}
    for code, body in singles:
        assert code in (200, 201, 503), (code, body)
        if code != 503:
            key = (body["value"]["id"], body["value"]["version"])
            assert key not in told, f"two writes answered the same version: {key}"
            told[key] = body["value"]["value"]
    for (value_id, version), figure in told.items():
        code, history = _call(server, "GET", f"/api/v1/values/{value_id}/history")
        stored = {change["version"]: change for change in history}
        assert version in stored, (value_id, version, sorted(stored))
        assert stored[version]["after"]["value"] == figure, (value_id, version, stored[version])

    for unit in units["items"][:10]:
        code, listed = _call(server, "GET", f"/api/v1/values?unit={unit['id']}&period=2013")
        assert code == 200
        for value in listed["items"]:
            code, history = _call(server, "GET", f"/api/v1/values/{value['id']}/history")
            assert code == 200, history
            versions = sorted(change["version"] for change in history)
            assert versions == list(range(1, value["version"] + 1)), (value, versions)
