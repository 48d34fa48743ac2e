"""The `dxmonitor` command: everything an operator does, each subcommand a thin call to an action.

Every subcommand is documented in docs/cli.md; a test fails when one is not. Each module of this
package registers the subcommands of one subject.
"""

import argparse
import sys
from collections.abc import Callable, Sequence

from . import accounts, analytics, bench, data, extraction, jobs, scores, setup, signing, workflow
from .common import fail, setup_django

SUBJECTS = (setup, jobs, data, workflow, extraction, accounts, analytics, scores, signing, bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dxmonitor",
        description="Monitor the digital transformation of Vietnamese local government.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable, help_text: str, parent=sub) -> argparse.ArgumentParser:
        command = parent.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(func=func)
        return command

    for subject in SUBJECTS:
        subject.register(sub, add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_django()
    from dxmonitor.common.errors import DomainError
    from dxmonitor.common.hygiene import clean_text

    try:
        # Arguments are names, codes and texts kept as typed: none may hold a control character,
        # none may be longer than a text field holds.
        for name, value in vars(args).items():
            if isinstance(value, str):
                clean_text(value, field=f"--{name.replace('_', '-')}", max_length=2000)
        return int(args.func(args) or 0)
    except DomainError as exc:
        return fail(exc)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
