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

from dxmonitor.common.text import fold

from .continued import head_noun, second_scope
from .matching import CLASSIFIERS, Match, best, compatible
from .numbers import COUNT, RATIO, Mention, find_mentions
from .periods import ACTUAL, CONTEXT_CHARS, TARGET, kind_of, period_of, title_period
from .periods import headings as headings_of
from .places import PlaceResolver, find_places
from .reading import Sentence, split_sentences
from .terms import COMMUNE, NEGATIONS, VILLAGE, Catalogue, Term, Token, abbreviations, population_at, tokenize
from .topics import TOPIC, of_topic

# After a figure, these start the description of the next one ("… đạt 6,7% và số … đạt 322").
_ADJACENT = re.compile(
    r"^\s*(?:%|điểm)?\s*[,;]?\s*(?:và\s+)?(?:vươn lên\s+|đứng\s+|xếp\s+)?\S{0,12}\s*$", re.I
)
_LINKING = {"đạt", "chiếm", "là", "bằng"}
# After a counted noun, these say the count is of some of them, not all: "3.150 hộ sử dụng …".
_QUALIFIERS = {
    "sử", "có", "được", "đã", "chưa", "không", "tham", "đăng", "dùng", "cài", "kết", "thực", "nộp", "đang",
    "bị", "cần", "tiếp", "mua", "bán", "lắp", "truy",
    # "7 doanh nghiệp đầu tư hạ tầng", "4 xã điểm", "30 ấp thuộc 4 xã": some of them, not all.
    "đầu", "cung", "hoạt", "triển", "thuộc", "điểm", "xây", "kinh", "ứng", "tổ", "hoàn", "thí", "trả", "làm",
    "là",
}  # fmt: skip
# "tại 32 thôn", "còn lại 9 ấp", "thuộc 4 xã": where, or what is left, not how many there are.
_NOT_TOTAL_BEFORE = re.compile(r"\b(?:tại|ở|đến|trong|thuộc|còn lại|còn|từ|ngoài)\s*$", re.I)
_THIS_ONE = re.compile(r"\b(?:tỷ lệ|tỉ lệ|con số|chỉ số|số lượng|chỉ tiêu)\s+(?:này|đó|trên)\b", re.I)
# "3.236 trạm (cụ thể là 853 trạm 2G …)": what follows are parts of the figure before, not it again.
_PARTS = re.compile(r"\b(?:trong đó|cụ thể|gồm|bao gồm|riêng)\b", re.IGNORECASE)
# "30/30 ấp thuộc 4 xã điểm": the 30 are those of some communes, not the place's all.
_OF_A_PART = re.compile(r"^[\s,-]*(?:\w+\s+)?(?:thuộc|của|tại|ở)\s+\d", re.IGNORECASE)
_WHERE = re.compile(r"\b(?:tại|ở)\s*$", re.IGNORECASE)
# Words that may follow a population count without making it a part: "166 xã, phường mới",
# "1.400 hộ với …", "12 bản trên địa bàn".
_STILL_ALL = {
    "mới", "và", "với", "trên", "tại", "của", "trong", "ở", "toàn", "hiện", "nay", "năm", "đến", "gồm",
    "thuộc", "dân", "gia", "đình", "khẩu", "số", "bản", "xóm", "phường", "thị", "trấn", "người",
}  # fmt: skip
_LINK_BEFORE = re.compile(r"\b(?:đạt|là|chiếm|lên|xuống|lên mức|còn)\s*$", re.I)
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
# TOPIC (topics.py): "xếp thứ 35/63", a rank or score of what the passage is about
TOTAL_OF_RATIO = "total-of-ratio"  # "17/120 thôn": the place has 120 villages
RULES = (DESCRIBED_BEFORE, COUNTED_AFTER, SAME_AS_BEFORE, TOPIC, TOTAL_OF_RATIO)


def extract(
    text: str,
    *,
    catalogue: Catalogue,
    published_on: datetime.date | None = None,
    provinces: frozenset[str] | set[str] = frozenset(),
) -> list[Fact]:
    """The facts a text states, in text order. `text` must already be NFC (reading.py)."""
    sentences = split_sentences(text)
    if not sentences or not _vietnamese(text):
        return []
    mentions = find_mentions(text)
    if not mentions:
        return []
    resolver = PlaceResolver(text, sentences, find_places(text, provinces))
    title_end, opening_period = title_period(text, sentences, mentions[0].start, published_on)
    headings = headings_of(text, sentences)
    expansions = abbreviations(text)
    heading_starts = [h[0] for h in headings]
    facts: list[Fact] = []
    seen: set[tuple] = set()
    s_index = 0
    silent = (-1, False)  # (sentence, whether the figure before in it was left without a fact)
    for i, mention in enumerate(mentions):
        while s_index < len(sentences) - 1 and sentences[s_index].end <= mention.start:
            s_index += 1
        sentence = sentences[s_index]
        if not sentence.start <= mention.start < sentence.end:
            continue
        earlier = facts[-1] if facts and facts[-1].paragraph == sentence.paragraph else None
        # "kinh tế số đạt 0,66 điểm, xếp thứ 27": a rank right after a figure nothing was read
        # for is that figure's rank, not the topic's.
        after_silent = silent[0] == s_index and silent[1]
        found = _facts_of(
            text, mentions, i, sentence, catalogue, resolver, published_on, earlier, after_silent, expansions
        )
        silent = (s_index, not found)
        for fact in found:
            heading = bisect.bisect_right(heading_starts, fact.start) - 1
            if heading >= 0 and headings[heading][1]:
                # Under "II. PHƯƠNG HƯỚNG NĂM 2024" every figure is a target for that year.
                fact.kind = TARGET
                fact.period = fact.period or headings[heading][2]
            if fact.period is None and fact.kind == ACTUAL and fact.start >= title_end:
                fact.period = opening_period  # "Báo cáo kết quả … năm 2023" dates what follows
            key = (fold(fact.locality), fact.indicator, fact.kind, round(fact.value, 6))
            if key not in seen:
                seen.add(key)
                facts.append(fact)
    return facts


_VIETNAMESE_LETTERS = set("ăâđêôơưàáạảãầấậẩẫằắặẳẵèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ")
_WORDS = re.compile(r"[^\W\d_]+")


def _vietnamese(text: str) -> bool:
    """The catalogue's phrasings are Vietnamese: a text in English ("Quang Ngai ranked 26th …")
    is not read, rather than read into facts with no place. Vietnamese marks most words."""
    words = _WORDS.findall(text[:20_000])
    if len(words) < 12:
        return True
    marked = sum(1 for word in words if _VIETNAMESE_LETTERS.intersection(word.lower()))
    return marked >= 0.15 * len(words)


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
    after_silent: bool = False,
    expansions: dict[str, tuple[str, ...]] | None = None,
) -> list[Fact]:
    mention = mentions[i]
    clause_start, clause_end = _clause(text, sentence, mention)
    previous = mentions[i - 1] if i > 0 else None
    following = mentions[i + 1] if i + 1 < len(mentions) else None
    left_start = max(clause_start, previous.end if previous and previous.end > clause_start else clause_start)
    right_end = clause_end
    if following and following.text_start < clause_end:
        right_end = following.text_start
    left = tokenize(text[left_start : mention.text_start], left_start, expansions)
    right = tokenize(text[mention.end : right_end], mention.end, expansions)
    if following and following.text_start < clause_end:
        for k, token in enumerate(right):
            if token.word in _LINKING:
                right = right[:k]
                break
        # "32 tổ công nghệ số cộng đồng tại 32 thôn": where they are qualifies what is counted.
        if _WHERE.search(text[mention.end : following.text_start]) and following.form == COUNT:
            where = tokenize(text[following.end : min(clause_end, following.end + 20)], following.end)
            right = right + [t for t in where[:1] if t.word in (VILLAGE, COMMUNE)]
    gap = text[mention.end : right[0].start] if right else ""
    figure_first = bool(right) and not gap.strip(" %") and right[0].word not in _NOT_SUBJECT
    subject = _subject(right) if figure_first else None
    population = _population(left, right, figure_first)
    # "1.179 thành viên, đảm bảo mỗi xã một tổ (…)": what a count counts ends with its noun phrase.
    counted = _noun_phrase(text, right) if figure_first and mention.form == COUNT else right

    if figure_first and subject not in CLASSIFIERS:
        match = best(catalogue, counted, mention, subject, anchor=mention.end, population=population)
    elif figure_first:  # "3.200 lượt cán bộ được tập huấn": the words before count as much
        match = best(catalogue, left + counted, mention, subject, anchor=mention.start, population=population)
    else:
        match = best(catalogue, left, mention, None, anchor=mention.start, population=population)
    if match is None:
        match = best(catalogue, left + counted, mention, subject, anchor=mention.start, population=population)
    if match is not None and not _population_said(match.term, population, left + right):
        match = None  # "phủ sóng 5G đạt 60%": 60% of what — villages, people, the area?
    if match is not None:
        match.rule = COUNTED_AFTER if figure_first and match.start >= mention.end else DESCRIBED_BEFORE
    in_sentence = earlier is not None and earlier.start >= sentence.start
    if match is None and in_sentence and figure_first:
        match = second_scope(
            catalogue=catalogue,
            text=text,
            earlier=(earlier.start, earlier.end),
            mention=mention,
            right=right,
            population=population,
            expansions=expansions,
        )
        if match is not None:
            match.rule, match.phrase = SAME_AS_BEFORE, match.phrase or earlier.matched
    if match is None and figure_first:
        match = head_noun(
            catalogue=catalogue,
            text=text,
            sentence=sentence,
            mention=mention,
            right=right,
            subject=subject,
            expansions=expansions,
        )
        if match is not None:
            match.rule = DESCRIBED_BEFORE
    if match is None and not (after_silent and previous is not None and _adjacent(text, previous, mention)):
        match = of_topic(
            catalogue=catalogue,
            text=text,
            sentence=sentence,
            mention=mention,
            earlier=(earlier.indicator, earlier.end) if in_sentence else None,
            places=resolver.spans,
        )
    if (
        match is not None
        and match.term.code in catalogue.population_counts
        and _not_a_total(text, right, match, mention)
    ):
        match = None  # "3 thôn chưa có sóng" or "3.150 hộ sử dụng cáp quang" are not all the villages
    between = text[left_start : mention.text_start]
    same_sentence = earlier is not None and earlier.start >= sentence.start
    if (
        match is None
        and earlier is not None
        and not _PARTS.search(between)
        and (_THIS_ONE.search(between) or (same_sentence and len(left) <= 6 and _LINK_BEFORE.search(between)))
    ):
        # "… tỷ lệ này đạt 52%": the indicator of the figure just before, in the same paragraph.
        term = next((t for t in catalogue.terms if t.code == earlier.indicator), None)
        if term is not None and compatible(term, mention):
            match = Match(
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
    if mention.rank and mention.order is not None and mention.respectively is not None:
        # "TP.HCM và Quảng Ninh lần lượt xếp thứ 2 và 3": the n-th figure is the n-th place's.
        listed = resolver.listed_before(text, mention.respectively)
        if listed:
            place = listed[mention.order] if mention.order < len(listed) else None
            match = match if place is not None else None
    elif mention.rank:
        place = resolver.named_after(text, mention.end, sentence.end) or place
    locality = place.place.locality if place else ""
    province = resolver.province_for(place) if place else ""
    within = place.within if place else ""
    kind = kind_of(text, sentence, clause_start, mention)
    period = period_of(text, sentence, mention, kind, published_on)
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
    if (
        mention.form == RATIO
        and not mention.rank
        and subject in catalogue.totals
        and kind == ACTUAL
        and not (right and _OF_A_PART.match(text[right[0].end : right[0].end + 20]))
    ):
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


def _noun_phrase(text: str, right: list[Token]) -> list[Token]:
    """The words after a count up to a comma, bracket or colon, unless a list of places goes on
    ("166 xã, phường")."""
    for k in range(1, len(right)):
        gap = text[right[k - 1].end : right[k].start]
        if any(ch in gap for ch in ",;:()") and right[k].word not in (VILLAGE, COMMUNE):
            return right[:k]
    return right


def _population(left: list[Token], right: list[Token], figure_first: bool) -> str | None:
    """What the text says a share is of: the noun right after the figure ("85% thôn"), else the
    noun after "tỷ lệ" before it, else the noun its clause opens with ("Các hộ dân … đạt 100%")."""
    if figure_first:
        found = population_at([t.word for t in right[:4]], 0)
        if found:
            return found
    words = [t.word for t in left]
    for k in range(len(words) - 2, -1, -1):
        if words[k] in ("tỷ", "tỉ") and words[k + 1] == "lệ":
            found = population_at(words, k + 2)
            if found:
                return found
            break
    for k in range(min(3, len(words))):
        found = population_at(words, k)
        if found:
            return found
    return None


def _population_said(term: Term, population: str | None, context: list[Token]) -> bool:
    """A share of villages (households, people …) must say it is of villages somewhere around it."""
    if term.population is None or population == term.population:
        return True
    words = [t.word for t in context]
    return any(population_at(words, k) == term.population for k in range(len(words)))


def _adjacent(text: str, previous: Mention, mention: Mention) -> bool:
    """Nothing but a unit word, a comma and rank words between two figures: "0,66 điểm, xếp thứ"."""
    return bool(_ADJACENT.match(text[previous.end : mention.quote_start or mention.text_start]))


def _not_a_total(text: str, right: list[Token], match: Match, mention: Mention) -> bool:
    """ "72/120 thôn", "tại 32 thôn", "7 doanh nghiệp đầu tư …": the figure is not how many
    there are (the total of "72/120 thôn" is read from its 120)."""
    if mention.form == RATIO or _NOT_TOTAL_BEFORE.search(
        text[max(0, mention.text_start - 12) : mention.text_start]
    ):
        return True
    clause = text[max(0, mention.text_start - 60) : mention.text_start]
    if _PARTS.search(clause[max(clause.rfind(";"), clause.rfind("."), 0) :]):
        return True  # "1,3 triệu tài khoản; trong đó, 815.000 người …": a part of something else
    return _qualified(text, right, match)


def _qualified(text: str, right: list[Token], match: Match) -> bool:
    """The counted noun is followed by a verb that narrows it ("3.150 hộ sử dụng cáp quang"),
    also after a list in brackets ("7 doanh nghiệp (Viettel, VNPT…) đầu tư …")."""
    after = [t for t in right if t.start >= match.end]
    if after and text[match.end : after[0].start].strip().startswith("("):
        close = text.find(")", match.end)
        after = [t for t in after if t.start > close] if close >= 0 else []
    if not after:
        return False
    if after[0].word in _QUALIFIERS or any(t.word in NEGATIONS for t in after[:6]):
        return True
    # "12 doanh nghiệp viễn thông", "doanh nghiệp nhỏ và vừa": a kind of them, not all of them.
    joined = not text[match.end : after[0].start].strip()
    named = text[after[0].start : after[0].start + 1].isupper()
    return (
        joined and not named and after[0].word not in _STILL_ALL and after[0].word not in (VILLAGE, COMMUNE)
    )


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


__all__ = ["ACTUAL", "COMMUNE", "TARGET", "VILLAGE", "Fact", "extract"]
