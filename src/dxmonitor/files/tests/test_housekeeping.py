"""Uploads do not pile up: the scheduler's expiry removes them after DXM_UPLOADS_KEEP_DAYS, and a
user's kept uploads stay under DXM_UPLOAD_QUOTA_MB."""

import datetime
import os

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dxmonitor.collection.models import ImportJob
from dxmonitor.jobs import schedule

from .books import fill

pytestmark = pytest.mark.django_db

ICT = datetime.timezone(datetime.timedelta(hours=7))


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _upload(client, token: str, data: bytes, name: str = "bao-cao.xlsx"):
    return client.post("/api/v1/uploads", {"file": SimpleUploadedFile(name, data)}, **_auth(token))


def test_the_scheduler_removes_uploads_past_their_days_and_they_cannot_be_applied(
    client, clerk_token, template, var_dir, job_queue
):
    checked = _upload(client, clerk_token, fill(template, {"CTX.VILLAGES": 6})).json()
    assert checked["can_apply"]
    kept = sorted(p.name for p in (var_dir / "uploads").iterdir())
    assert kept == [checked["id"], f"{checked['id']}.values"]
    stray = var_dir / "uploads" / "stray.tmp"
    stray.write_bytes(b"left by nobody")
    two_days_before = datetime.datetime(2026, 12, 19, 3, 45, tzinfo=ICT).timestamp()
    os.utime(stray, (two_days_before, two_days_before))  # a file's age is the machine's, not the clock's

    # A day later the 03:30 slot finds nothing old enough.
    with time_machine.travel(datetime.datetime(2026, 11, 21, 3, 45, tzinfo=ICT), tick=False):
        started = schedule.tick()
        assert "files.expire" in [job.kind for job in started]
        job_queue()
    assert (var_dir / "uploads" / checked["id"]).exists()

    # Past DXM_UPLOADS_KEEP_DAYS (30) the next slot removes the files, and the stray file too.
    with time_machine.travel(datetime.datetime(2026, 12, 21, 3, 45, tzinfo=ICT), tick=False):
        (expire,) = [job for job in schedule.tick() if job.kind == "files.expire"]
        job_queue()
        expire.refresh_from_db()
        assert expire.status == "done" and expire.result["uploads"] == 1 and expire.result["files"] == 3
        assert list((var_dir / "uploads").iterdir()) == []
        refused = client.post(checked["apply_url"], **_auth(clerk_token))
    assert refused.status_code == 409 and "expired" in refused.json()["detail"]
    assert "hết hạn" in refused.json()["detail_vi"]
    report = client.get(checked["url"], **_auth(clerk_token)).json()
    assert report["check"]["created"] == 1, "the report stays"


def test_an_upload_past_the_users_quota_is_refused(client, clerk_token, template, var_dir, settings):
    data = fill(template, {"CTX.VILLAGES": 6})
    settings.DXM_UPLOAD_QUOTA_MB = 2.5 * len(data) / 1024 / 1024
    assert _upload(client, clerk_token, data).status_code == 200
    assert _upload(client, clerk_token, data).status_code == 200
    refused = _upload(client, clerk_token, data)
    assert refused.status_code == 413, refused.content
    assert "quota" in refused.json()["detail"] and "DXM_UPLOAD_QUOTA_MB" in refused.json()["detail"]
    assert "hạn mức" in refused.json()["detail_vi"]
    assert ImportJob.objects.count() == 2
