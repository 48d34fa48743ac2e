"""The demonstration: the five seed articles and their 45 facts, plus a labelled synthetic set.

Real facts are placed on the units the articles name, in the structure in force when they
were written (before the 2025 reorganisation). Synthetic values exist only so that lists
have something to show; each is flagged `is_synthetic` and shown as "dữ liệu mô phỏng".
"""

import datetime
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from django.db import transaction

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import CREATED, UNCHANGED, Provenance, add_document, record_value
from dxmonitor.collection.bulk import RawValue, import_values
from dxmonitor.collection.models import DocumentKind, SourceType
from dxmonitor.common.errors import DomainError
from dxmonitor.common.text import nfc
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import LEGACY_LAST_DAY, Level, Unit
from dxmonitor.geo.queries import descendants, filter_units, resolve_unit

from .scored import Draw, scored_figures

DATA_DIR = Path(__file__).resolve().parent / "data"
SEEDS_DIR = DATA_DIR / "seeds"
GOLD_FILE = DATA_DIR / "seeds.gold.jsonl"
SYNTHETIC_PROVINCE = "Lai Châu"
SYNTHETIC_YEARS = (2023, 2024)
SHARE_GROWTH = 0.08  # how much each drawn share rises in a year

Progress = Callable[[str], None]


@dataclass
class SeedReport:
    documents: int = 0
    facts: int = 0
    created: int = 0
    unchanged: int = 0
    updated: int = 0
    dated_from_article: int = 0
    undated: int = 0
    units: dict[str, str] = field(default_factory=dict)


def load_seed_facts(
    *,
    user: AnyUser | None = None,
    gold_file: Path = GOLD_FILE,
    seeds_dir: Path = SEEDS_DIR,
) -> SeedReport:
    """Store the seed articles and record each gold fact as a value citing its article."""
    facts = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    report = SeedReport()
    with transaction.atomic():
        documents = {}
        for name in sorted({f["doc"] for f in facts}):
            text = nfc((seeds_dir / name).read_text(encoding="utf-8"))
            document, _ = add_document(text=text, kind=DocumentKind.ARTICLE, file_name=name, user=user)
            documents[name] = document
        report.documents = len(documents)
        for fact in facts:
            document = documents[fact["doc"]]
            unit = _seed_unit(fact, document.published_on)
            report.units[fact["locality"]] = unit.name
            period = fact.get("period") or ""
            if not period and document.published_on:
                period = str(document.published_on.year)
                report.dated_from_article += 1
            elif not period:
                report.undated += 1
            recorded = record_value(
                unit=unit,
                indicator=Indicator.objects.get(code=fact["indicator"]),
                period=str(period),
                kind=fact["kind"],
                value=fact["value"],
                comparator=fact["comparator"],
                numerator=fact.get("numerator"),
                denominator=fact.get("denominator"),
                provenance=Provenance(
                    source_type=SourceType.DOCUMENT,
                    document=document,
                    evidence_quote=fact["evidence"],
                    evidence_start=fact["start"],
                    evidence_end=fact["end"],
                ),
                user=user,
            )
            report.facts += 1
            if recorded.outcome == CREATED:
                report.created += 1
            elif recorded.outcome == UNCHANGED:
                report.unchanged += 1
            else:
                report.updated += 1
    return report


def _seed_unit(fact: dict, published_on: datetime.date | None) -> Unit:
    # The articles predate the 2025 reorganisation: their places are units of that structure.
    as_of = min(published_on or LEGACY_LAST_DAY, LEGACY_LAST_DAY)
    unit = resolve_unit(
        name=fact["locality"], level=fact.get("level"), province=fact.get("province"), as_of=as_of
    )
    if unit is None:
        place = f"{fact['locality']} ({fact.get('province')})"
        raise DomainError(
            f"cannot place {place} on a unit in force on {as_of}",
            f"Không xác định được đơn vị {place} tại ngày {as_of:%d/%m/%Y}",
        )
    return unit


@dataclass
class SyntheticReport:
    units: int = 0
    created: int = 0
    unchanged: int = 0


# (indicator, denominator context, low, high): shares drawn per commune, rising each year.
_SYNTHETIC_RATES = (
    ("AWR.CDT_VILLAGE_COVERAGE", "CTX.VILLAGES", 0.55, 1.0),
    ("INF.FIBRE_VILLAGE_COVERAGE", "CTX.VILLAGES", 0.35, 0.95),
    ("INF.HOUSEHOLD_FIXED_BB", "CTX.HOUSEHOLDS", 0.15, 0.75),
)


def load_synthetic(*, user: AnyUser | None = None, progress: Progress | None = None) -> SyntheticReport:
    """Deterministic made-up figures for the communes of one province (legacy structure).

    Every value is flagged synthetic; running it again changes nothing.
    """
    say = progress or (lambda _msg: None)
    province = filter_units(level=Level.PROVINCE, as_of=LEGACY_LAST_DAY, q=SYNTHETIC_PROVINCE).first()
    if province is None:
        raise DomainError(
            f"province {SYNTHETIC_PROVINCE} is not loaded; run `dxmonitor units load`",
            f"Chưa có tỉnh {SYNTHETIC_PROVINCE}; hãy chạy `dxmonitor units load`",
        )
    communes = list(descendants(province, level=Level.COMMUNE).order_by("code"))
    rng = random.Random(20250701)
    report = SyntheticReport(units=len(communes))
    draws = []
    for commune in communes:
        villages = rng.randint(6, 22)
        households = villages * rng.randint(45, 110)
        shares = {code: rng.uniform(low, high) for code, _, low, high in _SYNTHETIC_RATES}
        draws.append(Draw(commune, villages, households, shares))

    def figures():
        for commune, villages, households, shares in draws:
            for step, year in enumerate(SYNTHETIC_YEARS):
                yield RawValue(indicator="CTX.VILLAGES", period=str(year), unit_id=commune.pk, value=villages)
                total_households = households + 15 * step
                yield RawValue(
                    indicator="CTX.HOUSEHOLDS", period=str(year), unit_id=commune.pk, value=total_households
                )
                for code, context, _, _ in _SYNTHETIC_RATES:
                    total = villages if context == "CTX.VILLAGES" else total_households
                    share = min(1.0, shares[code] + SHARE_GROWTH * step)
                    yield RawValue(
                        indicator=code,
                        period=str(year),
                        unit_id=commune.pk,
                        numerator=round(share * total),
                        denominator=total,
                    )

    # The bulk path: one set-based write instead of a thousand single ones.
    summary = import_values(
        items=chain(figures(), scored_figures(draws, years=SYNTHETIC_YEARS, growth=SHARE_GROWTH)),
        user=user,
        source_type=SourceType.SYNTHETIC,
        source_file="dxmonitor demo",
        synthetic=True,
        all_or_nothing=True,
        progress=lambda done: say(f"synthetic: {done} figures checked"),
    )
    if summary.rejected:
        first = summary.rejections[0]
        raise DomainError(
            f"synthetic data refused: {first.message_en}", f"Dữ liệu mô phỏng bị từ chối: {first.message_vi}"
        )
    report.created = summary.created
    report.unchanged = summary.unchanged
    return report


@dataclass
class ScoresReport:
    schemes: int = 0
    units: int = 0
    complete: int = 0
    periods: list[str] = field(default_factory=list)


def load_demo_scores(*, progress: Progress | None = None) -> ScoresReport:
    """The shipped scoring schemes, and the synthetic province's communes scored and ranked under
    each for every synthetic year (so that ranks have a year before to move from)."""
    from dxmonitor.analytics.refresh import refresh
    from dxmonitor.analytics.scoring import compute_scores
    from dxmonitor.catalog.schemes import load_schemes, schemes

    say = progress or (lambda _msg: None)
    load_schemes()
    province = filter_units(level=Level.PROVINCE, as_of=LEGACY_LAST_DAY, q=SYNTHETIC_PROVINCE).first()
    if province is None:
        raise DomainError(
            f"province {SYNTHETIC_PROVINCE} is not loaded; run `dxmonitor units load`",
            f"Chưa có tỉnh {SYNTHETIC_PROVINCE}; hãy chạy `dxmonitor units load`",
        )
    refresh(progress=lambda line: say(f"analytics: {line}"))
    report = ScoresReport()
    for scheme in schemes():
        report.schemes += 1
        for year in SYNTHETIC_YEARS:
            done = compute_scores(scheme=scheme, period=str(year), within=province, refresh_store=False)
            report.units += done.units
            report.complete += done.complete
            if done.period not in report.periods:
                report.periods.append(done.period)
    return report
