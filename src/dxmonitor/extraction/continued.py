"""Figures whose description is carried over from the words before them in their sentence.

"Phủ sóng di động đến 100% trung tâm xã và khoảng 97% khu dân cư": the second figure names only
its scope; it is the same measure as the first for that scope, so it takes the indicator the
first one's words fit for villages. "… nâng tổng số trạm BTS lên 1.360 vị trí với 3.236 trạm":
"trạm" alone is the head of "trạm BTS" named before in the sentence, and the figure counts those.
Both readings need the carried words to fit the new figure as well as any figure; when they do
not, nothing is proposed.
"""

import re

from .matching import Match, best
from .numbers import Mention
from .reading import Sentence
from .terms import Catalogue, Token, tokenize

# Between the first figure's words and the second figure: "và", a comma, nothing else.
_SECOND = re.compile(r"^\s*,?\s*(?:và|còn)?\s*$", re.IGNORECASE)
# After the head noun: the end of its phrase ("3.236 trạm (Cụ thể …", "3.236 trạm."), not "trạm 2G".
_PHRASE_END = re.compile(r"^\s*(?:[,;.:()\n]|và\b|trong đó\b|$)", re.IGNORECASE)


def second_scope(
    *,
    catalogue: Catalogue,
    text: str,
    earlier: tuple[int, int],
    mention: Mention,
    right: list[Token],
    population: str | None,
    expansions: dict[str, tuple[str, ...]] | None,
) -> Match | None:
    """The indicator of the figure before (its words in `earlier`, a span) for this figure's own
    scope (`population`, "khu dân cư" → villages)."""
    start, end = earlier
    if population is None or not _SECOND.match(text[end : mention.text_start]):
        return None
    context = [t for t in tokenize(text[start:end], start, expansions) if not t.word.isdigit()] + right
    return best(catalogue, context, mention, None, anchor=mention.start, population=population)


def head_noun(
    *,
    catalogue: Catalogue,
    text: str,
    sentence: Sentence,
    mention: Mention,
    right: list[Token],
    subject: str | None,
    expansions: dict[str, tuple[str, ...]] | None,
) -> Match | None:
    """The indicator whose phrasing starts with the noun counted ("trạm") and was named whole
    before the figure in its sentence ("trạm BTS")."""
    if not subject or not right or right[0].word != subject or not _PHRASE_END.match(text[right[0].end :]):
        return None
    heads = frozenset(
        term.code
        for term in catalogue.terms
        if any(p.words[0] == subject and len(p.words) > 1 for p in term.patterns)
    )
    if not heads:
        return None
    before = tokenize(text[sentence.start : mention.text_start], sentence.start, expansions)
    found = best(catalogue, before, mention, None, anchor=mention.start, only=heads)
    if found is None or subject not in {t.word for t in before if found.start <= t.start < found.end}:
        return None
    return found
