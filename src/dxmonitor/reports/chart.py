"""Bar charts of indicators against their targets, drawn as PNG for both the PDF and the DOCX report.

Drawn with Pillow and the Tinos fonts shipped here rather than a plotting library: the output is the
same on every machine (no system fonts, no timestamps), Vietnamese diacritics render, and the report
needs one kind of chart only.
"""

import io
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from dxmonitor.common.numbers import format_number
from dxmonitor.reports.layout import Chart

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {
    "regular": FONT_DIR / "Tinos_400Regular.ttf",
    "bold": FONT_DIR / "Tinos_700Bold.ttf",
    "italic": FONT_DIR / "Tinos_400Regular_Italic.ttf",
    "bolditalic": FONT_DIR / "Tinos_700Bold_Italic.ttf",
}

BAR = (47, 109, 181)
TARGET = (178, 34, 34)
GRID = (221, 221, 221)
AXIS = (90, 90, 90)
TEXT = (25, 25, 25)
MUTED = (110, 110, 110)
WHITE = (255, 255, 255)

NO_DATA = "chưa có số liệu"
LEGEND_ACTUAL = "Thực hiện"
LEGEND_TARGET = "Mục tiêu"
MAX_LABEL_LINES = 2

# The image is placed across the text width of an A4 page with Nghị định 30 margins (165 mm ≈ 468 pt),
# so sizes are given in points of the printed page and scaled to the pixel width asked for.
_PRINTED_WIDTH_PT = 468.0


def draw_chart_png(chart: Chart, *, width_px: int = 1600, dpi: int = 200) -> bytes:
    """A horizontal bar chart: one bar per label, a target marker per bar, value labels, a legend."""
    count = len(chart.labels)
    if len(chart.values) != count or len(chart.targets) != count:
        raise ValueError("a chart needs one value and one target (or None) per label")
    scale = width_px / _PRINTED_WIDTH_PT
    label_font = _font("regular", 10.5 * scale)
    value_font = _font("bold", 10 * scale)
    tick_font = _font("regular", 9.5 * scale)
    muted_font = _font("italic", 10 * scale)
    legend_font = _font("regular", 10.5 * scale)

    margin = round(6 * scale)
    label_width = round(width_px * 0.4)
    plot_x0 = margin + label_width + round(8 * scale)
    plot_x1 = width_px - margin - round(42 * scale)  # room for the value label of the longest bar
    line_height = round(label_font.size * 1.2)
    row_height = max(line_height * MAX_LABEL_LINES + round(6 * scale), round(24 * scale))
    bar_height = round(row_height * 0.46)
    plot_y0 = margin
    plot_y1 = plot_y0 + max(count, 1) * row_height
    tick_area = round(tick_font.size * 1.8)
    legend_area = round(legend_font.size * 2.4)
    height = plot_y1 + tick_area + legend_area + margin

    low, high, step = _axis(chart)

    def x_of(value: float) -> int:
        return round(plot_x0 + (plot_x1 - plot_x0) * (value - low) / (high - low))

    image = Image.new("RGB", (width_px, height), WHITE)
    draw = ImageDraw.Draw(image)
    line = max(1, round(0.6 * scale))

    ticks = [low + step * i for i in range(round((high - low) / step) + 1)]
    for tick in ticks:
        x = x_of(tick)
        draw.line([(x, plot_y0), (x, plot_y1)], fill=GRID, width=line)
        text = _with_unit(tick, chart.unit)
        draw.text((x, plot_y1 + round(3 * scale)), text, font=tick_font, fill=MUTED, anchor="ma")
    if chart.unit and chart.unit != "%":
        draw.text(
            (plot_x1 + round(36 * scale), plot_y1 + round(3 * scale)),
            f"({chart.unit})",
            font=tick_font,
            fill=MUTED,
            anchor="ra",
        )

    zero_x = x_of(max(low, 0.0))
    for index, (label, value, target) in enumerate(
        zip(chart.labels, chart.values, chart.targets, strict=True)
    ):
        top = plot_y0 + index * row_height
        middle = top + row_height // 2
        lines = _wrap(label, label_font, label_width)
        first_baseline = middle - (len(lines) * line_height) // 2
        for number, text in enumerate(lines):
            draw.text(
                (margin + label_width, first_baseline + number * line_height),
                text,
                font=label_font,
                fill=TEXT,
                anchor="ra",
            )
        bar_top, bar_bottom = middle - bar_height // 2, middle + bar_height // 2
        label_x = zero_x
        if value is not None:
            end = x_of(min(max(value, low), high))
            if end != zero_x:
                draw.rectangle([(min(zero_x, end), bar_top), (max(zero_x, end) - 1, bar_bottom)], fill=BAR)
            label_x = max(end, zero_x)
        if target is not None:
            tx = x_of(min(max(target, low), high))
            _target_marker(draw, tx, bar_top, bar_bottom, scale)
            label_x = max(label_x, tx + round(4 * scale))
        if value is None:
            draw.text((zero_x + round(4 * scale), middle), NO_DATA, font=muted_font, fill=MUTED, anchor="lm")
        else:
            text = _with_unit(value, chart.unit)
            draw.text((label_x + round(3 * scale), middle), text, font=value_font, fill=TEXT, anchor="lm")
    draw.line([(zero_x, plot_y0), (zero_x, plot_y1)], fill=AXIS, width=max(line, round(1 * scale)))

    legend_y = plot_y1 + tick_area + legend_area // 2
    swatch = round(9 * scale)
    x = plot_x0
    draw.rectangle([(x, legend_y - swatch // 2), (x + 2 * swatch, legend_y + swatch // 2)], fill=BAR)
    x += 2 * swatch + round(4 * scale)
    draw.text((x, legend_y), LEGEND_ACTUAL, font=legend_font, fill=TEXT, anchor="lm")
    x += round(legend_font.getlength(LEGEND_ACTUAL)) + round(18 * scale)
    _target_marker(draw, x + swatch // 2, legend_y - swatch // 2, legend_y + swatch // 2, scale)
    x += swatch + round(4 * scale)
    draw.text((x, legend_y), LEGEND_TARGET, font=legend_font, fill=TEXT, anchor="lm")

    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def _font(style: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILES[style]), max(6, round(size)))


def _with_unit(value: float, unit: str) -> str:
    text = format_number(value)
    return f"{text}%" if unit == "%" else text


def _target_marker(draw: ImageDraw.ImageDraw, x: int, top: int, bottom: int, scale: float) -> None:
    """A dark red tick across the bar with a diamond at its middle: visible on the bar and beside it."""
    overhang = round(3 * scale)
    half = max(1, round(0.9 * scale))
    draw.rectangle([(x - half, top - overhang), (x + half, bottom + overhang)], fill=TARGET)
    size = round(3.6 * scale)
    cy = (top + bottom) // 2
    diamond = [(x, cy - size), (x + size, cy), (x, cy + size), (x - size, cy)]
    draw.polygon(diamond, fill=TARGET, outline=WHITE, width=max(1, round(0.5 * scale)))


def _axis(chart: Chart) -> tuple[float, float, float]:
    """Axis range and tick step: 0–100 for rates, else rounded up to 1, 2, 2.5 or 5 × 10ⁿ per step."""
    numbers = [v for v in (*chart.values, *chart.targets) if v is not None and math.isfinite(v)]
    high = max([0.0, *numbers])
    low = min([0.0, *numbers])
    if chart.unit == "%" and low >= 0 and high <= 100:
        return 0.0, 100.0, 20.0
    span = (high - low) or 1.0
    raw_step = span / 5
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Words on at most MAX_LABEL_LINES lines; what does not fit ends the last line with "…"."""
    lines: list[str] = []
    current = ""
    words = text.split()
    for position, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(_shorten(current, font, width))
        current = word
        if len(lines) == MAX_LABEL_LINES - 1:
            rest = " ".join(words[position:])
            lines.append(_shorten(rest, font, width))
            return lines
    if current:
        lines.append(_shorten(current, font, width))
    return lines or [""]


def _shorten(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text.rstrip() + "…") > width:
        text = text[:-1]
    return text.rstrip(" ,;-") + "…"
