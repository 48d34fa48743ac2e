"""Text as people and programs send it, before it is kept: no control characters, a bounded length.

A NUL byte cannot be stored by PostgreSQL at all, and the other C0/C1 control characters are
never typed by a person: they come from broken exports or from someone probing. They are refused
with the field named (tabs and line breaks only where a field holds paragraphs). Every channel
(API schemas, files, the command line, pages) goes through `text_problem` or `clean_text`.
"""

import re
from typing import Annotated

from pydantic import AfterValidator

from .errors import DomainError, Problem

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_INLINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character of `text` as U+XXXX, or None."""
    found = (_CONTROL if multiline else _CONTROL_INLINE).search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def text_problem(
    value: str, *, field: str, max_length: int, multiline: bool = False, row: int | None = None
) -> Problem | None:
    """What is wrong with a text field, if anything: a control character, or too many characters."""
    bad = control_character(value, multiline=multiline)
    if bad is not None:
        return Problem(
            field,
            f"{field}: the text holds a control character ({bad}); remove it",
            f"{field}: nội dung có ký tự điều khiển ({bad}); hãy xoá ký tự đó",
            row,
        )
    if len(value) > max_length:
        return Problem(
            field,
            f"{field}: at most {max_length:,} characters ({len(value):,} given)",
            f"{field}: tối đa {max_length:,} ký tự (đã nhập {len(value):,})".replace(",", "."),
            row,
        )
    return None


def clean_text(value: str, *, field: str, max_length: int, multiline: bool = False) -> str:
    """`value`, or a DomainError (400) naming the field."""
    problem = text_problem(value, field=field, max_length=max_length, multiline=multiline)
    if problem is not None:
        raise DomainError(problem.message_en, problem.message_vi, field=field)
    return value


def _no_control(value: str) -> str:
    bad = control_character(value, multiline=True)
    if bad is not None:
        raise ValueError(f"the text holds a control character ({bad}); remove it")
    return value


# For API schemas: a text in which tabs and line breaks are the only control characters allowed.
SafeText = Annotated[str, AfterValidator(_no_control)]


def control_in(data: object) -> tuple[str, str] | None:
    """The first string of a parsed JSON document (keys included) holding a control character
    other than a tab or a line break: (where, U+XXXX), or None."""
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if bad := control_character(item, multiline=True):
                return where or "body", bad
        elif isinstance(item, dict):
            for key, value in item.items():
                place = f"{where}.{key}" if where else str(key)
                if bad := control_character(str(key), multiline=True):
                    return place, bad
                stack.append((place, value))
        elif isinstance(item, list):
            stack.extend((f"{where}[{index}]", value) for index, value in enumerate(item))
    return None


def refuse_control(data: object) -> None:
    """A DomainError (400) naming the field of a parsed body that holds a control character."""
    found = control_in(data)
    if found is not None:
        where, bad = found
        raise DomainError(
            f"{where}: the text holds a control character ({bad}); remove it",
            f"{where}: nội dung có ký tự điều khiển ({bad}); hãy xoá ký tự đó",
            field=where,
        )
