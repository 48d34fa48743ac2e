"""`dxmonitor demo`: everything a new user needs, in order, each step idempotent."""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command

from dxmonitor.accounts.actions import ensure_user
from dxmonitor.catalog.actions import load_catalog
from dxmonitor.collection.rules_file import load_rules
from dxmonitor.extraction.actions import read_seed_articles
from dxmonitor.geo.actions import load_units
from dxmonitor.geo.models import Unit
from dxmonitor.portal.actions import summarise as summarise_public_figures

from .actions import load_demo_scores, load_seed_facts, load_synthetic
from .approval import load_approval_demo
from .assessment import load_assessment_demo
from .entry import load_entry_demo

DEMO_USER = "admin"


@dataclass
class DemoLogin:
    username: str
    password: str


def demo_login() -> DemoLogin:
    """The demo administrator; its password is made once per installation and kept under var/."""
    path = settings.VAR_DIR / "demo-login.txt"
    if path.exists():
        username, _, password = path.read_text(encoding="utf-8").strip().partition(" ")
        if username and password:
            return DemoLogin(username, password)
    login = DemoLogin(DEMO_USER, secrets.token_urlsafe(9))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{login.username} {login.password}\n", encoding="utf-8")
    path.chmod(0o600)
    return login


def prepare_demo(*, progress: Callable[[str], None]) -> DemoLogin:
    def step(label: str, func: Callable[[], str]) -> None:
        started = time.monotonic()
        progress(f"• {label} …")
        detail = func()
        progress(f"  {detail} ({time.monotonic() - started:.1f} s)")

    step(
        "database",
        lambda: (call_command("migrate", interactive=False, verbosity=0), "up to date")[1],
    )

    def units() -> str:
        report = load_units()
        return f"{Unit.objects.count():,} units, {report.created:,} new, {report.unchanged:,} unchanged"

    step("administrative units (vietnamadminunits)", units)
    step(
        "indicator catalogue",
        lambda: (lambda r: f"{len(r.created)} new, {len(r.updated)} updated, {r.unchanged} unchanged")(
            load_catalog()
        ),
    )
    step(
        "validation rules",
        lambda: (lambda r: f"{len(r.created)} new, {len(r.updated)} updated, {r.unchanged} unchanged")(
            load_rules()
        ),
    )
    login = demo_login()
    user, _ = ensure_user(username=login.username, password=login.password, is_admin=True)
    step(
        "seed articles and their 45 facts",
        lambda: (lambda r: f"{r.documents} articles, {r.facts} facts, {r.created} new")(
            load_seed_facts(user=user)
        ),
    )
    step(
        "seed articles read by the extractor into the review queue",
        lambda: (lambda r: f"{r.documents} articles, {r.facts} facts proposed, {r.pending} to review")(
            read_seed_articles(user=user)
        ),
    )
    step(
        "synthetic data (dữ liệu mô phỏng)",
        lambda: (lambda r: f"{r.units} communes, {r.created} new values, {r.unchanged} unchanged")(
            load_synthetic(progress=progress)
        ),
    )
    step(
        "data entry: data sets, synthetic villages, officer and approver accounts",
        lambda: (lambda r: f"{r.datasets_changed} data sets changed, {r.villages_added} villages added")(
            load_entry_demo()
        ),
    )
    step(
        "approval: two communes' quarterly reports submitted, signing keys from the demo CA",
        lambda: (
            lambda r: (
                f"{r.submitted} submitted now, {r.waiting} waiting for approval ({r.period}); "
                f"{r.keys} signing keys"
            )
        )(load_approval_demo(admin=user)),
    )
    step(
        "scoring schemes (922 and 405 commune sub-indices), scores and ranks",
        lambda: (lambda r: f"{r.schemes} schemes, {r.units} scores for {', '.join(r.periods)}")(
            load_demo_scores(progress=progress)
        ),
    )
    step(
        "assessment rounds: 2023 published, 2024 part-way (self-assessment and appraisal)",
        lambda: (lambda r: f"{r.rounds} rounds, {r.created} new")(load_assessment_demo(admin=user)),
    )
    # The portal's counts are kept by the worker; counted here so that the first visitor sees them.
    step(
        "open-data portal: public figures counted",
        lambda: (
            lambda s: f"{s.counts.get('real', 0):,} real and {s.counts.get('synthetic', 0):,} synthetic"
        )(summarise_public_figures()),
    )
    return login
