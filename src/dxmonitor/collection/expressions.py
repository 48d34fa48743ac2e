"""The expression language of declared validation rules: `left operator right`.

An expression names indicators of one unit and period by their catalogue code, optionally
with `.numerator`, `.denominator` or `.value` (the default), and numbers ("1.5"), joined by
+ - * / and brackets: `AWR.CDT_VILLAGE_COVERAGE.numerator <= CTX.VILLAGES`. It is parsed once
into a small tree and evaluated without eval(); an operand without a figure makes the whole
expression undefined, so a rule with missing figures is not judged.
"""

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from dxmonitor.common.errors import DomainError

PARTS = ("value", "numerator", "denominator")
OPERATORS = ("<=", "<", ">=", ">", "==", "!=")
# How people also write them; stored in the canonical form.
OPERATOR_ALIASES = {"≤": "<=", "≥": ">=", "≠": "!=", "=": "==", "<>": "!="}
MAX_LENGTH = 500
MAX_DEPTH = 32
# Relative tolerance of comparisons: figures stored as floats (60.000000001 is 60).
TOLERANCE = 1e-9

_CODE = re.compile(r"^[A-Z][A-Z0-9]*\.[A-Z0-9_]+$")
_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?(?![\w.,]))|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)"
    r"|(?P<symbol>[-+*/()]))"
)
_COMPARISON = re.compile(r"<=|>=|==|!=|<>|[<>≤≥≠]|(?<![<>=!])=(?!=)")


class ExpressionError(DomainError):
    """A malformed rule; the message says where."""


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Ref:
    code: str
    part: str = "value"


@dataclass(frozen=True)
class Negative:
    operand: "Node"


@dataclass(frozen=True)
class Binary:
    op: str
    left: "Node"
    right: "Node"


Node = Number | Ref | Negative | Binary
Lookup = Callable[[str, str], float | None]
# A unit's figures for a period: code → (value, numerator, denominator), in PARTS order.
Figures = Mapping[str, Sequence[float | None]]
Compiled = Callable[[Figures], float | None]


@dataclass(frozen=True)
class Expression:
    text: str
    node: Node
    refs: frozenset[Ref]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(ref.code for ref in self.refs)

    def evaluate(self, lookup: Lookup) -> float | None:
        """The value for one unit and period; None when a figure is missing or a division is by 0."""
        return _evaluate(self.node, lookup)

    @cached_property
    def compiled(self) -> Compiled:
        """`evaluate` as nested closures over a figures mapping: the same result, several times
        faster when a rule is judged for a million units and periods."""
        return _compile(self.node)


def _bad(text: str, position: int, en: str, vi: str, field: str) -> ExpressionError:
    shown = text if len(text) <= 80 else text[:77] + "…"
    return ExpressionError(
        f"{en} at character {position + 1} of “{shown}”",
        f"{vi} tại ký tự thứ {position + 1} của “{shown}”",
        field=field,
    )


def _tokens(text: str, field: str) -> list[tuple[str, str, int]]:
    """(kind, text, position) triples, ending with ("end", "", len(text))."""
    tokens: list[tuple[str, str, int]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            start = len(text) - len(text[position:].lstrip())
            char = text[start]
            if char == "," or (char.isdigit() and "," in text[start : start + 12]):
                raise _bad(
                    text,
                    start,
                    "write decimals with a point (1.5), not a comma",
                    "Viết số thập phân bằng dấu chấm (1.5), không dùng dấu phẩy",
                    field,
                )
            if char.isdigit():
                word = re.match(r"[\w.]+", text[start:]).group()  # type: ignore[union-attr]
                raise _bad(text, start, f"“{word}” is not a number", f"“{word}” không phải là một số", field)
            raise _bad(text, start, f"unexpected “{char}”", f"Ký tự “{char}” không hợp lệ", field)
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


class _Parser:
    """Recursive descent: expr := term (+|- term)*; term := factor (*|/ factor)*;
    factor := (+|-) factor | number | reference | "(" expr ")"."""

    def __init__(self, text: str, field: str) -> None:
        self.text = text
        self.field = field
        self.tokens = _tokens(text, field)
        self.index = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.index]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.expression()
        kind, token, position = self.peek()
        if kind != "end":
            raise _bad(
                self.text,
                position,
                f"expected an operator, found “{token}”",
                f"Cần một phép tính, gặp “{token}”",
                self.field,
            )
        return node

    def expression(self) -> Node:
        node = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "symbol":
            op = self.take()[1]
            node = Binary(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "symbol":
            op = self.take()[1]
            node = Binary(op, node, self.factor())
        return node

    def factor(self) -> Node:
        kind, token, position = self.take()
        if kind == "symbol" and token in ("+", "-"):
            operand = self.nested(self.factor)
            return Negative(operand) if token == "-" else operand
        if kind == "number":
            return Number(float(token))
        if kind == "name":
            return self.reference(token, position)
        if kind == "symbol" and token == "(":
            node = self.nested(self.expression)
            _, closing_text, closing_position = self.take()
            if closing_text != ")":
                raise _bad(
                    self.text,
                    closing_position,
                    f"expected “)” for the bracket opened at character {position + 1}",
                    f"Thiếu dấu “)” cho ngoặc mở ở ký tự thứ {position + 1}",
                    self.field,
                )
            return node
        if kind == "end":
            raise _bad(
                self.text,
                position,
                "the expression ends where a figure or a number is expected",
                "Biểu thức kết thúc khi còn thiếu chỉ tiêu hoặc số",
                self.field,
            )
        raise _bad(
            self.text,
            position,
            f"expected an indicator code or a number, found “{token}”",
            f"Cần mã chỉ tiêu hoặc một số, gặp “{token}”",
            self.field,
        )

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _bad(
                self.text,
                self.peek()[2],
                f"brackets nested deeper than {MAX_DEPTH}",
                f"Lồng ngoặc quá {MAX_DEPTH} tầng",
                self.field,
            )
        try:
            return parse()
        finally:
            self.depth -= 1

    def reference(self, token: str, position: int) -> Ref:
        code, part = token, "value"
        head, _, last = token.rpartition(".")
        if head and last in PARTS:
            code, part = head, last
        elif head and last.lower() in PARTS:
            raise _bad(
                self.text,
                position,
                f"write “.{last.lower()}” in lower case",
                f"Viết “.{last.lower()}” bằng chữ thường",
                self.field,
            )
        if not _CODE.match(code):
            raise _bad(
                self.text,
                position,
                f"“{token}” is not an indicator code (such as CTX.VILLAGES, optionally with "
                ".numerator, .denominator or .value)",
                f"“{token}” không phải mã chỉ tiêu (ví dụ CTX.VILLAGES, có thể thêm "
                ".numerator, .denominator hoặc .value)",
                self.field,
            )
        return Ref(code, part)


def _refs(node: Node) -> frozenset[Ref]:
    if isinstance(node, Ref):
        return frozenset({node})
    if isinstance(node, Negative):
        return _refs(node.operand)
    if isinstance(node, Binary):
        return _refs(node.left) | _refs(node.right)
    return frozenset()


@lru_cache(maxsize=1024)
def parse_expression(text: str, *, field: str = "expression") -> Expression:
    """Parse one side of a rule; raises ExpressionError saying what is wrong and where."""
    text = (text or "").strip()
    if not text:
        raise ExpressionError("the expression is empty", "Biểu thức để trống", field=field)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is longer than {MAX_LENGTH} characters",
            f"Biểu thức dài quá {MAX_LENGTH} ký tự",
            field=field,
        )
    node = _Parser(text, field).parse()
    return Expression(text, node, _refs(node))


def normalise_operator(operator: str) -> str:
    op = OPERATOR_ALIASES.get((operator or "").strip(), (operator or "").strip())
    if op not in OPERATORS:
        raise ExpressionError(
            f"unknown comparison “{operator}”; use one of {' '.join(OPERATORS)}",
            f"Phép so sánh “{operator}” không hợp lệ; dùng một trong {' '.join(OPERATORS)}",
            field="operator",
        )
    return op


def split_rule(text: str) -> tuple[str, str, str]:
    """ "A <= B" → ("A", "<=", "B"); exactly one comparison is allowed."""
    found = list(_COMPARISON.finditer(text or ""))
    if len(found) != 1:
        en = "has no comparison" if not found else "has more than one comparison"
        vi = "không có phép so sánh" if not found else "có nhiều hơn một phép so sánh"
        raise ExpressionError(
            f"the rule {en}; write it as “left <= right” (<=, <, >=, >, ==, !=)",
            f"Quy tắc {vi}; hãy viết dạng “vế trái <= vế phải” (<=, <, >=, >, ==, !=)",
            field="rule",
        )
    match = found[0]
    left, right = text[: match.start()].strip(), text[match.end() :].strip()
    operator = normalise_operator(match.group())
    parse_expression(left, field="left")
    parse_expression(right, field="right")
    return left, operator, right


def _evaluate(node: Node, lookup: Lookup) -> float | None:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Ref):
        found = lookup(node.code, node.part)
        return None if found is None or not math.isfinite(found) else float(found)
    if isinstance(node, Negative):
        operand = _evaluate(node.operand, lookup)
        return None if operand is None else -operand
    left = _evaluate(node.left, lookup)
    if left is None:
        return None
    right = _evaluate(node.right, lookup)
    if right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        return None
    return left / right


def _compile(node: Node) -> Compiled:
    if isinstance(node, Number):
        number = node.value
        return lambda figures: number
    if isinstance(node, Ref):
        code, index = node.code, PARTS.index(node.part)

        def ref(figures: Figures) -> float | None:
            row = figures.get(code)
            if row is None:
                return None
            found = row[index]
            return None if found is None or not math.isfinite(found) else float(found)

        return ref
    if isinstance(node, Negative):
        operand = _compile(node.operand)

        def negative(figures: Figures) -> float | None:
            found = operand(figures)
            return None if found is None else -found

        return negative
    return _binary(node.op, _compile(node.left), _compile(node.right))


def _binary(op: str, left: Compiled, right: Compiled) -> Compiled:
    def binary(figures: Figures) -> float | None:
        a = left(figures)
        if a is None:
            return None
        b = right(figures)
        if b is None:
            return None
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return None
        return a / b

    return binary


def holds(left: float, operator: str, right: float) -> bool:
    """Compare two figures with a tiny relative tolerance: 0.1 + 0.2 == 0.3 holds."""
    tolerance = TOLERANCE * max(1.0, abs(left), abs(right))
    difference = left - right
    if operator == "<=":
        return difference <= tolerance
    if operator == "<":
        return difference < -tolerance
    if operator == ">=":
        return difference >= -tolerance
    if operator == ">":
        return difference > tolerance
    if operator == "==":
        return abs(difference) <= tolerance
    if operator == "!=":
        return abs(difference) > tolerance
    raise ValueError(operator)
