"""Pins the wall clock of every Python process the test suite starts.

The suite runs as if on one fixed day (`DXM_TEST_CLOCK`, "ISO instant@real epoch seconds" as the
root conftest writes it), so that open periods, deadlines, "the current quarter" and certificate
validity are the same on every later day. The root conftest puts this folder on PYTHONPATH, so the
demo server, its worker and any command a test runs pick it up at start-up; each process travels to
the same instant plus the real time elapsed since the anchor, so their clocks agree and tick.
"""

import os

if os.environ.get("DXM_TEST_CLOCK"):
    try:
        from dxm_clock import pin_clock
    except ImportError:  # a process outside the project's environment: leave its clock alone
        pass
    else:
        pin_clock(os.environ["DXM_TEST_CLOCK"])
