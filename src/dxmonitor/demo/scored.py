"""Synthetic figures for what the shipped scoring schemes read, beyond the demo's first figures.

They come from a generator of their own, so that the figures drawn before them stay exactly as
they were; they build on the same villages, households and village team coverage, so that every
declared rule holds across them. Each commune also draws how fast it moves in a year, so that
ranks change from one year to the next, and a few communes leave a figure out, as real ones do,
so that the scores show what is missing.
"""

import random
from collections.abc import Iterator
from typing import NamedTuple

from dxmonitor.collection.bulk import RawValue
from dxmonitor.geo.models import Unit


class Draw(NamedTuple):
    """What the demo drew for a commune: villages, households and the shares of its first rates."""

    commune: Unit
    villages: int
    households: int
    shares: dict[str, float]


# (indicator, what it is out of, low, high): a share drawn per commune.
RATES = (
    ("INF.MOBILE_VILLAGE_COVERAGE", "villages", 0.8, 1.0),
    ("HR.OFFICIALS_COMPUTER", "officials", 0.6, 1.0),
    ("HR.CITIZEN_DIGITAL_SKILLS", "population", 0.2, 0.75),
    ("GOV.WORK_RECORDS_ONLINE", "work_records", 0.3, 0.9),
    ("GOV.EDOC_SIGNED", "documents", 0.6, 1.0),
    ("GOV.ONLINE_DOSSIER_RATE", "dossiers", 0.15, 0.7),
    ("GOV.ONTIME_DOSSIER_RATE", "dossiers", 0.8, 1.0),
    ("GOV.ONLINE_PAYMENT_DOSSIER_RATE", "paid_dossiers", 0.05, 0.5),
    ("SOC.DIGITAL_ID", "population", 0.3, 0.85),
    ("SOC.PAYMENT_ACCOUNT_15PLUS", "population_15", 0.4, 0.9),
    ("SOC.SMARTPHONE_ADULT", "adults", 0.5, 0.95),
    ("SOC.EHEALTH_RECORD", "population", 0.3, 0.95),
    ("SOC.CASHLESS_PUBLIC_FACILITIES", "facilities", 0.2, 1.0),
    ("DX.PLAN_TARGETS_MET", "targets", 0.5, 1.0),
)
# Every 11th commune has no figure for payments online; every 13th none for e-commerce in its
# first year.
NO_PAYMENTS, NO_PRODUCTS_FIRST_YEAR = (11, 5), (13, 7)


def scored_figures(draws: list[Draw], *, years: tuple[int, ...], growth: float) -> Iterator[RawValue]:
    rng = random.Random(20250702)
    for number, (commune, villages, households, shares) in enumerate(draws):
        totals = {
            "officials": rng.randint(18, 26),
            "work_records": rng.randint(300, 1500),
            "documents": rng.randint(500, 3000),
            "dossiers": rng.randint(200, 2500),
            "paid_dossiers": rng.randint(40, 400),
            "facilities": rng.randint(3, 7),
            "targets": rng.randint(8, 14),
        }
        per_household = rng.uniform(3.6, 4.6)
        drawn = {code: rng.uniform(low, high) for code, _, low, high in RATES}
        pace = rng.uniform(-0.03, 0.09)
        broadband = rng.uniform(0.4, 1.0)
        members_per_team = rng.randint(3, 6)
        commune_team = [rng.random() < 0.93, rng.random() < 0.7]
        products = [rng.randint(0, 8), rng.randint(0, 3)]
        trainees, contest = rng.uniform(0.005, 0.06), rng.uniform(0.01, 0.14)
        for step, year in enumerate(years):
            period = str(year)

            def count(code: str, value: float, period: str = period, unit: Unit = commune) -> RawValue:
                return RawValue(indicator=code, period=period, unit_id=unit.pk, value=round(value))

            def rate(
                code: str, part: int, total: int, period: str = period, unit: Unit = commune
            ) -> RawValue:
                return RawValue(
                    indicator=code, period=period, unit_id=unit.pk, numerator=part, denominator=total
                )

            # The same households the demo's first figures give for the year.
            people = round((households + 15 * step) * per_household)
            sizes = {
                **{k: v + step * (v // 10) for k, v in totals.items() if k != "officials"},
                "officials": totals["officials"],
                "villages": villages,
                "population": people,
                "population_15": round(people * 0.72),
                "adults": round(people * 0.65),
            }
            village_teams = round(min(1.0, shares["AWR.CDT_VILLAGE_COVERAGE"] + growth * step) * villages)
            has_commune_team = int(any(commune_team[: step + 1]))
            yield count("CTX.POPULATION", people)
            yield count("CTX.OFFICIALS", sizes["officials"])
            yield count("AWR.CDT_TEAMS_COMMUNE", has_commune_team)
            yield count("AWR.CDT_TEAMS_VILLAGE", village_teams)
            yield count("AWR.CDT_TEAMS", village_teams + has_commune_team)
            yield count("AWR.CDT_MEMBERS", (village_teams + has_commune_team) * members_per_team)
            yield count("AWR.DX_CONTEST_PARTICIPANTS", people * min(0.2, contest + 0.02 * step))
            yield count("HR.DX_TRAINEES", people * min(0.08, trainees + 0.01 * step))
            yield count(
                "GOV.DIGITAL_SIGNATURES_ISSUED",
                sizes["officials"] * min(1.0, max(0.2, 0.55 + pace + 0.2 * step)),
            )
            if not (number % NO_PRODUCTS_FIRST_YEAR[0] == NO_PRODUCTS_FIRST_YEAR[1] and step == 0):
                yield count("ECO.ECOMMERCE_PRODUCTS", sum(products[: step + 1]))
            mobile = villages
            for code, size, _, _ in RATES:
                if code == "GOV.ONLINE_PAYMENT_DOSSIER_RATE" and number % NO_PAYMENTS[0] == NO_PAYMENTS[1]:
                    continue
                total = sizes[size]
                part = round(min(1.0, max(0.0, drawn[code] + pace * step)) * total)
                if code == "INF.MOBILE_VILLAGE_COVERAGE":
                    mobile = part
                yield rate(code, part, total)
            yield rate(
                "INF.MOBILE_BB_VILLAGE_COVERAGE", round(mobile * min(1.0, broadband + pace * step)), villages
            )
            yield count("INF.VILLAGES_WITHOUT_MOBILE", villages - mobile)
