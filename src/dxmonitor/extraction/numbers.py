"""Figures as Vietnamese reports write them, with the words that qualify them.

"24,3%" is 24.3 per cent; "4.306" is four thousand three hundred and six; "322 nghìn" is
322 000; "3,4 triệu" is 3 400 000; "12/12 xã" and "72/120 thôn" are ratios; "hơn", "trên"
make a lower bound, "gần", "khoảng" an approximation, "dưới", "chưa đến" an upper bound.
Dates, years, levels ("mức độ 3"), network generations ("4G"), ages ("15 tuổi") and document
numbers are not figures.
"""

import re
from dataclasses import dataclass

PERCENT, RATIO, COUNT = "percent", "ratio", "count"

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:,\d{3}){2,}|\d+(?:,\d+)?"
_EDGE_BEFORE = r"(?<![\w./,:-])"
_EDGE_AFTER = r"(?![\w/:]|[.,]\d)"
_RATIO = re.compile(rf"{_EDGE_BEFORE}(\d+)\s?/\s?(\d+){_EDGE_AFTER}")
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
    r"công văn|đề án|hotline|điện thoại|top|cấp độ|phase|giai|đợt|trang|tập|số)\s*$)",
    re.IGNORECASE,
)
# Words right after a number that make it something other than an indicator figure.
_NOT_AFTER = re.compile(
    r"^\s*(?:g\b|tuổi|giờ|phút|giây|h\b|km|ha\b|m2|m²|kg|tấn|đồng|usd|vnđ|triệu đồng|tỷ đồng|lần\b|tháng|"
    r"năm\b|ngày|tuần|quý|trong\s+(?:số\s+)?\d|-\s*\d|–\s*\d|\.0\b|mbps|gb|tb\b|mb\b|mhz)",
    re.IGNORECASE,
)
# "mức độ 3, 4": the second level is no more a figure than the first.
_LEVEL_LIST = re.compile(r"\b(?:mức độ|mức|cấp độ)\s+\d+(?:\s*[,-]\s*\d+)*\s*(?:,|và|hoặc|-)\s*$", re.I)
_MONEY_AFTER = re.compile(r"^\s*(?:đồng|usd|vnđ|vnd)\b", re.IGNORECASE)
_CHANGE_BEFORE = re.compile(r"\b(?:tăng|giảm)(?:\s+thêm)?\s*$", re.IGNORECASE)
_GROWTH_BEFORE = re.compile(r"tăng trưởng|tốc độ tăng|tăng bình quân|so với cùng kỳ", re.IGNORECASE)
_ONE_OF = re.compile(r"(?:\b(?:một|1)\s+trong\s+(?:số\s+)?)$", re.IGNORECASE)
_RANK_BEFORE = re.compile(r"\b(?:thứ|hạng|xếp hạng|đứng thứ|xếp thứ|vị trí thứ|vị trí)\s*$", re.IGNORECASE)

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
        first, second = int(match.group(1)), int(match.group(2))
        if second == 0 or first > second * 10:
            continue
        if 1900 <= second <= 2100 and first <= 12:  # "9/2024" is a month
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        if _NOT_BEFORE.search(before) and not _RANK_BEFORE.search(before):
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
    mentions.sort(key=lambda m: m.start)
    for mention in mentions:
        _qualify(text, mention)
    return mentions


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
