"""Figures as Vietnamese reports write them, with the words that qualify them.

"24,3%" is 24.3 per cent; "4.306" is four thousand three hundred and six; "322 nghìn" is
322 000; "3,4 triệu" is 3 400 000; "12/12 xã", "72/120 thôn" and "224.930/310.903 hồ sơ" are
ratios; "hơn", "trên" make a lower bound, "gần", "khoảng" an approximation, "dưới", "chưa đến"
an upper bound. "xếp thứ 2", "đứng thứ hai" and each figure of "lần lượt xếp thứ 5, 6 và 7" are
ranks. Dates, years, levels ("mức độ 3", "2 cấp"), network generations ("4G"), ages ("15 tuổi"),
document numbers, section numbers ("1. Về hạ tầng"), ordinals of time ("năm thứ 3"), ranges
("0,7-0,8 điểm": the text gives no single figure), per-unit norms ("mỗi thôn có 4 người") and
money are not figures.
"""

import re
from dataclasses import dataclass

PERCENT, RATIO, COUNT = "percent", "ratio", "count"

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:,\d{3}){2,}|\d+(?:,\d+)?"
_EDGE_BEFORE = r"(?<![\w./,:-])"
_EDGE_AFTER = r"(?![\w/:]|[.,]\d)"
_INTEGER = r"\d{1,3}(?:\.\d{3})+|\d+"
_RATIO = re.compile(rf"{_EDGE_BEFORE}({_INTEGER})\s?/\s?({_INTEGER}){_EDGE_AFTER}")
_FIGURE = re.compile(
    rf"{_EDGE_BEFORE}({_NUMBER})(?:(\s?%|\s+phần\s+trăm\b)|\s+(nghìn|ngàn|triệu|tỷ|tỉ)(?!\s+(?:lệ|trọng)\b)\b)?"
    rf"(?(2)|{_EDGE_AFTER})",
    re.IGNORECASE,
)
_SCALE = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}

# Words right before a number that make it a date, a level, an ordinal or a reference.
_NOT_BEFORE = re.compile(
    r"(?:\b(?:năm|tháng|ngày|quý|giai đoạn|kỳ|khóa|khoá|lần|lần thứ|mức|mức độ|độ|số hiệu|điều|khoản|"
    r"chương|mục|phiên bản|version|lúc|nghị định|nghị quyết|quyết định|chỉ thị|thông tư|kế hoạch|"
    r"công văn|đề án|hotline|điện thoại|top|cấp độ|phase|giai|đợt|trang|tập|(?<!tổng )số)\s*$)",
    re.IGNORECASE,
)
# Words right after a number that make it something other than an indicator figure.
_NOT_AFTER = re.compile(
    r"^\s*(?:g\b|tuổi|giờ|phút|giây|h\b|km|ha\b|m2|m²|kg|tấn|đồng|usd|vnđ|triệu đồng|tỷ đồng|lần\b|tháng|"
    r"cấp\b|sao\b|năm\b(?!\s+\d{4})|ngày|tuần|quý|trong\s+(?:số\s+)?\d|-\s*\d|–\s*\d|\.0\b|mbps|gb|tb\b|mb\b|mhz)",
    re.IGNORECASE,
)
# "mức độ 3, 4": the second level is no more a figure than the first.
_LEVEL_LIST = re.compile(r"\b(?:mức độ|mức|cấp độ)\s+\d+(?:\s*[,-]\s*\d+)*\s*(?:,|và|hoặc|-)\s*$", re.I)
_MONEY_AFTER = re.compile(r"^\s*(?:đồng|usd|vnđ|vnd)\b", re.IGNORECASE)
_CHANGE_BEFORE = re.compile(r"\b(?:tăng|giảm)(?:\s+thêm)?\s*$", re.IGNORECASE)
_GROWTH_BEFORE = re.compile(r"tăng trưởng|tốc độ tăng|tăng bình quân|so với cùng kỳ", re.IGNORECASE)
_ONE_OF = re.compile(r"(?:\b(?:một|1)\s+trong\s+(?:số\s+)?)$", re.IGNORECASE)
_RANK_BEFORE = re.compile(r"\b(?:thứ|hạng|xếp hạng|đứng thứ|xếp thứ|vị trí thứ|vị trí)\s*$", re.IGNORECASE)
# "năm thứ 3 liên tiếp", "lần thứ 2": an ordinal of time or of an event, not a rank.
_TIME_ORDINAL = re.compile(
    r"\b(?:năm|lần|kỳ|khóa|khoá|đợt|ngày|tháng|tuần|quý|phiên|giai đoạn|mùa)\s+thứ\s*$", re.IGNORECASE
)
# "đứng thứ hai", "vị trí thứ ba": a rank in words, only after a word that says it is a rank.
_ORDINAL_WORDS = {
    "nhất": 1, "nhì": 2, "hai": 2, "ba": 3, "tư": 4, "năm": 5,
    "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10,
}  # fmt: skip
_WORD_RANK = re.compile(
    r"\b(?:xếp thứ|đứng thứ|vị trí thứ|xếp hạng thứ|hạng thứ|xếp hạng|hạng)\s+("
    + "|".join(_ORDINAL_WORDS)
    + r")(?!\w)",
    re.IGNORECASE,
)
# "lần lượt xếp thứ 5, 6 và 7": the figures after the first are ranks too, in the same order.
_RESPECTIVELY = re.compile(r"\blần lượt\b", re.IGNORECASE)
_LIST_GAP = re.compile(r"^\s*(?:,|và|;)\s*(?:và\s*)?(?:thứ\s*)?$", re.IGNORECASE)
# "0,7-0,8 điểm", "60 - 70%", "3-5 sao": a range; a figure next to one is not a single value.
_RANGE_BEFORE = re.compile(r"\d\s*[-–]\s*$")
_RANGE_AFTER = re.compile(r"^\s*%?\s*[-–]\s*\d")
# "mỗi thôn tối thiểu có 04 người", "bình quân mỗi hộ dùng 3 thuê bao": a norm per unit, not a total.
_EACH_BEFORE = re.compile(r"\b(?:mỗi|bình quân|trung bình)\b[^,;.()]{0,40}$", re.IGNORECASE)
# "kinh tế số trong từng ngành, lĩnh vực đạt tối thiểu 10%": a level each part must reach.
_EACH_PART_BEFORE = re.compile(r"\b(?:từng|mỗi)\s+\w+[^;.()]{0,40}$", re.IGNORECASE)
# "1. Về hạ tầng số", "2) Kết quả": a section number at the start of a line.
_SECTION_NUMBER = re.compile(r"^[ \t]*$")
_SECTION_AFTER = re.compile(r"^[.)]\s")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NEXT_WORD = re.compile(r"[ \t]+(\w)")

_HEDGES = (
    (
        "approx",
        ("trên dưới", "xấp xỉ", "khoảng", "gần", "ước đạt", "ước tính", "ước", "chừng", "tầm", "sấp sỉ"),
    ),
    ("lt", ("chưa đến", "chưa tới", "chưa đầy", "không quá", "không đến", "tối đa", "ít hơn", "dưới")),
    ("gt", ("hơn", "trên", "vượt", "ngoài", "tối thiểu", "ít nhất")),
)
_HEDGE_RE = [
    (comparator, re.compile(r"\b(?:" + "|".join(words) + r")\s*$", re.IGNORECASE))
    for comparator, words in _HEDGES
]
_AT_LEAST_AFTER = re.compile(r"^\s*trở\s+lên\b", re.IGNORECASE)
_AT_MOST_AFTER = re.compile(r"^\s*trở\s+xuống\b", re.IGNORECASE)


@dataclass
class Mention:
    start: int
    end: int
    value: float
    form: str  # percent, ratio or count
    comparator: str = "eq"
    numerator: float | None = None
    denominator: float | None = None
    rank: bool = False
    hedge_start: int | None = None
    quote_start: int | None = None
    order: int | None = None  # its place in a "lần lượt" list of figures
    respectively: int | None = None  # where that "lần lượt" is

    @property
    def text_start(self) -> int:
        return self.hedge_start if self.hedge_start is not None else self.start


def parse_number(raw: str) -> float:
    """Vietnamese convention: "." groups thousands, "," marks decimals ("1.234,5")."""
    raw = raw.strip()
    if re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", raw):
        return float(raw.replace(",", ""))
    return float(raw.replace(".", "").replace(",", "."))


def find_mentions(text: str) -> list[Mention]:
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for match in _RATIO.finditer(text):
        first, second = int(parse_number(match.group(1))), int(parse_number(match.group(2)))
        if second == 0 or first > second * 10:
            continue
        if 1900 <= second <= 2100 and first <= 12 and "." not in match.group(2):  # "9/2024" is a month
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        if _NOT_BEFORE.search(before) and not _RANK_BEFORE.search(before):
            continue
        if _TIME_ORDINAL.search(before):
            continue
        rank_word = _RANK_BEFORE.search(before)
        rank = bool(rank_word)
        mentions.append(
            Mention(
                match.start(),
                match.end(),
                float(first),
                RATIO,
                numerator=first,
                denominator=second,
                rank=rank,
            )
        )
        taken.append((match.start(), match.end()))
    inside_ratio = {offset for s, e in taken for offset in range(s, e)}
    for match in _FIGURE.finditer(text):
        if match.start() in inside_ratio:
            continue
        raw, percent, scale = match.group(1), match.group(2), match.group(3)
        value = parse_number(raw)
        before = text[max(0, match.start() - 30) : match.start()]
        after = text[match.end() : match.end() + 20]
        if _not_a_figure(text, match, before, bool(percent), bool(scale)):
            continue
        if not percent:
            if _NOT_BEFORE.search(before) and not _RANK_BEFORE.search(before):
                continue
            if not scale and _NOT_AFTER.search(after):
                continue
            if _ONE_OF.search(before) or _LEVEL_LIST.search(before):
                continue
        if scale:
            if _MONEY_AFTER.search(text[match.end() : match.end() + 12]):
                continue  # "250 tỷ đồng" is money
            value *= _SCALE[scale.lower()]
        if _CHANGE_BEFORE.search(_strip_hedge(before)):
            continue  # "tăng 15%" is a change, not a level
        if percent and _GROWTH_BEFORE.search(text[max(0, match.start() - 80) : match.start()]):
            continue  # "tốc độ tăng trưởng … đạt 7,1%" is a growth rate
        mention = Mention(
            match.start(),
            match.end(),
            value,
            PERCENT if percent else COUNT,
            rank=bool(_RANK_BEFORE.search(before)),
        )
        mentions.append(mention)
    for match in _WORD_RANK.finditer(text):
        if _TIME_ORDINAL.search(text[max(0, match.start() - 30) : match.start() + 4]):
            continue
        word = match.group(1)
        mention = Mention(match.start(1), match.end(1), float(_ORDINAL_WORDS[word.lower()]), COUNT, rank=True)
        mention.quote_start = match.start()
        mentions.append(mention)
    mentions.sort(key=lambda m: m.start)
    _respectively(text, mentions)
    for mention in mentions:
        _qualify(text, mention)
    return mentions


def _not_a_figure(text: str, match: re.Match, before: str, percent: bool, scale: bool) -> bool:
    """Numbers that the grammar reads but that state no value of anything."""
    raw = match.group(1)
    if _RANGE_BEFORE.search(before) or _RANGE_AFTER.search(text[match.end(1) : match.end(1) + 6]):
        return True
    if _TIME_ORDINAL.search(before):
        return True
    if not percent and not scale and _YEAR.match(raw) and not _counted_noun_after(text, match.end(1)):
        return True  # "1966 dịch vụ" counts services; "…đến 2025." is a year
    line_start = text.rfind("\n", 0, match.start()) + 1
    if _SECTION_NUMBER.match(text[line_start : match.start()]) and _SECTION_AFTER.match(text[match.end(1) :]):
        return True
    if percent:
        return bool(_EACH_PART_BEFORE.search(text[max(0, match.start() - 60) : match.start()]))
    return bool(_EACH_BEFORE.search(before))


def _counted_noun_after(text: str, at: int) -> bool:
    following = _NEXT_WORD.match(text, at)
    return bool(following) and following.group(1).islower()


def _respectively(text: str, mentions: list[Mention]) -> None:
    """ "TP.HCM và Quảng Ninh lần lượt xếp thứ 2 và 3": the 3 is a rank like the 2, and each
    figure keeps its place in the list (`order`) to be matched with the names listed before."""
    for i, mention in enumerate(mentions):
        if not mention.rank or mention.order is not None:
            continue
        said = _RESPECTIVELY.search(text, max(0, mention.start - 40), mention.start)
        if said is None:
            continue
        mention.order = 0
        mention.respectively = said.start()
        previous = mention
        for following in mentions[i + 1 :]:
            if not _LIST_GAP.match(text[previous.end : following.start]) or following.form != mention.form:
                break
            following.rank = True
            following.order = previous.order + 1
            following.respectively = said.start()
            previous = following


def _strip_hedge(before: str) -> str:
    for _, pattern in _HEDGE_RE:
        found = pattern.search(before)
        if found:
            return before[: found.start()]
    return before


def _qualify(text: str, mention: Mention) -> None:
    before = text[max(0, mention.start - 20) : mention.start]
    for comparator, pattern in _HEDGE_RE:
        found = pattern.search(before)
        if found:
            mention.comparator = comparator
            mention.hedge_start = mention.start - (len(before) - found.start())
            break
    if mention.rank:  # the quote starts at "xếp thứ", "vị trí thứ"
        found = _RANK_BEFORE.search(text[max(0, mention.start - 30) : mention.start])
        if found:
            mention.quote_start = mention.start - (min(mention.start, 30) - found.start())
    after = text[mention.end : mention.end + 12]
    if _AT_LEAST_AFTER.search(after):
        mention.comparator = "gt"
    elif _AT_MOST_AFTER.search(after):
        mention.comparator = "lt"
