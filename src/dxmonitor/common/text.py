"""Vietnamese text normalisation for search and matching.

Officials type names without diacritics ("tua chua"), with the level word or without it
("huyện Tủa Chùa", "Tủa Chùa"), in NFC or NFD. Everything that compares names goes through
`fold` so that all of those meet.
"""

import re
import unicodedata

# Longest first, so that "thành phố" is stripped before "thành".
LEVEL_WORDS: tuple[str, ...] = (
    "thanh pho truc thuoc trung uong",
    "thanh pho",
    "thi xa",
    "thi tran",
    "dac khu",
    "to dan pho",
    "khu pho",
    "tinh",
    "huyen",
    "quan",
    "phuong",
    "xa",
    "thon",
    "ban",
    "xom",
    "ap",
    "buon",
    "lang",
    "tp.",
    "tp",
    "tx.",
    "tx",
    "tt.",
    "tt",
)

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s.]", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces: "Tủa  Chùa" → "tua chua"."""
    decomposed = unicodedata.normalize("NFD", (text or "").lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "d")
    stripped = _PUNCT.sub(" ", stripped).replace("-", " ")
    return _SPACES.sub(" ", stripped).strip()


def strip_level_words(folded: str) -> tuple[str, str | None]:
    """Remove one leading level word from folded text; return (rest, that word or None).

    Only one word goes: "Xã Xà Phìn" folds to "xa xa phin", whose name is "xa phin".
    A text that is nothing but a level word is returned unchanged.
    """
    rest = folded.strip()
    for word in LEVEL_WORDS:
        if rest.startswith(word + " "):
            return rest[len(word) + 1 :].strip(), word.rstrip(".")
    return rest, None
