"""What the public may do with the portal's figures, and which figures are public, in both languages.

These texts travel with every download (a sheet of the .xlsx, the head of the JSON, a column and
a Link header of the CSV) and are shown on the portal's "about the data" page, so they live in
one place and are given in Vietnamese and English side by side rather than through the
interface catalogue: a file downloaded in one language still carries both.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bilingual:
    vi: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language.startswith("en") else self.vi


LICENCE_ID = "CC-BY-4.0"
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
PUBLISHER = "dxmonitor"

LICENCE_STATEMENT = Bilingual(
    vi=(
        "Số liệu trên cổng dữ liệu mở được cung cấp theo giấy phép Creative Commons Ghi công 4.0 "
        "Quốc tế (CC BY 4.0): được tự do sao chép, phân phối, chỉnh sửa và dùng cho mọi mục đích, "
        "kể cả thương mại, với điều kiện ghi công."
    ),
    en=(
        "The figures of the open-data portal are published under the Creative Commons Attribution "
        "4.0 International licence (CC BY 4.0): you may copy, share, adapt and use them for any "
        "purpose, commercial included, provided you give credit."
    ),
)

ATTRIBUTION = Bilingual(
    vi=(
        "Khi dùng lại, hãy ghi: “Nguồn: dxmonitor — Cổng dữ liệu mở, tổng hợp từ các tài liệu đã "
        "công bố” và nêu tài liệu nguồn của từng số liệu (cột Nguồn / Địa chỉ nguồn). Trích dẫn là "
        "đoạn ngắn của tài liệu gốc; bản quyền tài liệu gốc thuộc về cơ quan, tác giả đã công bố."
    ),
    en=(
        "When you reuse them, credit “Source: dxmonitor — Open-data portal, compiled from published "
        "documents” and name each figure's source document (the Source / Source address columns). "
        "Quotes are short extracts; the source documents remain the property of whoever published them."
    ),
)

RULE = Bilingual(
    vi=(
        "Cổng chỉ công khai số liệu đã được công bố: số liệu đọc từ tài liệu đã công bố (bài báo, "
        "báo cáo), kèm tài liệu và đoạn trích làm bằng chứng, và dữ liệu mô phỏng có ghi nhãn. "
        "Số liệu do xã, thôn nhập qua biểu mẫu, tệp hay máy khách API được công khai khi báo cáo chứa "
        "chúng được phê duyệt ở cấp cuối cùng, và thôi công khai nếu báo cáo được mở khóa; trước đó chỉ "
        "người có quyền trên đơn vị xem được. Số liệu đã xóa không bao giờ được công khai."
    ),
    en=(
        "The portal shows only published figures: figures read from published documents (articles, "
        "reports), each with its document and the quote that states it, and labelled synthetic "
        "demo data. Figures that communes and villages enter through forms, files or API clients "
        "become public when the report holding them is approved at its last level, and stop being "
        "public if it is unlocked; until then only those with a role over the unit read them. "
        "Deleted figures are never public."
    ),
)

SYNTHETIC_NOTE = Bilingual(
    vi=(
        "Dữ liệu mô phỏng (nhãn “dữ liệu mô phỏng”, cột Mô phỏng = 1) là số liệu tạo ra để minh họa, "
        "không phải số liệu thật, và không bao giờ được trộn với số liệu thật."
    ),
    en=(
        "Synthetic data (labelled “synthetic”, column Synthetic = 1) is made up for the demonstration: "
        "it is not real and is never mixed with real figures."
    ),
)

AGGREGATES_NOTE = Bilingual(
    vi=(
        "Số liệu được đưa ra đúng như tài liệu nguồn nêu; cổng không cộng dồn hay suy ra số liệu, "
        "vì số liệu cộng dồn trong hệ thống có thể gồm cả số liệu chưa công bố."
    ),
    en=(
        "Figures are given as their source states them; the portal adds nothing up and derives "
        "nothing, because the system's roll-ups may include figures not yet published."
    ),
)


def licence_out() -> dict:
    return {
        "id": LICENCE_ID,
        "name": LICENCE_NAME,
        "url": LICENCE_URL,
        "publisher": PUBLISHER,
        "statement_vi": LICENCE_STATEMENT.vi,
        "statement_en": LICENCE_STATEMENT.en,
        "attribution_vi": ATTRIBUTION.vi,
        "attribution_en": ATTRIBUTION.en,
    }


def rule_out() -> dict:
    return {
        "rule_vi": RULE.vi,
        "rule_en": RULE.en,
        "synthetic_vi": SYNTHETIC_NOTE.vi,
        "synthetic_en": SYNTHETIC_NOTE.en,
        "aggregates_vi": AGGREGATES_NOTE.vi,
        "aggregates_en": AGGREGATES_NOTE.en,
    }
