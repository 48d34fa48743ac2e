"""The catalogue as the extractor sees it: each indicator's names and phrasings as token patterns.

Everything here is read from the catalogue (the database, or the shipped CSV when the database
has none), so that a new indicator or a new phrasing needs no code change. Matching is on words,
not characters, after folding the many Vietnamese names of the same kind of place into one word:
"thôn", "bản", "tổ dân phố", "khu dân cư" are all villages; "xã", "phường", "thị trấn" communes.
"""

import csv
import functools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

VILLAGE, COMMUNE = "@thôn", "@xã"
ENTITY_WORDS = {VILLAGE, COMMUNE}
_WORD = re.compile(r"\w+", re.UNICODE)

# Multi-word names first; compounds that merely contain the word are kept as they are.
_PLACE_NOUNS = (
    (("tổ", "dân", "phố"), VILLAGE),
    (("khu", "dân", "cư"), VILLAGE),
    (("khu", "phố"), VILLAGE),
    (("thị", "trấn"), COMMUNE),
    (("đặc", "khu"), COMMUNE),
    (("thôn",), VILLAGE),
    (("bản",), VILLAGE),
    (("xóm",), VILLAGE),
    (("ấp",), VILLAGE),
    (("buôn",), VILLAGE),
    (("làng",), VILLAGE),
    (("xã",), COMMUNE),
    (("phường",), COMMUNE),
)
_PLACE_NOUNS_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _words, _entity in _PLACE_NOUNS:
    _PLACE_NOUNS_BY_FIRST.setdefault(_words[0], []).append((_words, _entity))
_NOT_PLACE_BEFORE = {"văn", "cơ", "phiên", "căn", "kịch", "thị", "tác", "nguyên", "dự", "tư"}
_NOT_PLACE_AFTER = {"hội", "sắc", "đồ", "thân", "quyền", "lĩnh", "chất", "tin", "địa", "ủ", "nghề", "viên"}
# Words that carry no meaning of their own in a phrasing: they count for little.
_LIGHT = {
    "có",
    "được",
    "của",
    "các",
    "và",
    "đã",
    "trên",
    "tại",
    "là",
    "trong",
    "với",
    "cho",
    "về",
    "đến",
    "số",
    "tỷ",
    "lệ",
    "người",
    "những",
    "hoặc",
    "theo",
    "cấp",
    "sử",
    "dụng",
    "thực",
    "hiện",
}
NEGATIONS = {"chưa", "không"}


@dataclass(frozen=True)
class Token:
    word: str
    start: int
    end: int
    acronym: bool = False  # written in capitals: "DTI", "GRDP"


# The populations a share can be of: the head noun after "tỷ lệ" or after the figure ("85% thôn",
# "98% cán bộ"), as one or two words. Grammar, not wording: each catalogue indicator's own name
# says which it is (Term.population).
_POPULATIONS = {
    (VILLAGE,): "villages",
    (COMMUNE,): "communes",
    ("hộ",): "households",
    ("doanh", "nghiệp"): "enterprises",
    ("hợp", "tác"): "enterprises",
    ("người",): "people",
    ("dân", "số"): "people",
    ("công", "dân"): "people",
    ("nhân", "khẩu"): "people",
    ("cán", "bộ"): "officials",
    ("công", "chức"): "officials",
    ("viên", "chức"): "officials",
    ("văn", "bản"): "documents",
    ("hồ", "sơ"): "dossiers",
    ("thủ", "tục"): "procedures",
    ("dịch", "vụ"): "procedures",
    ("sản", "phẩm"): "products",
    ("cơ", "quan"): "agencies",
    ("cơ", "sở"): "facilities",
    ("trường",): "facilities",
    ("bệnh", "viện"): "facilities",
    ("huyện",): "districts",
    ("quận",): "districts",
    ("tỉnh",): "provinces",
    ("khu", "công"): "zones",
    ("cụm", "công"): "zones",
    ("chỉ", "tiêu"): "targets",
    ("nhiệm", "vụ"): "targets",
    ("thuê", "bao"): "subscriptions",
}
_POPULATION_SKIP = {"số", "các", "những", "tổng", "toàn", "bộ", "trung", "tâm"}


def population_at(words: list[str], index: int) -> str | None:
    """The population named at `index` ("các hộ dân" → households; "trung tâm các xã" → communes)."""
    while index < len(words) and words[index] in _POPULATION_SKIP:
        index += 1
    for size in (2, 1):
        found = _POPULATIONS.get(tuple(words[index : index + size]))
        if found:
            return found
    return None


def tokenize(text: str, offset: int = 0, expansions: dict[str, tuple[str, ...]] | None = None) -> list[Token]:
    """Lower-cased words with their character offsets, place nouns folded to @thôn / @xã, and the
    abbreviations a text defines (`expansions`: "tmđt" → thương mại điện tử) read in full."""
    raw = []
    for m in _WORD.finditer(text):
        word = m.group().lower()
        if expansions and word in expansions:
            raw.extend(Token(w, offset + m.start(), offset + m.end()) for w in expansions[word])
            continue
        raw.append(
            Token(word, offset + m.start(), offset + m.end(), len(m.group()) > 1 and m.group().isupper())
        )
    out: list[Token] = []
    i = 0
    while i < len(raw):
        word = raw[i].word
        for words, entity in _PLACE_NOUNS_BY_FIRST.get(word, ()):
            n = len(words)
            if tuple(t.word for t in raw[i : i + n]) != words:
                continue
            before = raw[i - 1].word if i else ""
            after = raw[i + n].word if i + n < len(raw) else ""
            if n == 1 and (before in _NOT_PLACE_BEFORE or after in _NOT_PLACE_AFTER):
                continue
            if out and out[-1].word == entity:  # "thôn, bản" is one kind of place, not two
                out[-1] = Token(entity, out[-1].start, raw[i + n - 1].end)
            else:
                out.append(Token(entity, raw[i].start, raw[i + n - 1].end))
            i += n
            break
        else:
            out.append(raw[i])
            i += 1
    return out


_DEFINED = re.compile(r"\(\s*([A-ZĐ][A-ZĐ0-9&]{1,9})\s*\)")


def abbreviations(text: str) -> dict[str, tuple[str, ...]]:
    """Abbreviations the text defines, by the initials of the words before them: "thương mại điện
    tử (TMĐT)", "dịch vụ công trực tuyến (DVCTT)". Later mentions read as the words they stand for."""
    found: dict[str, tuple[str, ...]] = {}
    for match in _DEFINED.finditer(text):
        short = match.group(1)
        letters = [ch for ch in short if ch.isalpha()]
        before = _WORD.findall(text[max(0, match.start() - 160) : match.start()])
        if len(letters) < 2 or len(before) < len(letters):
            continue
        long = before[-len(letters) :]
        if all(word[0].lower() == letter.lower() for word, letter in zip(long, letters, strict=True)):
            found.setdefault(short.lower(), tuple(word.lower() for word in long))
    return found


def words(text: str) -> tuple[str, ...]:
    return tuple(t.word for t in tokenize(text))


@dataclass(frozen=True)
class Pattern:
    words: tuple[str, ...]
    from_name: bool
    text: str = ""  # the phrasing as the catalogue writes it, to show why a figure was matched


@dataclass
class Term:
    """One catalogue indicator: what it measures and how texts name it."""

    code: str
    name_vi: str
    measure_unit: str
    kind: str
    patterns: list[Pattern] = field(default_factory=list)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        return frozenset(w for p in self.patterns for w in p.words)

    @property
    def is_percent(self) -> bool:
        return self.measure_unit == "percent" or self.kind in ("rate", "share")

    @property
    def is_rank(self) -> bool:
        return self.kind == "rank"

    @functools.cached_property
    def population(self) -> str | None:
        """What a share is a share of, from the head of its name: "Tỷ lệ thôn, bản … được phủ
        sóng" is of villages, "Tỷ lệ hộ gia đình …" of households; None for counts and for shares
        of nothing countable ("Tỷ trọng kinh tế số trong GRDP")."""
        if not self.is_percent:
            return None
        tokens = [t.word for t in tokenize(self.name_vi)]
        if tokens[:2] in (["tỷ", "lệ"], ["tỉ", "lệ"], ["tỷ", "trọng"]):
            tokens = tokens[2:]
        return population_at(tokens, 0)


@dataclass(eq=False)  # compared and hashed by identity: derived tables are cached per catalogue
class Catalogue:
    terms: list[Term]
    weights: dict[str, float]
    # A bare noun after a ratio ("17/120 thôn") names the total it is out of: the indicator
    # whose phrasing is that noun alone ("thôn" → number of villages).
    totals: dict[str, str]

    @functools.cached_property
    def population_counts(self) -> frozenset[str]:
        """Counts of a whole population ("Số hộ gia đình", phrased "hộ"): a figure is one only when
        it is how many there are, not how many of them do something."""
        codes = set()
        for term in self.terms:
            if term.kind != "count":
                continue
            for pattern in term.patterns:
                words = list(pattern.words)
                if len(words) <= 2 and population_at(words, 0) and not pattern.from_name:
                    codes.add(term.code)
        return frozenset(codes)

    @functools.cached_property
    def by_code(self) -> dict[str, Term]:
        return {term.code: term for term in self.terms}

    def weight(self, word: str) -> float:
        return self.weights.get(word, 1.0)

    @functools.cached_property
    def weighted(self) -> dict[str, list[tuple[Pattern, dict[str, float], float, bool]]]:
        """Per indicator: each pattern with its words' weights, their total, and whether it is
        itself negative ("chưa có điện") — worked out once, not for every figure."""
        out = {}
        for term in self.terms:
            rows = []
            for pattern in term.patterns:
                weights = {w: self.weight(w) for w in pattern.words}
                total = sum(weights[w] for w in pattern.words)
                rows.append((pattern, weights, total, bool(NEGATIONS & set(pattern.words))))
            out[term.code] = rows
        return out


_PREFIXES = ("tổng số", "số lượng", "số lượt", "tỷ lệ", "tỉ lệ", "số")


def _name_patterns(name: str) -> list[tuple[tuple[str, ...], str]]:
    name = name.strip()
    lowered = name.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix + " "):
            name = name[len(prefix) + 1 :]
            break
    outside = re.sub(r"\([^)]*\)", " ", name)
    inside = name.replace("(", " ").replace(")", " ")
    found: dict[tuple[str, ...], str] = {}
    for text in (outside, inside):
        found.setdefault(words(text), " ".join(text.split()))
    return [(w, text) for w, text in found.items() if w]


def build_catalogue(rows: list[dict]) -> Catalogue:
    """rows: code, name_vi, measure_unit, kind, phrasings (a list or "a|b|c")."""
    terms = []
    for row in rows:
        phrasings = row.get("phrasings") or []
        if isinstance(phrasings, str):
            phrasings = phrasings.split("|")
        term = Term(row["code"], row["name_vi"], row["measure_unit"], row["kind"])
        seen = set()
        for phrase in phrasings:
            tokens = words(phrase)
            if tokens and tokens not in seen:
                seen.add(tokens)
                term.patterns.append(Pattern(tokens, False, phrase.strip()))
        for tokens, text in _name_patterns(row["name_vi"]):
            if tokens not in seen:
                seen.add(tokens)
                term.patterns.append(Pattern(tokens, True, text))
        terms.append(term)
    df: Counter[str] = Counter()
    for term in terms:
        df.update({w for p in term.patterns for w in p.words})
    n = max(1, len(terms))
    weights = {w: (0.25 if w in _LIGHT else 1.0) * (1.0 + math.log(n / c)) for w, c in df.items()}
    totals: dict[str, str] = {}
    for term in terms:
        if term.kind != "count":
            continue
        for pattern in term.patterns:
            if len(pattern.words) == 1 and not pattern.from_name:
                totals.setdefault(pattern.words[0], term.code)
    return Catalogue(terms, weights, totals)


CATALOGUE_CSV = Path(__file__).resolve().parent.parent / "catalog" / "data" / "indicators.csv"


def catalogue_from_csv(path: Path = CATALOGUE_CSV) -> Catalogue:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [
            {
                "code": r["code"],
                "name_vi": r["name_vi"],
                "measure_unit": r["unit"],
                "kind": r["kind"],
                "phrasings": r.get("phrasings", ""),
            }
            for r in csv.DictReader(fh)
        ]
    return build_catalogue(rows)


def catalogue_from_database() -> Catalogue | None:
    """The active indicators of the database's catalogue, or None when there is none yet."""
    from django.db import DatabaseError

    from dxmonitor.catalog.models import Indicator

    try:
        rows = list(
            Indicator.objects.filter(is_active=True).values(
                "code", "name_vi", "measure_unit", "kind", "phrasings"
            )
        )
    except DatabaseError:
        return None
    return build_catalogue(rows) if rows else None


@functools.lru_cache(maxsize=1)
def _csv_catalogue() -> Catalogue:
    return catalogue_from_csv()


def current_catalogue() -> Catalogue:
    return catalogue_from_database() or _csv_catalogue()
