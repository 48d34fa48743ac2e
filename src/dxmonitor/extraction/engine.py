"""Reading indicator facts out of Vietnamese narrative text.

For each figure (numbers.py) the extractor decides which catalogue indicator it measures from
the words around it, which place it is about (places.py), whether it is a result or a target,
and for which period. Two sentence shapes cover most reporting language:

    "98% cán bộ, công chức … có máy tính"   the figure first, what it counts after it;
    "tỷ lệ hộ gia đình … đạt 24,3%"         what it measures first, the figure after a verb.

Rules only, no model: it runs offline on one core, and every decision can be explained.
"""

import bisect
import datetime
import itertools
import re
from dataclasses import dataclass

from .numbers import COUNT, PERCENT, RATIO, Mention, find_mentions
from .places import PlaceResolver, find_places
from .reading import Sentence, split_sentences
from .terms import COMMUNE, ENTITY_WORDS, NEGATIONS, VILLAGE, Catalogue, Term, Token, tokenize

ACTUAL, TARGET = "actual", "target"
MIN_SCORE = 1.6
MIN_COVERAGE = 0.75  # of a phrasing's weight; a name is longer and vaguer, so it needs more
MIN_NAME_COVERAGE = 0.85
DISTINCTIVE = 4.4  # the weight of a word at most two indicators use
SHORT_PATTERN = 3  # words; a phrasing this short must appear whole and in order
CONTEXT_CHARS = 260  # how far back from a figure its description may start

# After a figure, these start the description of the next one ("… đạt 6,7% và số … đạt 322").
_LINKING = {"đạt", "chiếm", "là", "bằng"}
# Nouns that count anything: a figure followed by one of them takes its meaning from before.
_CLASSIFIERS = {"số", "lượt", "chiếc", "cái", "đơn", "trường", "người", "điểm"}
# After a counted noun, these say the count is of some of them, not all: "3.150 hộ sử dụng …".
_QUALIFIERS = {
    "sử",
    "có",
    "được",
    "đã",
    "chưa",
    "không",
    "tham",
    "đăng",
    "dùng",
    "cài",
    "kết",
    "thực",
    "nộp",
    "đang",
    "bị",
    "cần",
    "tiếp",
    "mua",
    "bán",
    "lắp",
    "truy",
}
_COMPARED = re.compile(r"\b(?:so với|cùng kỳ|so cùng kỳ)\s*(?:cùng kỳ\s*)?$", re.IGNORECASE)
_THIS_ONE = re.compile(r"\b(?:tỷ lệ|tỉ lệ|con số|chỉ số|số lượng|chỉ tiêu)\s+(?:này|đó|trên)\b", re.I)
_LINK_BEFORE = re.compile(r"\b(?:đạt|là|chiếm|lên|xuống|lên mức|còn)\s*$", re.I)
_RANK_WORDS = ("xếp", "hạng", "thứ", "vị", "trí")
_SKIP_AFTER = {"các", "số", "những", "tổng"}
# A figure followed by one of these is the end of a description, not the start of one.
_NOT_SUBJECT = {
    "và",
    "so",
    "trở",
    "của",
    "trong",
    "tại",
    "với",
    "hoặc",
    "là",
    "thì",
    "nhưng",
    "trên",
    "đạt",
    "cho",
    "tăng",
    "giảm",
    "năm",
    "vào",
    "đến",
    "từ",
    "khi",
    "để",
    "nên",
    "do",
    "theo",
    "như",
    "ở",
    "còn",
}
_TARGET_WORDS = re.compile(
    r"\b(phấn đấu|mục tiêu|chỉ tiêu|dự kiến|kế hoạch đề ra|hướng tới|hướng đến|định hướng|sẽ|cần đạt|"
    r"nhằm đạt|tầm nhìn|đặt ra|phải đạt|tiến tới)\b",
    re.IGNORECASE,
)
_NOT_TARGET = re.compile(r"chương trình mục tiêu", re.IGNORECASE)
_ACTUAL_WORDS = re.compile(r"\b(đã|hiện nay|hiện có|đến nay|tính đến|hiện tại)\b", re.IGNORECASE)
_BY_YEAR = re.compile(r"\b(?:đến|tới|vào|trước|đến hết|trong)\s+năm\s+(\d{4})\b", re.IGNORECASE)
_PERIODS = (
    (re.compile(r"\b(\d{1,2}|sáu|chín)\s+tháng\s+(?:đầu\s+)?năm(?:\s+(\d{4}))?", re.I), "months"),
    (
        re.compile(
            r"\b(?:đến|tính đến|đến hết|tới|trước|ngày)\s+(?:ngày\s+)?\d{1,2}/(\d{1,2})/(\d{4})\b", re.I
        ),
        "month",
    ),
    (re.compile(r"\btháng\s+(\d{1,2})\s*(?:/|năm\s+)(\d{4})\b", re.I), "month"),
    (re.compile(r"\bquý\s+(I{1,3}|IV|[1-4])\s*(?:/|năm\s+)(\d{4})\b", re.I), "quarter"),
    (re.compile(r"\bnăm\s+(\d{4})\b", re.I), "year"),
)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_WORD_MONTHS = {"sáu": 6, "chín": 9}


@dataclass
class Fact:
    indicator: str
    value: float
    comparator: str
    kind: str
    period: str | None
    numerator: float | None
    denominator: float | None
    locality: str
    province: str
    start: int
    end: int
    evidence: str
    score: float
    paragraph: int = 0
    within: str = ""  # the district the text says the place is in, when it says so
    rule: str = ""  # which reading proposed it (RULES), shown to the reviewer with `matched`
    matched: str = ""  # the catalogue phrasing the words around the figure matched

    def as_prediction(self, doc: str) -> dict:
        return {
            "doc": doc,
            "locality": self.locality,
            "indicator": self.indicator,
            "value": self.value,
            "comparator": self.comparator,
            "kind": self.kind,
            "period": self.period,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "start": self.start,
            "end": self.end,
            "evidence": self.evidence,
            "rule": self.rule,
            "matched": self.matched,
        }


# Why a fact was proposed: each reading of a figure has a name the review page explains.
DESCRIBED_BEFORE = "described-before"  # "tỷ lệ hộ … đạt 24,3%": what it measures, then the figure
COUNTED_AFTER = "counted-after"  # "3.200 lượt cán bộ được tập huấn": the figure, then what it counts
SAME_AS_BEFORE = "same-as-before"  # "… tỷ lệ này đạt 52%": the indicator of the figure just before
TOPIC = "topic"  # "xếp thứ 35/63": a rank or score of what the passage is about
TOTAL_OF_RATIO = "total-of-ratio"  # "17/120 thôn": the place has 120 villages
RULES = (DESCRIBED_BEFORE, COUNTED_AFTER, SAME_AS_BEFORE, TOPIC, TOTAL_OF_RATIO)


@dataclass
class _Match:
    term: Term
    score: float
    start: int
    end: int
    phrase: str = ""
    rule: str = ""


def extract(
    text: str,
    *,
    catalogue: Catalogue,
    published_on: datetime.date | None = None,
    provinces: frozenset[str] | set[str] = frozenset(),
) -> list[Fact]:
    """The facts a text states, in text order. `text` must already be NFC (reading.py)."""
    sentences = split_sentences(text)
    if not sentences:
        return []
    mentions = find_mentions(text)
    if not mentions:
        return []
    resolver = PlaceResolver(text, sentences, find_places(text, provinces))
    title_end, title_period = _title_period(text, sentences, mentions[0].start, published_on)
    headings = _headings(text, sentences)
    heading_starts = [h[0] for h in headings]
    facts: list[Fact] = []
    seen: set[tuple] = set()
    s_index = 0
    for i, mention in enumerate(mentions):
        while s_index < len(sentences) - 1 and sentences[s_index].end <= mention.start:
            s_index += 1
        sentence = sentences[s_index]
        if not sentence.start <= mention.start < sentence.end:
            continue
        earlier = facts[-1] if facts and facts[-1].paragraph == sentence.paragraph else None
        for fact in _facts_of(text, mentions, i, sentence, catalogue, resolver, published_on, earlier):
            heading = bisect.bisect_right(heading_starts, fact.start) - 1
            if heading >= 0 and headings[heading][1]:
                # Under "II. PHƯƠNG HƯỚNG NĂM 2024" every figure is a target for that year.
                fact.kind = TARGET
                fact.period = fact.period or headings[heading][2]
            if fact.period is None and fact.kind == ACTUAL and fact.start >= title_end:
                fact.period = title_period  # "Báo cáo kết quả … năm 2023" dates what follows
            key = (fact.locality, fact.indicator, fact.kind, round(fact.value, 6))
            if key not in seen:
                seen.add(key)
                facts.append(fact)
    return facts


def _clause(text: str, sentence: Sentence, mention: Mention) -> tuple[int, int]:
    """The part of the sentence between semicolons around the figure, at most CONTEXT_CHARS each
    way: a run-on "sentence" of a megabyte must not make every figure read all of it."""
    lower = max(sentence.start, mention.text_start - CONTEXT_CHARS)
    upper = min(sentence.end, mention.end + CONTEXT_CHARS)
    start = text.rfind(";", lower, mention.text_start) + 1 or lower
    end = text.find(";", mention.end, upper)
    return max(start, lower), upper if end < 0 else end


def _facts_of(
    text: str,
    mentions: list[Mention],
    i: int,
    sentence: Sentence,
    catalogue: Catalogue,
    resolver: PlaceResolver,
    published_on: datetime.date | None,
    earlier: "Fact | None" = None,
) -> list[Fact]:
    mention = mentions[i]
    clause_start, clause_end = _clause(text, sentence, mention)
    previous = mentions[i - 1] if i > 0 else None
    following = mentions[i + 1] if i + 1 < len(mentions) else None
    left_start = max(clause_start, previous.end if previous and previous.end > clause_start else clause_start)
    right_end = clause_end
    if following and following.text_start < clause_end:
        right_end = following.text_start
    left = tokenize(text[left_start : mention.text_start], left_start)
    right = tokenize(text[mention.end : right_end], mention.end)
    if following and following.text_start < clause_end:
        for k, token in enumerate(right):
            if token.word in _LINKING:
                right = right[:k]
                break
    gap = text[mention.end : right[0].start] if right else ""
    figure_first = bool(right) and not gap.strip(" %") and right[0].word not in _NOT_SUBJECT
    subject = _subject(right) if figure_first else None

    if figure_first and subject not in _CLASSIFIERS:
        match = _best(catalogue, right, mention, subject, anchor=mention.end)
    elif figure_first:  # "3.200 lượt cán bộ được tập huấn": the words before count as much
        match = _best(catalogue, left + right, mention, subject, anchor=mention.start)
    else:
        match = _best(catalogue, left, mention, None, anchor=mention.start)
    if match is None:
        match = _best(catalogue, left + right, mention, subject, anchor=mention.start)
    if match is not None:
        match.rule = COUNTED_AFTER if figure_first and match.start >= mention.end else DESCRIBED_BEFORE
    if match is None and mention.rank:
        match = _rank_of_topic(catalogue, text, sentence, mention, right, earlier)
    if match is not None and match.term.code in totals_of(catalogue) and _qualified(right, match):
        match = None  # "3 thôn chưa có sóng" or "3.150 hộ sử dụng cáp quang" are not all the villages
    between = text[left_start : mention.text_start]
    same_sentence = earlier is not None and earlier.start >= sentence.start
    if (
        match is None
        and earlier is not None
        and (_THIS_ONE.search(between) or (same_sentence and len(left) <= 6 and _LINK_BEFORE.search(between)))
    ):
        # "… tỷ lệ này đạt 52%": the indicator of the figure just before, in the same paragraph.
        term = next((t for t in catalogue.terms if t.code == earlier.indicator), None)
        if term is not None and _compatible(term, mention):
            match = _Match(
                term,
                0.0,
                left[0].start if left else mention.text_start,
                mention.end,
                earlier.matched,
                SAME_AS_BEFORE,
            )
    facts = []
    described_until = right[-1].end if figure_first and right else mention.end
    place = resolver.place_for(mention.start, sentence, described_until)
    locality = place.place.locality if place else ""
    province = resolver.province_for(place) if place else ""
    within = place.within if place else ""
    kind = _kind(text, sentence, clause_start, mention)
    period = _period(text, sentence, mention, kind, published_on)
    if match is not None:
        value, numerator, denominator = _value(mention, match.term)
        start = min(match.start, mention.text_start, mention.quote_start or mention.text_start)
        if left and match.start < mention.text_start:
            start = left[0].start  # "tỷ lệ … đạt 39%": quote the whole description
        end = max(match.end, mention.end)
        if figure_first:  # "3.200 lượt cán bộ": the quote ends after what is counted
            end = max(end, _noun_end(text, right))
        facts.append(
            Fact(
                match.term.code,
                value,
                mention.comparator,
                kind,
                period,
                numerator,
                denominator,
                locality,
                province,
                start,
                end,
                text[start:end],
                round(match.score, 3),
                sentence.paragraph,
                within,
                match.rule,
                match.phrase,
            )
        )
    if mention.form == RATIO and not mention.rank and subject in catalogue.totals and kind == ACTUAL:
        # "17/120 thôn" also says the place has 120 villages.
        end = right[0].end if right else mention.end
        facts.append(
            Fact(
                catalogue.totals[subject],
                float(mention.denominator or 0),
                "eq",
                ACTUAL,
                period,
                None,
                None,
                locality,
                province,
                mention.start,
                end,
                text[mention.start : end],
                0.0,
                sentence.paragraph,
                within,
                TOTAL_OF_RATIO,
                text[mention.start : end],
            )
        )
    return facts


def _rank_of_topic(
    catalogue: Catalogue,
    text: str,
    sentence: Sentence,
    mention: Mention,
    right: list[Token],
    earlier: "Fact | None",
) -> _Match | None:
    """ "Chỉ số DTI … đạt 0,45 điểm, xếp thứ 35/63": the rank of what the sentence is about."""
    topic = None
    if earlier is not None and earlier.start >= sentence.start:
        topic = next((t for t in catalogue.terms if t.code == earlier.indicator), None)
    if topic is None:
        start = max(sentence.start, mention.text_start - CONTEXT_CHARS)
        context = tokenize(text[start : mention.text_start], start) + right
        found = _best(catalogue, context, mention, None, mention.start, any_kind=True)
        topic = found.term if found is not None else None
    if topic is None:
        return None
    rank_words = set(_RANK_WORDS)

    def shared(term: Term) -> float:  # the weight of the meaningful words two indicators share
        return sum(
            catalogue.weight(w) for w in (term.words & topic.words) - rank_words if catalogue.weight(w) >= 2
        )

    scored = [(shared(t), t) for t in catalogue.terms if t.is_rank and shared(t) > 0]
    if not scored:
        return None
    term = max(scored, key=lambda pair: pair[0])[1]
    phrase = next((p.text for p in topic.patterns if not p.from_name), topic.name_vi)
    return _Match(term, 0.0, mention.quote_start or mention.text_start, mention.end, phrase, TOPIC)


def totals_of(catalogue: Catalogue) -> set[str]:
    return set(catalogue.totals.values())


def _qualified(right: list[Token], match: _Match) -> bool:
    """The counted noun is followed by a verb that narrows it."""
    after = [t for t in right if t.start >= match.end]
    return bool(after) and (after[0].word in _QUALIFIERS or any(t.word in NEGATIONS for t in after[:6]))


def _noun_end(text: str, right: list[Token]) -> int:
    """Where the noun phrase right after a figure ends: at most three words, none a link word,
    no punctuation in between."""
    end = right[0].end
    for previous, token in itertools.pairwise(right[:3]):
        if token.word in _NOT_SUBJECT or token.word in _LINKING or text[previous.end : token.start].strip():
            break
        end = token.end
    return end


def _subject(right: list[Token]) -> str | None:
    for token in right[:3]:
        if token.word not in _SKIP_AFTER:
            return token.word
    return right[0].word if right else None


def _compatible(term: Term, mention: Mention) -> bool:
    if mention.rank:
        return term.is_rank
    if term.is_rank:
        return False
    if mention.form == PERCENT:
        return term.is_percent
    if mention.form == RATIO:
        return term.is_percent or term.kind == "count"
    return not term.is_percent


def _best(
    catalogue: Catalogue,
    context: list[Token],
    mention: Mention,
    subject: str | None,
    anchor: int,
    any_kind: bool = False,
) -> _Match | None:
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
        for word in _RANK_WORDS:
            positions.setdefault(word, [anchor_index])
    best: _Match | None = None
    present_words = positions.keys()
    for term in catalogue.terms:
        if term.words.isdisjoint(present_words) or not (any_kind or _compatible(term, mention)):
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
        if mention.rank and not (matched & real) - set(_RANK_WORDS):
            continue  # "đứng thứ 2 khu vực" says nothing of what is ranked
        if subject in ENTITY_WORDS and subject not in term.words and (ENTITY_WORDS - {subject}) & term.words:
            continue  # "72/120 thôn" is not about communes
        if mention.form == RATIO and matched <= {subject} and context[0].word == subject:
            continue  # "72/120 thôn" names what is counted, not what is measured
        if (
            mention.form == COUNT
            and not mention.rank
            and subject
            and subject not in _CLASSIFIERS
            and subject not in term.words
        ):
            continue  # "452.000 tấn" counts tonnes, whatever the words around it
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
        best = _Match(term, score, context[min(indexes)].start, context[max(indexes)].end, phrase)
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


def _value(mention: Mention, term: Term) -> tuple[float, float | None, float | None]:
    if mention.form == RATIO and term.is_percent and mention.denominator:
        return (
            round(100.0 * (mention.numerator or 0) / mention.denominator, 2),
            mention.numerator,
            mention.denominator,
        )
    if mention.form == RATIO:
        return mention.value, None, mention.denominator
    return mention.value, None, None


def _kind(text: str, sentence: Sentence, clause_start: int, mention: Mention) -> str:
    clause = text[clause_start : mention.start]
    if _TARGET_WORDS.search(_NOT_TARGET.sub(" ", clause)):
        return TARGET
    opening = text[sentence.start : min(mention.start, sentence.start + 40)]
    if _TARGET_WORDS.search(_NOT_TARGET.sub(" ", opening)) and not _ACTUAL_WORDS.search(clause):
        return TARGET  # "Phấn đấu 100% thôn …; tỷ lệ … đạt 80%": the whole sentence is the plan
    return ACTUAL


def _period(
    text: str, sentence: Sentence, mention: Mention, kind: str, published_on: datetime.date | None
) -> str | None:
    scope_start = max(sentence.start, mention.start - 2 * CONTEXT_CHARS)
    scope = text[scope_start : min(sentence.end, mention.end + 2 * CONTEXT_CHARS)]
    offset = mention.start - scope_start
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for pattern, form in _PERIODS:
        for match in pattern.finditer(scope):
            # "6 tháng đầu năm 2024" is a half-year, not the year its last words name.
            if any(s <= match.start() < e for s, e in spans):
                continue
            code = _period_code(match, form, published_on)
            if code and _COMPARED.search(scope[max(0, match.start() - 20) : match.start()]):
                spans.append(match.span())  # "so với năm 2022" is the base of a comparison
                continue
            if code:
                spans.append(match.span())
                found.append((match.start(), code))
    if not found:
        return None
    by_year = _BY_YEAR.search(scope)
    if kind == TARGET and by_year:
        return by_year.group(1)
    # "60% năm 2023": a period right after the figure is its own.
    right_after = [f for f in found if 0 <= f[0] - (offset + mention.end - mention.start) <= 3]
    before = [f for f in found if f[0] < offset]
    if right_after:
        chosen = right_after[0]
    else:
        chosen = before[-1] if before else min(found, key=lambda f: abs(f[0] - offset))
    return chosen[1]


def _title_period(
    text: str, sentences: list[Sentence], first_figure: int, published_on: datetime.date | None
) -> tuple[int, str | None]:
    """The period the title or the lines before the first figure name ("Báo cáo kết quả … năm 2023"),
    and where those lines end."""
    for sentence in sentences:
        if sentence.paragraph > 3 or sentence.end > first_figure:
            break
        line = text[sentence.start : min(sentence.end, sentence.start + 300)]
        for pattern, form in _PERIODS:
            match = pattern.search(line)
            if match and not _COMPARED.search(line[: match.start()]):
                return sentence.end, _period_code(match, form, published_on)
    return 0, None


_HEADING = re.compile(r"^\s*(?:[IVX]+[.)]|[A-ZĐ][.)]|\d+(?:\.\d+)*[.)])\s+\S")
_PLAN_HEADING = re.compile(r"phương hướng|nhiệm vụ|kế hoạch|mục tiêu|chỉ tiêu|dự kiến", re.IGNORECASE)


def _headings(text: str, sentences: list[Sentence]) -> list[tuple[int, bool, str | None]]:
    """Section headings of a report: (where, whether it opens a plan, the year it names)."""
    paragraphs: dict[int, list[int]] = {}
    for sentence in sentences:
        bounds = paragraphs.setdefault(sentence.paragraph, [sentence.start, sentence.end])
        bounds[1] = sentence.end
    found = []
    for start, end in paragraphs.values():
        line = text[start:end]
        if len(line) > 120:
            continue
        letters = [ch for ch in line if ch.isalpha()]
        shouting = bool(letters) and sum(ch.isupper() for ch in letters) > 0.8 * len(letters)
        if not shouting and not _HEADING.match(line):
            continue
        year = re.search(r"\bnăm\s+(\d{4})\b", line, re.IGNORECASE)
        # Only a report's own section opens a plan: a headline in capitals that says "mục tiêu" does not.
        numbered = bool(_HEADING.match(line)) or bool(_PLAN_HEADING.match(line.strip()))
        plan = shouting and numbered and bool(_PLAN_HEADING.search(line))
        found.append((start, plan, year.group(1) if year else None))
    return found


def _period_code(match: re.Match, form: str, published_on: datetime.date | None) -> str | None:
    if form == "year":
        year = int(match.group(1))
        return str(year) if 1990 <= year <= 2100 else None
    if form == "month":
        month, year = int(match.group(1)), int(match.group(2))
        return f"{year}{month:02d}" if 1 <= month <= 12 and 1990 <= year <= 2100 else None
    if form == "quarter":
        raw = match.group(1).upper()
        quarter = _ROMAN.get(raw) or int(raw)
        return f"{match.group(2)}Q{quarter}"
    months_raw = match.group(1).lower()
    months = _WORD_MONTHS.get(months_raw) or int(months_raw)
    year = int(match.group(2)) if match.group(2) else (published_on.year if published_on else None)
    if year is None or not 1 <= months <= 12:
        return None
    return f"{year}{months:02d}"


__all__ = ["ACTUAL", "COMMUNE", "TARGET", "VILLAGE", "Fact", "extract"]
