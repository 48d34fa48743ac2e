"""Places named in a text, and which place each figure is about.

A place is a level word followed, on the same line, by a capitalised name that is the name of
an administrative unit the product holds ("huyện Tủa Chùa", "Thị xã Sa Pa", "Huyện ủy Sông Lô",
"TP.Huế"): "thành phố Thứ" or "thành phố Đánh" are the start of a sentence, not places.
Villages are not all known, so "thôn Chùa", "ấp Trung Bình" need only their level word. Once
named so, a bare name ("Sa Pa") is a mention too, as are province names. A figure is about the
nearest place named before it in its sentence, else the last place named earlier in its
paragraph, else the place the title or lead names: the subject of the whole text. "Cả nước có
…" is about the country, but "xếp thứ 25 cả nước" ranks a province among all of them.
"""

import bisect
import dataclasses
import functools
import re
from dataclasses import dataclass

from dxmonitor.common.text import fold

from .reading import Sentence

_LEVELS = {
    "thành phố": "thành phố",
    "tp.": "thành phố",
    "tp": "thành phố",
    "thị xã": "thị xã",
    "thị trấn": "thị trấn",
    "tỉnh": "tỉnh",
    "huyện": "huyện",
    "quận": "quận",
    "xã": "xã",
    "phường": "phường",
    "đặc khu": "đặc khu",
    "thôn": "thôn",
    "bản": "bản",
    "ấp": "ấp",
    "xóm": "xóm",
    "buôn": "buôn",
    "tổ dân phố": "tổ dân phố",
    "khu phố": "khu phố",
}
# Levels whose names the product does not all hold: a level word is enough.
VILLAGE_LEVELS = {"thôn", "bản", "ấp", "xóm", "buôn", "tổ dân phố", "khu phố"}
# Short forms of names texts use after "TP.".
_ALIASES = {"HCM": "Hồ Chí Minh", "HCMC": "Hồ Chí Minh"}
PROVINCE_LEVEL = "tỉnh"
_LEVEL_RE = re.compile(
    r"(?<![\w.])(thành phố|tp\.|tp|thị xã|thị trấn|tỉnh|huyện|quận|xã|phường|đặc khu|thôn|bản|ấp|xóm|buôn|"
    r"tổ dân phố|khu phố)([ \t]+ủy|[ \t]+uỷ)?(?:[ \t]+|(?<=\.))(?=\w)",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[^\W\d_]+|\d{1,2}(?!\w)")
# "Hợp tác xã Mường Hoa" is a cooperative, not a commune.
_NOT_A_PLACE_BEFORE = re.compile(r"(?:hợp\s+tác|htx|văn|cơ|phiên)\s*$", re.IGNORECASE)
_NOT_NAME = {"Ủy", "Uỷ", "UBND", "HĐND", "Đảng", "Nhà", "Sở", "Phòng", "Ban", "Việt"}
_NOT_NAME_START = re.compile(r"Trung[ \t]+(?:tâm|ương)\b", re.IGNORECASE)  # "Trung tâm", not "Trung Bình"
MAX_NAME_WORDS = 4
# A level word with no name after it: "toàn huyện còn …", "Tỉnh có …", "của tỉnh".
_GENERIC = re.compile(
    r"(?<![\w.])(tỉnh|huyện|thị xã|thành phố|xã|phường|thị trấn|thôn|ấp)(?!\s+(?:ủy|uỷ|lỵ|hội|viên|thành|"
    r"táo|đoàn|đội|trưởng|xóm|bản)\b)(?!\w)",
    re.IGNORECASE,
)
_NOT_GENERIC_BEFORE = re.compile(
    r"(?:\b(?:cấp|các|những|nhiều|mỗi|từng|liên|ngoài|giữa|và|hai|ba|thị|hợp tác|trên|số)\s*"
    r"|[,/-]\s*|\d%?\s*)$",
    re.IGNORECASE,
)
# Where a level word alone stands for the place: at the start of a sentence or clause, "toàn
# huyện", "của tỉnh", "trên địa bàn xã"; after another noun ("công an xã") it only qualifies it.
_GENERIC_BEFORE = re.compile(
    r"(?:^|[,.;:(\n–-]|\b(?:toàn|của|trong|tại|ở|cả|bàn|về|cho|và|là|với|thì|đối với|khắp|nay|đó))\s*$",
    re.IGNORECASE,
)
_NATIONAL = re.compile(r"(?<!\w)(?:cả nước|toàn quốc)(?!\w)", re.IGNORECASE)
# "xếp thứ 58 trong cả nước", "25/63 tỉnh, thành phố cả nước", "dẫn đầu cả nước": the country
# is the field a province is ranked in, not what the figure is about.
# Where the country is what a sentence is about: at its start or a clause's ("Cả nước có …",
# "trong khi cả nước đạt …"), not after a noun ("chỉ số chuyển đổi số toàn quốc").
_NATIONAL_SUBJECT_BEFORE = re.compile(
    r"(?:^|[,.;:(\n])\s*"
    r"(?:(?:trên|tại|ở|hiện nay|đến nay|tính chung|trong khi|khi|còn|và|riêng|mà)[ \t,]*)*$",
    re.IGNORECASE,
)
_NATIONAL_SCOPE_BEFORE = re.compile(
    r"(?:\b(?:thứ|hạng)\s+\w+|\d\s*/\s*\d)[^.;:!?\n]{0,30}$|\b(?:(?<!khi )trong|của|nhất|đầu)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Place:
    level: str  # "huyện", "tỉnh" … or "" when only the bare name is known
    name: str

    @property
    def locality(self) -> str:
        return f"{self.level} {self.name}".strip()


NATIONAL = Place("", "Việt Nam")


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    place: Place
    province: str = ""
    generic: bool = False  # "toàn huyện", "của tỉnh": the place of that level named before
    qualifies: bool = False  # "xã Hua Nà, huyện Than Uyên": says where the place before it is
    within: str = ""  # the district a qualifier put it in: "huyện Than Uyên"


def _name_at(text: str, pos: int) -> tuple[str, int]:
    """The capitalised words from pos: ("Tủa Chùa", end offset)."""
    words: list[str] = []
    end = pos
    while len(words) < MAX_NAME_WORDS:
        match = _NAME_WORD.match(text, pos)
        if not match:
            break
        word = match.group()
        if not (word[0].isupper() or (word.isdigit() and not words)) or word in _NOT_NAME:
            break
        if _NOT_NAME_START.match(text, pos):
            break
        if word.isupper() and len(word) > 1 and not word.isdigit():  # an acronym, not a name
            break
        words.append(word)
        end = match.end()
        gap = re.match(r"[ \t]+", text[end:])
        if not gap:
            break
        pos = end + gap.end()
    return " ".join(words), end


def _known_name(text: str, pos: int, level: str) -> tuple[str, int]:
    """The capitalised name at pos, cut to the longest of its first words that names a unit the
    product holds (any village name is taken as written)."""
    name, end = _name_at(text, pos)
    if not name or level in VILLAGE_LEVELS:
        return name, end
    known = unit_names()
    if not known:
        return name, end
    words = name.split(" ")
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[:count])
        if fold(candidate) in known:
            return candidate, pos + len(candidate)
    return "", pos


def find_places(text: str, known_provinces: set[str] | None = None) -> list[PlaceMention]:
    mentions: list[PlaceMention] = []
    named: dict[str, str] = {}
    for match in _LEVEL_RE.finditer(text):
        if _NOT_A_PLACE_BEFORE.search(text[max(0, match.start() - 10) : match.start()]):
            continue
        level = _LEVELS[match.group(1).lower()]
        alias = re.match(r"(" + "|".join(_ALIASES) + r")(?!\w)", text[match.end() : match.end() + 6])
        if alias and level == "thành phố":
            name, end = _ALIASES[alias.group(1)], match.end() + alias.end()
        else:
            name, end = _known_name(text, match.end(), level)
        if not name:
            continue
        province = ""
        paren = re.match(r"\s*\(([^()]{2,40})\)", text[end:])
        if paren and all(w[:1].isupper() for w in paren.group(1).split()):
            province = paren.group(1).strip()
        mentions.append(PlaceMention(match.start(), end, Place(level, name), province))
        # A name seen at a higher level keeps that level: "tỉnh Lai Châu" over "bản Lai Châu".
        named.setdefault(name, level)
    for match in _GENERIC.finditer(text):
        before = text[max(0, match.start() - 12) : match.start()]
        if _NOT_GENERIC_BEFORE.search(before) or _NOT_A_PLACE_BEFORE.search(before):
            continue
        if not _GENERIC_BEFORE.search(text[max(0, match.start() - 16) : match.start()]):
            continue  # "công an xã", "cán bộ xã": a noun's modifier, not the place
        following = re.match(r"\s+(\w)", text[match.end() : match.end() + 3])
        if following and (following.group(1).isupper() or following.group(1).isdigit()):
            continue  # a name follows: "huyện Tủa Chùa" is found above
        level = _LEVELS[match.group(1).lower()]
        mentions.append(PlaceMention(match.start(), match.end(), Place(level, ""), generic=True))
    # "Cả nước có …" is about the country: no province's figure.
    for match in _NATIONAL.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if _NATIONAL_SCOPE_BEFORE.search(before) or not _NATIONAL_SUBJECT_BEFORE.search(before):
            continue
        mentions.append(PlaceMention(match.start(), match.end(), NATIONAL))
    covered = {offset for m in mentions for offset in range(m.start, m.end)}
    # Names the text gave a level to, then the province names it uses bare: one pass each.
    passes = [(_names_pattern(frozenset(named)), named)] if named else []
    if known_provinces:
        passes.append((_names_pattern(frozenset(known_provinces)), {}))
    for pattern, levels in passes:
        for match in pattern.finditer(text):
            name = match.group()
            level = levels.get(name, named.get(name, PROVINCE_LEVEL))
            if match.start() in covered:
                continue
            following = re.match(r"[ \t]+(\w)", text[match.end() : match.end() + 3])
            if following and following.group(1).isupper():
                continue  # "Điện Biên Phủ" is not the province Điện Biên
            mentions.append(PlaceMention(match.start(), match.end(), Place(level, name)))
            covered.update(range(match.start(), match.end()))
    mentions.sort(key=lambda m: m.start)
    return _mark_qualifiers(text, mentions)


_RANK = {level: 0 for level in VILLAGE_LEVELS}
_RANK.update({"xã": 1, "phường": 1, "thị trấn": 1, "đặc khu": 1})
_RANK.update({"huyện": 2, "quận": 2, "thị xã": 2, "thành phố": 2, "tỉnh": 3})
_LIST_GAP = re.compile(r"^\s*(?:,|và|,\s*và)?\s*$")
_GIVEN_TO = re.compile(r"^[^.;,]{0,40}?\b(?:là|thuộc về)\s*$", re.IGNORECASE)
_QUALIFYING_GAP = re.compile(r"^\s*(?:,|\(|-|–|thuộc|của)\s*$")


def _mark_qualifiers(text: str, mentions: list[PlaceMention]) -> list[PlaceMention]:
    out: list[PlaceMention] = []
    for mention in mentions:
        previous = out[-1] if out else None
        if (
            previous is not None
            and not mention.generic
            and mention.place.level in _RANK
            and previous.place.level in _RANK
            and _RANK[mention.place.level] > _RANK[previous.place.level]
            and _QUALIFYING_GAP.match(text[previous.end : mention.start])
        ):
            province = mention.place.name if mention.place.level == PROVINCE_LEVEL else previous.province
            within = mention.place.locality if _RANK[mention.place.level] == 2 else previous.within
            out[-1] = dataclasses.replace(previous, province=province or previous.province, within=within)
            mention = dataclasses.replace(mention, qualifies=True)
        out.append(mention)
    return out


@functools.lru_cache(maxsize=64)
def _names_pattern(names: frozenset[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


class PlaceResolver:
    """Answers "which place is this figure about" for offsets in one text."""

    def __init__(self, text: str, sentences: list[Sentence], places: list[PlaceMention]) -> None:
        self.sentences = sentences
        self.places = places
        self.starts = [m.start for m in places]
        self.spans = [(m.start, m.end) for m in places]
        self.paragraph_starts: dict[int, int] = {}
        for sentence in sentences:
            self.paragraph_starts.setdefault(sentence.paragraph, sentence.start)
        self.main = self._main_place(sentences)
        self.provinces = {m.place.name: m.province for m in places if m.province}
        self.first_province = next((m.place.name for m in places if m.place.level == PROVINCE_LEVEL), "")

    def _main_place(self, sentences: list[Sentence]) -> PlaceMention | None:
        # The title and the lead name the text's subject: the first place named.
        return next((m for m in self.places if m.place != NATIONAL and not m.generic), None)

    def place_for(self, offset: int, sentence: Sentence, described_until: int = 0) -> PlaceMention | None:
        """`described_until`: where the figure's own description ends ("85% thôn của huyện Mường
        Tè"): a place named in it comes first."""
        index = bisect.bisect_left(self.starts, offset)
        while index < len(self.places) and self.places[index].start < described_until:
            mention = self.places[index]
            index += 1
            if not mention.generic and mention.place != NATIONAL:
                return mention
        index = bisect.bisect_left(self.starts, offset) - 1
        paragraph_start = self.paragraph_starts.get(sentence.paragraph, sentence.start)
        while index >= 0 and self.places[index].start >= paragraph_start:
            mention = self.places[index]
            index -= 1
            if mention.place == NATIONAL and mention.start < sentence.start:
                continue  # the country is the subject of its own sentence only
            if mention.qualifies:
                continue
            if mention.generic:
                named = self._named_before(mention)
                if named is None:
                    continue
                return named
            return mention
        return self.main

    def listed_before(self, text: str, offset: int) -> list[PlaceMention]:
        """ "TP.HCM và Quảng Ninh lần lượt …": the places listed right before `offset`, in order."""
        listed: list[PlaceMention] = []
        cursor = offset
        index = bisect.bisect_left(self.starts, offset) - 1
        while index >= 0:
            mention = self.places[index]
            index -= 1
            if mention.qualifies:
                continue
            gap = text[mention.end : cursor]
            if mention.generic or mention.place == NATIONAL or not _LIST_GAP.match(gap):
                break
            if listed and not gap.strip():
                break
            listed.append(mention)
            cursor = mention.start
        return listed[::-1]

    def named_after(self, text: str, offset: int, end: int) -> PlaceMention | None:
        """ "Ở vị trí thứ 2 là TP.Hồ Chí Minh", "… thuộc về TP.Huế": the place a rank is given to."""
        index = bisect.bisect_left(self.starts, offset)
        while index < len(self.places) and self.places[index].start < end:
            mention = self.places[index]
            index += 1
            if mention.generic or mention.place == NATIONAL:
                continue
            return mention if _GIVEN_TO.match(text[offset : mention.start]) else None
        return None

    def _named_before(self, generic: PlaceMention) -> PlaceMention | None:
        """The place of the same level named last before a generic mention, else the main place."""
        index = bisect.bisect_left(self.starts, generic.start) - 1
        looked = 0
        while index >= 0 and looked < 200:
            mention = self.places[index]
            if not mention.generic and mention.place.level == generic.place.level:
                return mention
            index -= 1
            looked += 1
        main = self.main
        return main if main is not None and main.place.level == generic.place.level else None

    def province_for(self, mention: PlaceMention) -> str:
        if mention.place.level == PROVINCE_LEVEL:
            return mention.place.name
        if mention.province or self.provinces.get(mention.place.name):
            return mention.province or self.provinces[mention.place.name]
        return self.first_province


@functools.lru_cache(maxsize=1)
def unit_names() -> frozenset[str]:
    """The names of every province, district and commune of both structures, folded ("tua
    chua"), from the administrative-units data package the units are loaded from: read offline,
    the same on every machine, with or without a database."""
    rows = _packaged_rows(
        "SELECT provinceShort, districtShort, wardShort FROM admin_units_legacy "
        "UNION SELECT provinceShort, NULL, wardShort FROM admin_units"
    )
    return frozenset(fold(name) for row in rows for name in row if name)


@functools.lru_cache(maxsize=1)
def province_names() -> frozenset[str]:
    """Province names as texts write them bare ("Lai Châu", "Hà Nội"), from the loaded units of
    both structures; empty when no units are loaded (the extractor then knows only the places a
    text names with their level word)."""
    from django.db import DatabaseError

    from dxmonitor.geo.models import Level, Unit

    try:
        names = list(Unit.objects.filter(level=Level.PROVINCE).values_list("name", flat=True))
    except DatabaseError:
        names = []
    if not names:
        return _packaged_province_names()
    bare = set()
    for name in names:
        for prefix in ("Thành phố ", "Tỉnh "):
            if name.startswith(prefix):
                name = name[len(prefix) :]
        bare.add(name)
    return frozenset(bare)


def _packaged_province_names() -> frozenset[str]:
    """The province names of the administrative-units data package this project depends on (read
    offline, without loading the units): the extractor knows "Lai Châu" before `units load` ran."""
    rows = _packaged_rows(
        "SELECT DISTINCT provinceShort FROM admin_units_legacy UNION SELECT provinceShort FROM admin_units"
    )
    return frozenset(row[0] for row in rows if row[0])


def _packaged_rows(query: str) -> list[tuple]:
    import importlib.util
    import sqlite3
    from pathlib import Path

    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        return []
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return list(conn.execute(query))
        finally:
            conn.close()
    except sqlite3.Error:
        return []
