"""Row ids as users type them in paths and filters."""


def is_id(number: int) -> bool:
    """Whether a number can be a row id at all (a 20-digit id overflows SQLite's integers)."""
    return 0 < number < 2**63
