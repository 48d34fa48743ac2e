"""The queue, the worker, recovery from a dead worker, retry, the schedule, the page and the API."""

import datetime
import json

import pytest
from django.core import mail
from django.utils import timezone

from dxmonitor.common.errors import DomainError
from dxmonitor.jobs import actions, schedule
from dxmonitor.jobs.models import Job, ScheduledRun
from dxmonitor.jobs.registry import KINDS, background

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


@background("test.echo", title_en="Echo", title_vi="Lặp lại")
def echo(context):
    CALLS.append(context.arguments)
    if context.arguments.get("fail"):
        raise DomainError("the file is not a table", "Tệp không phải là bảng")
    if context.arguments.get("crash"):
        raise RuntimeError("boom")
    context.progress(3, 3)
    return {"echo": context.arguments.get("word", "")}


@pytest.fixture(autouse=True)
def _forget_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_queued_job_waits_for_a_worker_then_runs_once(admin, job_queue):
    job = actions.enqueue(kind="test.echo", user=admin, arguments={"word": "xin chào"})
    assert job.status == "queued" and job.task_id and CALLS == []
    assert job_queue() == 1
    job.refresh_from_db()
    assert (job.status, job.result, job.done, job.total, job.attempts) == (
        "done",
        {"echo": "xin chào"},
        3,
        3,
        1,
    )
    assert job.started_at and job.finished_at and job.lease_until is None
    assert job_queue() == 0, "nothing is left in the queue"
    assert len(CALLS) == 1


def test_a_job_handed_out_twice_runs_once(admin, job_queue):
    job = actions.enqueue(kind="test.echo", user=admin)
    actions._dispatch(job)  # a second queue entry for the same job
    assert job_queue() == 2
    assert len(CALLS) == 1
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_refused_job_fails_with_its_reason_and_can_be_retried(admin, job_queue):
    job = actions.enqueue(kind="test.echo", user=admin, arguments={"fail": True})
    job_queue()
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "the file is not a table"
    assert job.error_vi == "Tệp không phải là bảng"
    job.arguments = {"word": "fixed"}
    job.save()
    again = actions.retry_job(job=job, user=admin)
    assert again.status == "queued" and again.error == ""
    job_queue()
    again.refresh_from_db()
    assert again.status == "done" and again.result == {"echo": "fixed"}


def test_an_unexpected_error_fails_the_job_with_what_went_wrong(admin, job_queue):
    job = actions.enqueue(kind="test.echo", user=admin, arguments={"crash": True})
    job_queue()
    job.refresh_from_db()
    assert job.status == "failed" and "RuntimeError: boom" in job.error and "Lỗi hệ thống" in job.error_vi


def test_the_job_of_a_dead_worker_is_queued_again_then_failed_after_its_attempts(admin, job_queue):
    from django_tasks_db.models import DBTaskResult

    job = actions.enqueue(kind="test.echo", user=admin, arguments={"word": "again"})
    # A worker took it and died: running, its lease run out, its queue entry running forever.
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING")
    past = timezone.now() - datetime.timedelta(seconds=5)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, worker="gone:1:x", lease_until=past)
    assert actions.recover_jobs() == 1
    job.refresh_from_db()
    assert job.status == "queued" and job.worker == "" and job.attempts == 1
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"
    job_queue()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == ("done", 2, {"echo": "again"})

    # Every attempt dying: failed with the reason, never queued forever.
    stuck = actions.enqueue(kind="test.echo", user=admin)
    Job.objects.filter(pk=stuck.pk).update(status="running", attempts=3, worker="gone:2:y", lease_until=past)
    assert actions.recover_jobs() == 1
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "stopped 3 times" in stuck.error and "3 lần" in stuck.error_vi
    # A job whose lease still runs is left alone.
    alive = actions.enqueue(kind="test.echo", user=admin)
    later = timezone.now() + datetime.timedelta(seconds=60)
    Job.objects.filter(pk=alive.pk).update(status="running", attempts=1, worker="busy:3:z", lease_until=later)
    assert actions.recover_jobs() == 0


def test_only_a_failed_job_is_retried_and_only_by_its_owner_or_an_administrator(admin, officer, job_queue):
    job = actions.enqueue(kind="test.echo", user=officer, arguments={"fail": True})
    with pytest.raises(DomainError) as refused:
        actions.retry_job(job=job, user=officer)
    assert refused.value.status == 409
    job_queue()
    job.refresh_from_db()
    other = actions.enqueue(kind="test.echo", user=admin)
    with pytest.raises(DomainError) as hidden:
        actions.get_job(job_id=other.pk, user=officer)
    assert hidden.value.status == 404
    assert actions.retry_job(job=job, user=admin).status == "queued"


def test_each_slot_of_a_periodic_job_runs_once_whatever_the_number_of_schedulers(job_queue):
    at = timezone.make_aware(datetime.datetime(2026, 11, 20, 7, 30))
    started = schedule.tick(now=at)
    kinds = sorted(j.kind for j in started)
    assert "reports.remind" in kinds and "analytics.refresh" not in kinds, kinds
    # A second scheduler at the same moment, and the first one again a minute later: nothing more.
    assert schedule.tick(now=at) == []
    assert schedule.tick(now=at + datetime.timedelta(minutes=1)) == []
    slot = timezone.make_aware(datetime.datetime(2026, 11, 20, 7, 0))
    run = ScheduledRun.objects.get(name="reminders")
    assert run.slot == slot and run.job.kind == "reports.remind"
    assert run.job.arguments == {"days": 7, "slot": slot.isoformat()}
    # Past its grace a missed slot is skipped; the next day's slot runs.
    assert [j.kind for j in schedule.tick(now=at + datetime.timedelta(hours=5))] == []
    next_day = schedule.tick(now=at + datetime.timedelta(days=1))
    assert "reports.remind" in [j.kind for j in next_day]
    assert ScheduledRun.objects.filter(name="reminders").count() == 2


def test_an_operator_turns_a_periodic_job_off(settings):
    settings.DXM_SCHEDULE_DISABLE = "reminders, checks-scan"
    at = timezone.make_aware(datetime.datetime(2026, 11, 20, 7, 30))
    assert [p.name for p, _slot in schedule.due(now=at)] == ["uploads-expire", "jobs-prune"]
    described = {row["name"]: row for row in schedule.describe(now=at)}
    assert described["reminders"]["active"] is False and described["jobs-prune"]["active"] is True


def test_the_reminders_job_e_mails_like_the_command(job_queue):
    job = actions.enqueue(kind="reports.remind", arguments={"days": 7})
    job_queue()
    job.refresh_from_db()
    assert job.status == "done" and set(job.result) == {"communes", "sent"}
    assert job.result["sent"] == len(mail.outbox)


def test_jobs_page_and_api_show_own_jobs_and_administrators_everyone(
    client, admin, officer, officer_token, job_queue
):
    mine = actions.enqueue(kind="test.echo", user=officer, arguments={"fail": True})
    theirs = actions.enqueue(kind="test.echo", user=admin)
    listed = client.get("/api/v1/jobs", **bearer(officer_token)).json()
    assert [j["id"] for j in listed["items"]] == [str(mine.pk)] and listed["queued"] == 2
    assert listed["workers"] == []
    assert client.get(f"/api/v1/jobs/{theirs.pk}", **bearer(officer_token)).status_code == 404
    assert client.get("/api/v1/jobs").status_code == 401

    client.force_login(officer)
    page = client.get("/jobs/").content.decode()
    assert str(mine.pk) in page and str(theirs.pk) not in page
    assert "Chưa có tiến trình xử lý nào đang chạy" in page, "no worker runs: the page says so"

    job_queue()
    detail = client.get(f"/jobs/{mine.pk}/").content.decode()
    assert "Tệp không phải là bảng" in detail and 'data-status="failed"' in detail
    shown = client.get(f"/api/v1/jobs/{mine.pk}", **bearer(officer_token)).json()
    assert (shown["status"], shown["error"], shown["can_retry"]) == (
        "failed",
        "the file is not a table",
        True,
    )
    assert client.get(f"/jobs/{theirs.pk}/").status_code == 404

    retried = client.post(f"/jobs/{mine.pk}/retry/")
    assert retried.status_code == 302 and Job.objects.get(pk=mine.pk).status == "queued"
    again = client.post(f"/api/v1/jobs/{mine.pk}/retry", **bearer(officer_token))
    assert again.status_code == 409 and "only a failed job" in again.json()["detail"]

    client.force_login(admin)
    everyone = client.get("/api/v1/jobs?all=true").json()
    assert {j["id"] for j in everyone["items"]} >= {str(mine.pk), str(theirs.pk)}
    assert client.get("/api/v1/jobs?status=lost").status_code == 400
    assert str(theirs.pk) in client.get("/jobs/?all=1").content.decode()


def test_jobs_are_kept_for_a_while_then_removed(admin, job_queue):
    old = actions.enqueue(kind="test.echo", user=admin)
    job_queue()
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=40))
    fresh = actions.enqueue(kind="test.echo", user=admin)
    removed = actions.prune_jobs(keep_days=30)
    assert removed["jobs"] == 1 and not Job.objects.filter(pk=old.pk).exists()
    assert Job.objects.filter(pk=fresh.pk).exists()


def test_every_kind_has_a_title_in_both_languages():
    for kind in KINDS.values():
        assert kind.title_en and kind.title_vi and kind.title_vi != kind.title_en, kind.name
    assert json.dumps(sorted(KINDS))


def test_a_large_upload_is_applied_by_a_background_job(
    client, admin, monkeypatch, settings, tmp_path, job_queue
):
    from dxmonitor.collection.models import Value
    from dxmonitor.files import actions as files

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(files, "BACKGROUND_APPLY_VALUES", 0)
    data = b"unit_code,indicator,period,value\n01,CTX.VILLAGES,2015,7\n"
    upload = files.check_upload(data=data, file_name="so-lieu.csv", user=admin)
    assert upload.summary["check"]["problems_total"] == 0, upload.summary["check"]
    queued = files.apply_upload(job=upload, user=admin)
    assert queued.summary["stage"] == files.APPLYING and Job.objects.get(pk=upload.pk).kind == "files.apply"
    assert not Value.objects.filter(period="2015", source_file="so-lieu.csv").exists()
    client.force_login(admin)
    page = client.get(f"/collect/files/{upload.pk}/").content.decode()
    assert 'data-result="applying"' in page and f"/jobs/{upload.pk}/" in page
    assert files.apply_upload(job=queued, user=admin).summary["stage"] == files.APPLYING, "no second job"
    assert Job.objects.filter(kind="files.apply").count() == 1
    job_queue()
    upload.refresh_from_db()
    job = Job.objects.get(pk=upload.pk)
    assert upload.summary["stage"] == files.APPLIED and job.status == "done", (upload.summary, job.error)
    assert job.result["created"] == 1
    assert 'data-result="applied"' in client.get(f"/collect/files/{upload.pk}/").content.decode()
