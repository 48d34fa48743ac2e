"""A file's values as read when it was checked, kept so that applying it reads nothing again.

Reading a workbook is the costly part of an import; the check reads it once and writes each
value, as it passes, to a JSON-lines file, ending with a line that holds what the reader learnt
about the file (sheet, columns, data set, period, rows skipped). The apply replays that file. A
record without its last line (a check that stopped early) is not trusted: the file is read again.
"""

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

from dxmonitor.collection.bulk import RawValue
from dxmonitor.collection.parsed_file import ParsedFile

_END = "end"


def recording(parsed: ParsedFile, path: Path) -> ParsedFile:
    """`parsed`, its values written to `path` as they are read; the last line once all are read."""
    source = parsed.values

    def values() -> Iterator[RawValue]:
        with path.open("w", encoding="utf-8") as out:
            for raw in source:
                out.write(json.dumps(dataclasses.asdict(raw), ensure_ascii=False) + "\n")
                yield raw
            meta = {
                "format": parsed.format,
                "sheet": parsed.sheet,
                "columns": parsed.columns,
                "dataset": parsed.dataset,
                "period": parsed.period,
                "rows_skipped": parsed.rows_skipped,
            }
            out.write(json.dumps({_END: meta}, ensure_ascii=False) + "\n")

    parsed.values = values()
    return parsed


def replayed(path: Path) -> ParsedFile | None:
    """The values a check recorded, or None when there is no complete record."""
    meta = _meta(path)
    if meta is None:
        return None

    def values() -> Iterator[RawValue]:
        with path.open(encoding="utf-8") as source:
            for line in source:
                item = json.loads(line)
                if _END in item:
                    return
                yield RawValue(**item)

    return ParsedFile(
        format=meta["format"],
        values=values(),
        sheet=meta["sheet"],
        columns={key: tuple(place) for key, place in meta["columns"].items()},
        dataset=meta["dataset"],
        period=meta["period"],
        rows_skipped=meta["rows_skipped"],
    )


def _meta(path: Path) -> dict | None:
    if not path.is_file():
        return None
    last = ""
    with path.open(encoding="utf-8") as source:
        for line in source:
            last = line
    try:
        item = json.loads(last) if last else {}
    except ValueError:
        return None
    return item.get(_END) if isinstance(item, dict) else None
