"""Ranks and scores of what a passage is about.

"Chỉ số DTI của tỉnh đạt 0,45 điểm, xếp thứ 35/63": the rank is the DTI's though the words
around it say only "xếp thứ". A rank or a score ("… đạt 0,33 điểm") that names no indicator
takes the rank or score indicator of the passage's topic: the indicator of the figure just
before it in its sentence, else the one its sentence names, else — when the clause says nothing
else of what is ranked — the one the passage named last (at most TOPIC_REACH characters back).
"Chính quyền số ở vị trí thứ 12" ranks a pillar, not the index, and "xếp thứ 5 khu vực Tây
Nguyên" a region's list, not the country's: neither is proposed.
A rank indicator belongs to a topic when the topic covers most of what the rank indicator names
(DTI for the DTI's rank), not when they merely share a word or two ("hành chính").
"""

import functools
import re

from .matching import RANK_WORDS, Match, best
from .numbers import Mention
from .reading import Sentence
from .terms import Catalogue, Term, tokenize

TOPIC = "topic"
CONTEXT_CHARS = 260
TOPIC_REACH = 700  # characters back from the clause: the passage a ranking talks about
MIN_SHARED = 0.5  # of the rank or score indicator's own words, the part its topic must name

_REGIONAL = re.compile(r"^\s*(?:/\s*[\d.]+\s*)?(?:trong\s+|của\s+)?(?:khu vực|vùng|khối|nhóm|miền)\b", re.I)
_POINTS_AFTER = re.compile(r"^\s*điểm\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:.()\n–]")
# Words a clause may hold before a rank without saying what else is ranked.
_EMPTY_WORDS = set(RANK_WORDS) | {
    "ở", "là", "đứng", "tiếp", "tục", "tăng", "giảm", "vươn", "lên", "và", "đã", "đạt", "được", "trong", "đó",
    "cả", "nước", "năm", "với", "còn", "thì", "cụ", "thể", "riêng", "tuy", "nhiên", "đặc", "biệt", "bước",
    "sang", "điểm", "số", "chỉ", "về", "so", "bậc", "hạng", "này", "cũng", "luôn", "giữ", "vững", "tại",
    "có", "đều", "nhưng", "mới", "đây", "trên", "tổng", "của", "bảng", "lần", "lượt", "liên", "vẫn",
}  # fmt: skip


def of_topic(
    *,
    catalogue: Catalogue,
    text: str,
    sentence: Sentence,
    mention: Mention,
    earlier: tuple[str, int] | None,
    places: list[tuple[int, int]],
) -> Match | None:
    """The rank or score indicator of the passage's topic, for a figure that names none.
    `earlier`: the indicator of the fact just before in the sentence and where that fact ends;
    `places`: the spans of place names (a place is not something else being ranked)."""
    wanted = _wanted(text, mention)
    if wanted is None:
        return None
    if wanted == "rank" and _REGIONAL.match(text[mention.end : mention.end + 40]):
        return None
    topic = None
    topics = _topics(catalogue, wanted)
    clause_start = _clause_start(text, sentence, mention)
    if earlier is not None and _says_nothing_else(text, earlier[1], mention, places):
        topic = catalogue.by_code.get(earlier[0])
    if topic is None:
        start = max(sentence.start, mention.text_start - CONTEXT_CHARS)
        context = tokenize(text[start : mention.text_start], start)
        found = best(catalogue, context, mention, None, mention.start, any_kind=True, only=topics)
        if found is not None and _says_nothing_else(text, clause_start, mention, places, found.term.words):
            topic = found.term
    if topic is None and _says_nothing_else(text, clause_start, mention, places):
        # The passage's topic: what the text named last before this clause.
        start = max(0, clause_start - TOPIC_REACH)
        context = tokenize(text[start:clause_start], start)
        found = best(catalogue, context, mention, None, clause_start, any_kind=True, only=topics)
        topic = found.term if found is not None else None
    if topic is None:
        return None
    term = _sibling(catalogue, topic, wanted)
    if term is None:
        return None
    phrase = next((p.text for p in topic.patterns if not p.from_name), topic.name_vi)
    return Match(term, 0.0, mention.quote_start or mention.text_start, mention.end, phrase, TOPIC)


def _wanted(text: str, mention: Mention) -> str | None:
    if mention.rank:
        return "rank"
    if _POINTS_AFTER.match(text[mention.end : mention.end + 8]):
        return "score"
    return None


def _clause_start(text: str, sentence: Sentence, mention: Mention) -> int:
    start = mention.quote_start or mention.text_start
    cut = start
    while cut > sentence.start and not _CLAUSE_BREAK.match(text[cut - 1]):
        cut -= 1
    return cut


def _says_nothing_else(
    text: str,
    start: int,
    mention: Mention,
    places: list[tuple[int, int]],
    topic: frozenset[str] = frozenset(),
) -> bool:
    """ "Ở vị trí thứ 2 là …", "vươn lên xếp thứ 45", "Chỉ số DTI … xếp thứ 35": nothing but the
    rank (and the topic's own words) between `start` and the figure; "kinh tế số ở vị trí thứ 13"
    ranks something else."""
    end = mention.quote_start or mention.text_start
    for token in tokenize(text[start:end], start):
        if any(s <= token.start < e for s, e in places):
            continue
        if token.word in _EMPTY_WORDS or token.word in topic or token.word.isdigit():
            continue
        return False
    return True


@functools.lru_cache(maxsize=8)
def _topics(catalogue: Catalogue, wanted: str) -> frozenset[str]:
    """The indicators that have a rank (or score) indicator of their own."""
    return frozenset(t.code for t in catalogue.terms if _sibling(catalogue, t, wanted) is not None)


def _sibling(catalogue: Catalogue, topic: Term, wanted: str) -> Term | None:
    """The rank (or score) indicator of the same thing as `topic`."""

    def kind_of(term: Term) -> str:
        return "rank" if term.is_rank else term.kind

    if kind_of(topic) == wanted:
        return topic
    ignored = set(RANK_WORDS) | {"điểm"}
    scored = []
    for term in catalogue.terms:
        if kind_of(term) != wanted:
            continue
        own = {w for w in term.words - ignored if catalogue.weight(w) >= 2}
        if not own:
            continue
        total = sum(catalogue.weight(w) for w in own)
        shared = sum(catalogue.weight(w) for w in own & topic.words)
        # The word that names it most ("DTI", "PAR") must be shared, not only "chỉ", "số".
        if max(own, key=catalogue.weight) not in topic.words:
            continue
        if shared >= MIN_SHARED * total:
            scored.append((shared / total, shared, term))
    if not scored:
        return None
    return max(scored, key=lambda row: (row[0], row[1]))[2]
