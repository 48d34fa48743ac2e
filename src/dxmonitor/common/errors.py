"""Errors that reach users: each carries an English message (API, logs) and a Vietnamese one (UI)."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: which field (and row, for files) and why."""

    field: str
    message_en: str
    message_vi: str
    row: int | None = None

    def message(self, language: str) -> str:
        return self.message_en if language.startswith("en") else self.message_vi

    def as_dict(self) -> dict:
        data = asdict(self)
        data["message"] = self.message_en
        return data


class DomainError(Exception):
    """A request the domain refuses. `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message_en: str, message_vi: str, *, field: str = "") -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi
        self.field = field

    def message(self, language: str) -> str:
        return self.message_en if language.startswith("en") else self.message_vi

    @property
    def problems(self) -> list[Problem]:
        return [Problem(self.field, self.message_en, self.message_vi)]


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class InvalidInput(DomainError):
    """Several problems at once, so that a user can fix them all in one go."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0] if problems else Problem("", "invalid input", "Dữ liệu không hợp lệ")
        count = len(problems)
        en = first.message_en if count == 1 else f"{count} problems; first: {first.message_en}"
        vi = first.message_vi if count == 1 else f"{count} lỗi; lỗi đầu tiên: {first.message_vi}"
        super().__init__(en, vi, field=first.field)
        self._problems = problems

    @property
    def problems(self) -> list[Problem]:
        return self._problems
