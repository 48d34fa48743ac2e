"""`dxmonitor bench extract`: articles per second through the extractor, on one core.

The articles are cut from the shipped seed articles, rotated so that no two are the same text,
and padded or trimmed to the requested size in UTF-8 bytes.
"""

import time
from collections.abc import Callable
from pathlib import Path

from .engine import extract
from .places import province_names
from .reading import clean_text
from .terms import current_catalogue

SEEDS_DIR = Path(__file__).resolve().parent.parent / "demo" / "data" / "seeds"


def sample_articles(*, count: int, size: int) -> list[str]:
    texts = [clean_text(p.read_text(encoding="utf-8")) for p in sorted(SEEDS_DIR.glob("*.txt"))]
    if not texts:
        texts = ["Tỷ lệ hộ gia đình có kết nối internet băng rộng cáp quang đạt 24,3%."]
    pool = "\n".join(texts)
    articles = []
    for k in range(count):
        shift = (k * 997) % len(pool)
        rotated = pool[shift:] + "\n" + pool[:shift]
        while len(rotated.encode("utf-8")) < size:
            rotated += "\n" + pool
        encoded = rotated.encode("utf-8")[:size]
        articles.append(encoded.decode("utf-8", errors="ignore"))
    return articles


def bench_extract(*, articles: int = 500, size: int = 8000, say: Callable[[str], None] = print) -> dict:
    catalogue = current_catalogue()
    provinces = province_names()
    texts = sample_articles(count=max(1, articles), size=max(200, size))
    say(f"{len(texts)} articles of {size} bytes, {len(catalogue.terms)} indicators")
    extract(texts[0], catalogue=catalogue)  # warm the regular expressions
    started = time.process_time()
    wall = time.perf_counter()
    facts = sum(len(extract(text, catalogue=catalogue, provinces=provinces)) for text in texts)
    cpu = time.process_time() - started
    elapsed = time.perf_counter() - wall
    rate = len(texts) / cpu if cpu else float("inf")
    say(f"{facts} facts in {elapsed:.2f} s wall, {cpu:.2f} s CPU: {rate:.0f} articles/s on one core")
    return {
        "bench": "extract",
        "articles": len(texts),
        "article_bytes": size,
        "facts": facts,
        "seconds": round(cpu, 3),
        "articles_per_s": round(rate, 1),
    }
