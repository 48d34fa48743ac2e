"""The fixed clock of the test suite (see sitecustomize.py beside it)."""

import datetime
import time

import time_machine


def pin_clock(spec: str) -> None:
    """Travel to spec's instant plus the real time elapsed since its anchor, and keep ticking."""
    instant, _, anchor = spec.partition("@")
    start = datetime.datetime.fromisoformat(instant).timestamp()
    elapsed = time.time() - float(anchor) if anchor else 0.0
    time_machine.travel(start + elapsed, tick=True).start()


def real_now() -> datetime.datetime:
    """The machine's own time, for names of test artefacts that must not collide between runs."""
    return datetime.datetime.fromtimestamp(time_machine.escape_hatch.time.time())
