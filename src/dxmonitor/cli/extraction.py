"""Reading narrative reports: facts out of .txt, .docx and .pdf files, and the speed of doing it."""

import argparse
import json
import sys
from pathlib import Path

from .common import Adder, Subcommands, say


def cmd_extract(args: argparse.Namespace) -> int:
    from dxmonitor.common.errors import DomainError
    from dxmonitor.extraction.engine import extract
    from dxmonitor.extraction.places import province_names
    from dxmonitor.extraction.reading import MAX_BYTES, read_file
    from dxmonitor.extraction.terms import current_catalogue

    catalogue = current_catalogue()
    provinces = province_names()
    failures = 0
    for name in args.files:
        path = Path(name)
        try:
            if not path.is_file():
                raise DomainError(f"{name}: no such file", f"Không có tệp {name}")
            with path.open("rb") as fh:  # never more than the limit in memory, whatever the file
                text = read_file(name=path.name, data=fh.read(MAX_BYTES + 1))
            if args.save:
                from dxmonitor.extraction.actions import read_text

                result = read_text(text=text, file_name=path.name)
                facts = [_saved(f) for f in result.facts]
            else:
                facts = [
                    f.as_prediction(path.name)
                    for f in extract(text, catalogue=catalogue, provinces=provinces)
                ]
        except DomainError as exc:
            failures += 1
            print(f"error: {exc.message_en}", file=sys.stderr)
            continue
        for fact in facts:
            fact["doc"] = path.name
            if args.format == "jsonl":
                say(json.dumps(fact, ensure_ascii=False))
            else:
                say(
                    f"{path.name}\t{fact['locality'] or '?'}\t{fact['indicator']}\t{fact['comparator']}\t"
                    f"{fact['value']:g}\t{fact['kind']}\t{fact['period'] or ''}\t“{fact['evidence']}”"
                )
    return 1 if failures else 0


def _saved(fact) -> dict:
    return {
        "locality": fact.locality,
        "indicator": fact.indicator.code if fact.indicator else None,
        "value": fact.value,
        "comparator": fact.comparator,
        "kind": fact.kind,
        "period": fact.period or None,
        "numerator": fact.numerator,
        "denominator": fact.denominator,
        "start": fact.evidence_start,
        "end": fact.evidence_end,
        "evidence": fact.evidence_quote,
        "unit_id": fact.unit_id,
        "status": fact.status,
    }


def cmd_bench_extract(args: argparse.Namespace) -> int:
    from dxmonitor.extraction.bench import bench_extract

    figures = bench_extract(articles=args.articles, size=args.size, say=say)
    say(json.dumps(figures))
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    extract = add("extract", cmd_extract, "propose the indicator facts that narrative reports state")
    extract.add_argument("files", nargs="+", metavar="FILE", help=".txt, .docx or .pdf files")
    extract.add_argument(
        "--format", choices=["jsonl", "text"], default="text", help="jsonl: one JSON fact per line"
    )
    extract.add_argument(
        "--save", action="store_true", help="store each file as a document with its facts in the review queue"
    )


def register_bench(bench: Subcommands, add: Adder) -> None:
    command = add("extract", cmd_bench_extract, "time the extractor on articles of 8 kB on one core", bench)
    command.add_argument("--articles", type=int, default=500, help="how many articles (default 500)")
    command.add_argument("--size", type=int, default=8000, help="bytes per article (default 8000)")
