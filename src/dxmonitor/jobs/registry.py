"""The kinds of background work, declared by the apps that own them.

An app declares a kind in its `background` module:

    @background("reports.remind", title_en="Deadline reminders", title_vi="Nhắc hạn báo cáo")
    def remind(context: Context) -> dict: ...

The function receives a `Context` (the job, its arguments, a way to report progress) and
returns a small JSON-able result. It raises `DomainError` for a failure the user can read
(a corrupt file): the job fails with that reason and is not retried by itself. It must be safe
to run again from the start: a job whose process died is run again (imports are, because the
same values twice change nothing).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Handler = Callable[["Context"], dict | None]


@dataclass(frozen=True)
class Kind:
    name: str
    run: Handler
    title_en: str
    title_vi: str
    # Runs after a process running the job died; a failure with a reason is never retried by itself.
    max_attempts: int = 3
    # django-tasks priorities, -100..100: e-mails before a long import waiting behind them.
    priority: int = 0

    def title(self, language: str) -> str:
        return self.title_en if language.startswith("en") else self.title_vi


KINDS: dict[str, Kind] = {}


def background(
    name: str, *, title_en: str, title_vi: str, max_attempts: int = 3, priority: int = 0
) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        KINDS[name] = Kind(
            name=name,
            run=func,
            title_en=title_en,
            title_vi=title_vi,
            max_attempts=max_attempts,
            priority=priority,
        )
        return func

    return register


def kind_of(name: str) -> Kind | None:
    return KINDS.get(name)


class Context:
    """What a running job sees: its row, its arguments, and a progress reporter."""

    def __init__(self, job: Any, report: Callable[[int, int | None], None]) -> None:
        self.job = job
        self.arguments: dict = job.arguments or {}
        self._report = report

    @property
    def user(self):
        return self.job.user

    def progress(self, done: int, total: int | None = None) -> None:
        self._report(done, total)
