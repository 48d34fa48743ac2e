"""What every subcommand shares: Django set-up, printing, errors, units and accounts by name."""

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any, Protocol

Subcommands = Any  # argparse's private _SubParsersAction


class Adder(Protocol):
    def __call__(
        self, name: str, func: Callable[[argparse.Namespace], int], help_text: str, parent: Subcommands = ...
    ) -> argparse.ArgumentParser: ...


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxmonitor.settings")
    import django

    django.setup()


def say(message: str) -> None:
    print(message, flush=True)


def fail(exc: Exception) -> int:
    en = getattr(exc, "message_en", str(exc))
    vi = getattr(exc, "message_vi", "")
    problems = getattr(exc, "problems", [])
    row = problems[0].row if problems else None
    print(f"error: {en}" + (f" (row {row})" if row else ""), file=sys.stderr)
    if vi:
        print(f"lỗi: {vi}" + (f" (dòng {row})" if row else ""), file=sys.stderr)
    for problem in problems[1:20]:
        where = f"row {problem.row}: " if problem.row else ""
        print(f"  - {where}{problem.field}: {problem.message_en}", file=sys.stderr)
    return 1


def unit_for(args: argparse.Namespace):
    import datetime

    from django.utils import timezone

    from dxmonitor.geo.queries import unit_for_code

    if not args.unit_code:
        return None
    on = datetime.date.fromisoformat(args.as_of) if args.as_of else timezone.localdate()
    return unit_for_code(code=args.unit_code, on=on)


def account(username: str):
    from django.contrib.auth import get_user_model

    from dxmonitor.common.errors import NotFound

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"no user {username}", f"Không có tài khoản {username}")
    return user
