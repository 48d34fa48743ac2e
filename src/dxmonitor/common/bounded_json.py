"""JSON read within limits: a nesting depth and a number of tokens (DXM_JSON_MAX_DEPTH,
DXM_JSON_MAX_TOKENS).

Every JSON body or file is measured here before anything else reads it. The measure uses ijson's
`basic_parse`, which carries no prefix: ijson's `parse` and `items` build a prefix string per
level for every event of a chunk they read, so a body of nested brackets costs memory in the
square of its depth before any check on their events could run. Counting depth and tokens with
`itertools` over `basic_parse` keeps the measure at C speed and its memory at one chunk.
Python's own `json.loads` recurses, so a value nested a thousand deep would raise RecursionError;
bodies parsed whole are measured first too.
"""

import io
import json
from itertools import accumulate, count, islice
from operator import itemgetter
from typing import IO, Any

import ijson
from django.conf import settings

from .errors import DomainError

# Every event basic_parse yields, with what it does to the depth.
_DEPTH_STEP = dict.fromkeys(("null", "boolean", "integer", "double", "number", "string", "map_key"), 0) | {
    "start_map": 1,
    "start_array": 1,
    "end_map": -1,
    "end_array": -1,
}


class JsonTooComplex(DomainError):
    """A JSON document nested deeper, or made of more tokens, than the limits allow."""


def max_depth() -> int:
    return int(settings.DXM_JSON_MAX_DEPTH)


def max_tokens() -> int:
    return int(settings.DXM_JSON_MAX_TOKENS)


def measure(stream: IO[bytes], *, token_limit: int | None = None) -> tuple[int, int]:
    """The deepest nesting and the number of tokens of a JSON stream, reading no more than
    `token_limit` + 1 tokens. Invalid JSON raises ijson.JSONError."""
    limit = max_tokens() if token_limit is None else token_limit
    counter = count()
    events = islice(ijson.basic_parse(stream, use_float=True), limit + 1)
    kinds = map(itemgetter(0), zip(map(itemgetter(0), events), counter, strict=False))
    depth = max(accumulate(map(_DEPTH_STEP.__getitem__, kinds)), default=0)
    return depth, next(counter)


def check(stream: IO[bytes]) -> None:
    """Refuse (400) a JSON stream nested deeper or longer than the limits; invalid JSON raises
    ijson.JSONError for the caller to word."""
    depth_limit, token_limit = max_depth(), max_tokens()
    depth, tokens = measure(stream, token_limit=token_limit)
    if depth > depth_limit:
        raise JsonTooComplex(
            f"the JSON is nested deeper than {depth_limit} levels (DXM_JSON_MAX_DEPTH)",
            f"JSON lồng nhau sâu hơn {depth_limit} mức (DXM_JSON_MAX_DEPTH)",
            field="body",
        )
    if tokens > token_limit:
        shown = f"{token_limit:,}"
        raise JsonTooComplex(
            f"the JSON has more than {shown} tokens (DXM_JSON_MAX_TOKENS); send it in several parts",
            f"JSON có hơn {shown.replace(',', '.')} phần tử (DXM_JSON_MAX_TOKENS); "
            "hãy chia thành nhiều lần gửi",
            field="body",
        )


def loads(data: bytes | str) -> Any:
    """`json.loads` of a body held whole, after checking its depth and tokens."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        check(io.BytesIO(raw))
    except ijson.JSONError as exc:
        raise DomainError(
            f"the body is not valid JSON: {str(exc)[:200]}",
            f"Dữ liệu gửi lên không phải JSON hợp lệ: {str(exc)[:200]}",
            field="body",
        ) from exc
    return json.loads(raw)
