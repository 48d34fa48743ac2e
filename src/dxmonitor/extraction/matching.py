"""How well the words around a figure fit each catalogue indicator.

Each indicator has phrasings (its name and the catalogue's `phrasings`), turned into token
patterns in terms.py. A phrasing of three words or fewer must appear whole and in order; a
longer one must be covered for most of its weight, and a word at most two indicators use cannot
be left out. The matched words score by their weight (rare words weigh more) and by how close
they are to the figure; the best indicator above MIN_SCORE wins, and when none fits, none is
proposed.
"""

from dataclasses import dataclass

from .numbers import COUNT, PERCENT, RATIO, Mention
from .terms import ENTITY_WORDS, NEGATIONS, Catalogue, Term, Token

MIN_SCORE = 1.6
MIN_COVERAGE = 0.75  # of a phrasing's weight; a name is longer and vaguer, so it needs more
MIN_NAME_COVERAGE = 0.85
DISTINCTIVE = 4.4  # the weight of a word at most two indicators use
SHORT_PATTERN = 3  # words; a phrasing this short must appear whole and in order
CONTEXT_CHARS = 260  # how far back from a figure its description may start
RANK_WORDS = ("xếp", "hạng", "thứ", "vị", "trí")
# Nouns that count anything: a figure followed by one of them takes its meaning from before.
CLASSIFIERS = {"số", "lượt", "chiếc", "cái", "đơn", "trường", "người", "điểm"}


@dataclass
class Match:
    term: Term
    score: float
    start: int
    end: int
    phrase: str = ""
    rule: str = ""


def compatible(term: Term, mention: Mention) -> bool:
    if mention.rank:
        return term.is_rank
    if term.is_rank:
        return False
    if mention.form == PERCENT:
        return term.is_percent
    if mention.form == RATIO:
        return term.is_percent or term.kind == "count"
    return not term.is_percent


def best(
    catalogue: Catalogue,
    context: list[Token],
    mention: Mention,
    subject: str | None,
    anchor: int,
    any_kind: bool = False,
    only: frozenset[str] | None = None,
    population: str | None = None,
) -> Match | None:
    """The indicator the words fit best, or None. `population`: what the text says the figure is
    a share of ("85% thôn" → villages); a share of something else cannot be proposed."""
    if not context:
        return None
    positions: dict[str, list[int]] = {}
    for index, token in enumerate(context):
        positions.setdefault(token.word, []).append(index)
    anchor_index = min(range(len(context)), key=lambda k: abs(context[k].start - anchor))
    real = set(positions)
    # An acronym ("DTI", "BTS") names its indicator on its own; a common word does not.
    acronyms = {t.word for t in context if t.acronym}
    if mention.rank:
        # "xếp thứ 20/63" is a rank already: the words that say so need not be repeated.
        for word in RANK_WORDS:
            positions.setdefault(word, [anchor_index])
    best: Match | None = None
    present_words = positions.keys()
    for term in catalogue.terms:
        if only is not None and term.code not in only:
            continue
        if population and term.population and term.population != population and mention.form != COUNT:
            continue  # "100% khu công nghiệp có 5G" is not a share of villages
        if term.words.isdisjoint(present_words) or not (any_kind or compatible(term, mention)):
            continue
        matched: set[str] = set()
        missing = float("inf")  # the weight the best-matched pattern lacks
        longest = 0
        phrase = ""
        for pattern, weights, total, negative in catalogue.weighted[term.code]:
            present = [w for w in pattern.words if w in positions]
            if not present:
                continue
            if len(pattern.words) <= SHORT_PATTERN:
                if len(present) < len(pattern.words) or not _in_order(pattern.words, context, positions):
                    continue
                got = total
            else:
                got = sum(weights[w] for w in present)
                if got < (MIN_NAME_COVERAGE if pattern.from_name else MIN_COVERAGE) * total - 1e-9:
                    continue
                if any(weights[w] >= DISTINCTIVE for w in pattern.words if w not in positions):
                    continue  # a word that only this indicator or one other uses cannot be left out
            if not negative and _negated(context, positions, present):
                continue
            matched.update(present)
            if total - got < missing or (total - got == missing and len(pattern.words) > longest):
                phrase = pattern.text
            missing = min(missing, total - got)
            longest = max(longest, len(pattern.words))
        if not matched:
            continue
        if longest == 1 and matched != {subject} and not matched & acronyms:
            continue  # one common word alone names an indicator only as what the figure counts
        if mention.rank and not (matched & real) - set(RANK_WORDS):
            continue  # "đứng thứ 2 khu vực" says nothing of what is ranked
        if subject in ENTITY_WORDS and subject not in term.words and (ENTITY_WORDS - {subject}) & term.words:
            continue  # "72/120 thôn" is not about communes
        if mention.form == RATIO and matched <= {subject} and context[0].word == subject:
            continue  # "72/120 thôn" names what is counted, not what is measured
        if (
            (mention.form == COUNT or (mention.form == RATIO and not term.is_percent))
            and not mention.rank
            and subject
            and subject not in CLASSIFIERS
            and subject not in term.words
        ):
            continue  # "452.000 tấn" counts tonnes, "11/11 huyện" districts, whatever the words around
        score = 0.0
        for word in matched:
            distance = min(abs(k - anchor_index) for k in positions[word])
            score += catalogue.weight(word) / (1.0 + distance / 12.0)
        score -= 0.5 * missing  # of two indicators named by the same words, the one named in full
        if subject and subject in matched:
            score += 1.0
        if mention.form == RATIO and term.is_percent:
            score += 0.5
        if score < MIN_SCORE or (best is not None and score <= best.score):
            continue
        indexes = [k for w in matched for k in positions[w]]
        best = Match(term, score, context[min(indexes)].start, context[max(indexes)].end, phrase)
    return best


def _in_order(words: tuple[str, ...], context: list[Token], positions: dict[str, list[int]]) -> bool:
    """The words appear in this order: two words side by side, longer phrasings with at most a
    few words between each ("phủ sóng thông tin di động mạng 3G" says "phủ sóng 3G")."""
    if any(w not in positions for w in words):
        return False
    reach = 1 if len(words) == 2 else 6
    for start in positions[words[0]]:
        at = start
        for word in words[1:]:
            nxt = next((k for k in positions[word] if at < k <= at + reach), None)
            if nxt is None:
                break
            at = nxt
        else:
            return True
    return False


def _negated(context: list[Token], positions: dict[str, list[int]], present: list[str]) -> bool:
    """A negation just before or among the words: "chưa được phủ sóng", "thôn chưa được phủ sóng"."""
    found = [positions[w][0] for w in present]
    return any(t.word in NEGATIONS for t in context[max(0, min(found) - 2) : max(found)])
