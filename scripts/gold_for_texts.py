"""The gold facts of the texts present in a folder, for scoring an evaluation set that is
only partly on this machine (its texts are fetched by hand and never committed).

usage: gold_for_texts.py GOLD.jsonl TEXTS_DIR > GOLD_PRESENT.jsonl
"""

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    gold_path, texts = Path(argv[1]), Path(argv[2])
    present = {p.name for p in texts.glob("*.txt")}
    with gold_path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and json.loads(line)["doc"] in present:
                sys.stdout.write(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
