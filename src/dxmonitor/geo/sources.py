"""Read the administrative units data package (PyPI `vietnamadminunits`, MIT licence).

The package carries the structure in force until 2025-06-30 (63 provinces, 696 districts,
10,035 communes) and the one in force since 2025-07-01 (34 provinces, 3,321 communes), with
centroids, commune areas and the old → new mapping. We read its data files directly and
never import its modules: importing it parses several megabytes of JSON we do not need.

Everything is read and checked before the database is touched, so a broken source can
never leave a half-loaded structure behind.
"""

import datetime
import importlib.util
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from dxmonitor.common.errors import DomainError

from .models import LEGACY_LAST_DAY, REORGANISATION_DATE, Level, SuccessionMethod, UnitType

PACKAGE = "vietnamadminunits"
LEGAL_BASIS = "Nghị quyết 202/2025/QH15; nghị quyết sắp xếp đơn vị hành chính cấp xã năm 2025"

_LEGACY_COLUMNS = {
    "province",
    "district",
    "ward",
    "provinceShort",
    "districtShort",
    "wardShort",
    "districtType",
    "wardType",
    "provinceCode",
    "provinceLat",
    "provinceLon",
    "districtCode",
    "districtLat",
    "districtLon",
    "wardCode",
    "wardLat",
    "wardLon",
    "provinceKey",
    "districtKey",
    "wardKey",
    "provinceAlias",
}
_CURRENT_COLUMNS = {
    "province",
    "ward",
    "provinceShort",
    "wardShort",
    "wardType",
    "provinceCode",
    "provinceLat",
    "provinceLon",
    "wardCode",
    "wardLat",
    "wardLon",
    "wardAreaKm2",
    "provinceKey",
    "wardKey",
    "provinceAlias",
}
_DISTRICT_TYPES = {
    "Huyện": UnitType.HUYEN,
    "Quận": UnitType.QUAN,
    "Thị xã": UnitType.THI_XA,
    "Thành phố": UnitType.THANH_PHO,
}
_COMMUNE_TYPES = {
    "Xã": UnitType.XA,
    "Phường": UnitType.PHUONG,
    "Thị trấn": UnitType.THI_TRAN,
    "Đặc khu": UnitType.DAC_KHU,
}


class SourceError(DomainError):
    """The units source is missing, unreadable or inconsistent. Nothing was loaded."""


@dataclass
class UnitRecord:
    key: str
    level: str
    code: str
    name: str
    short_name: str
    unit_type: str
    parent_key: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    latitude: float | None = None
    longitude: float | None = None
    area_km2: float | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass
class SuccessionRecord:
    predecessor_key: str
    successor_key: str
    weight: float
    weight_method: str
    is_primary: bool


@dataclass
class UnitsSource:
    label: str
    units: list[UnitRecord]
    successions: list[SuccessionRecord]

    def count(self, level: str, structure: str) -> int:
        return sum(1 for u in self.units if u.level == level and u.key.startswith(structure + ":"))


def default_source_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(
            f"the package {PACKAGE} is not installed; run `uv sync` or pass --source",
            f"Chưa cài gói dữ liệu {PACKAGE}; hãy chạy `uv sync` hoặc chỉ định --source",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def read_source(directory: Path | None = None) -> UnitsSource:
    directory = Path(directory) if directory else default_source_dir()
    db_path = directory / "dataset.db"
    converter_path = directory / "converter_2025.json"
    for path in (db_path, converter_path):
        if not path.is_file():
            raise SourceError(
                f"units source not found: {path}",
                f"Không tìm thấy nguồn dữ liệu đơn vị hành chính: {path}",
            )
    legacy_rows, current_rows = _read_tables(db_path)
    converter = _read_converter(converter_path)
    label = f"{PACKAGE} {package_version()}" if directory == _safe_default() else str(directory)
    units, keys = _build_units(legacy_rows, current_rows)
    try:
        successions = _build_successions(converter, keys)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise SourceError(
            f"the 2025 conversion table has an entry of the wrong shape: {exc!r}",
            f"Bảng chuyển đổi 2025 có mục sai cấu trúc: {exc!r}",
        ) from exc
    source = UnitsSource(label=label, units=units, successions=successions)
    _check_totals(source)
    return source


def _safe_default() -> Path | None:
    try:
        return default_source_dir()
    except SourceError:
        return None


def _read_tables(db_path: Path) -> tuple[list[dict], list[dict]]:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            legacy = _read_table(conn, "admin_units_legacy", _LEGACY_COLUMNS)
            current = _read_table(conn, "admin_units", _CURRENT_COLUMNS)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise SourceError(
            f"units source {db_path} is not a readable SQLite database: {exc}",
            f"Tệp nguồn {db_path} hỏng hoặc không phải cơ sở dữ liệu SQLite: {exc}",
        ) from exc
    return legacy, current


def _read_table(conn: sqlite3.Connection, table: str, columns: set[str]) -> list[dict]:
    found = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    missing = sorted(columns - found)
    if missing:
        raise SourceError(
            f"units source lacks table {table} or its columns {', '.join(missing)}",
            f"Nguồn dữ liệu thiếu bảng {table} hoặc các cột {', '.join(missing)}",
        )
    return [dict(row) for row in conn.execute(f"SELECT * FROM {table}")]


def _read_converter(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        for name in (
            "DICT_PROVINCE",
            "DICT_PROVINCE_WARD_NO_DIVIDED",
            "DICT_PROVINCE_WARD_DIVIDED",
        ):
            if not isinstance(data.get(name), dict):
                raise ValueError(f"missing {name}")
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        raise SourceError(
            f"the 2025 conversion table {path} is not valid: {exc}",
            f"Bảng chuyển đổi 2025 ({path}) không hợp lệ: {exc}",
        ) from exc
    return data


def _province_type(name: str) -> str:
    return UnitType.THANH_PHO_TW if name.startswith("Thành phố") else UnitType.TINH


def _aliases(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        return [str(a) for a in json.loads(raw)]
    except ValueError:
        return []


@dataclass
class _Keys:
    """Lookups from the package's keys ("tinhlaocai_thixasapa_phuongsapa") to ours."""

    legacy_commune: dict[str, str] = field(default_factory=dict)
    legacy_province: dict[str, str] = field(default_factory=dict)
    legacy_districts: dict[str, set[str]] = field(default_factory=dict)
    current_province: dict[str, str] = field(default_factory=dict)
    current_commune: dict[tuple[str, str], str] = field(default_factory=dict)


_VALIDITY = {"legacy": (None, LEGACY_LAST_DAY), "2025": (REORGANISATION_DATE, None)}


def _record(
    structure: str, level: str, row: dict, column: str, unit_type: str, parent_key: str | None
) -> UnitRecord:
    """A unit from the `column` ("province", "district", "ward") columns of a source row."""
    valid_from, valid_to = _VALIDITY[structure]
    return UnitRecord(
        key=f"{structure}:{level}:{row[column + 'Code']}",
        level=level,
        code=row[column + "Code"],
        name=row[column],
        short_name=row[column + "Short"],
        unit_type=unit_type,
        parent_key=parent_key,
        valid_from=valid_from,
        valid_to=valid_to,
        latitude=_number(row[column + "Lat"]),
        longitude=_number(row[column + "Lon"]),
        area_km2=_number(row.get(column + "AreaKm2")),
        aliases=_aliases(row.get(column + "Alias")),
    )


def _number(raw) -> float | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ValueError(f"not a number: {raw!r}")
    return float(raw)


def _build_units(legacy_rows: list[dict], current_rows: list[dict]) -> tuple[list[UnitRecord], _Keys]:
    units: dict[str, UnitRecord] = {}
    keys = _Keys()

    def add(record: UnitRecord) -> str:
        units.setdefault(record.key, record)
        return record.key

    try:
        for row in legacy_rows:
            province = add(
                _record("legacy", Level.PROVINCE, row, "province", _province_type(row["province"]), None)
            )
            keys.legacy_province[row["provinceKey"]] = province
            district = add(
                _record(
                    "legacy", Level.DISTRICT, row, "district", _DISTRICT_TYPES[row["districtType"]], province
                )
            )
            keys.legacy_districts.setdefault(row["provinceKey"], set()).add(district)
            package_key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey'] or ''}"
            if not row["wardCode"]:
                # Island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) have no
                # communes; the conversion table maps the district itself.
                keys.legacy_commune[package_key] = district
                continue
            commune_type = _COMMUNE_TYPES[row["wardType"]]
            keys.legacy_commune[package_key] = add(
                _record("legacy", Level.COMMUNE, row, "ward", commune_type, district)
            )
        for row in current_rows:
            province = add(
                _record("2025", Level.PROVINCE, row, "province", _province_type(row["province"]), None)
            )
            keys.current_province[row["provinceKey"]] = province
            commune_type = _COMMUNE_TYPES[row["wardType"]]
            keys.current_commune[(row["provinceKey"], row["wardKey"])] = add(
                _record("2025", Level.COMMUNE, row, "ward", commune_type, province)
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(
            f"units source has a row with an unknown type, a missing code or a bad number: {exc}",
            f"Nguồn dữ liệu có dòng thiếu mã hoặc loại đơn vị không xác định: {exc}",
        ) from exc
    for record in units.values():
        if not record.code or not record.name or not record.short_name:
            raise SourceError(
                f"units source has a unit without code or name: {record.key}",
                f"Nguồn dữ liệu có đơn vị thiếu mã hoặc tên: {record.key}",
            )
    return list(units.values()), keys


def _build_successions(converter: dict, keys: _Keys) -> list[SuccessionRecord]:
    links: dict[tuple[str, str], SuccessionRecord] = {}
    unknown: list[str] = []

    def link(old: str, new: str, weight: float, method: str, primary: bool) -> None:
        links[(old, new)] = SuccessionRecord(old, new, weight, method, primary)

    # Every old province went, entire, into one new province; so did each of its districts.
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        successor = keys.current_province.get(new_key)
        for old_key in old_keys:
            predecessor = keys.legacy_province.get(old_key)
            if predecessor is None or successor is None:
                unknown.append(f"{old_key}→{new_key}")
                continue
            link(predecessor, successor, 1.0, SuccessionMethod.WHOLE, True)
            for district in sorted(keys.legacy_districts.get(old_key, ())):
                link(district, successor, 1.0, SuccessionMethod.WHOLE, True)

    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_list in wards.items():
            successor = keys.current_commune.get((new_province, new_ward))
            for old in old_list:
                predecessor = keys.legacy_commune.get(old)
                if predecessor is None or successor is None:
                    unknown.append(f"{old}→{new_province}/{new_ward}")
                    continue
                link(predecessor, successor, 1.0, SuccessionMethod.WHOLE, True)

    # Communes split across several new communes. The source gives no share of the old
    # territory, so each successor's weight is its area over the area of all of them.
    for new_province, splits in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, targets in splits.items():
            predecessor = keys.legacy_commune.get(old)
            successors = [(keys.current_commune.get((new_province, t.get("newWardKey"))), t) for t in targets]
            if predecessor is None or not successors or any(s is None for s, _ in successors):
                unknown.append(f"{old}→{new_province}")
                continue
            areas = [t.get("newWardAreaKm2") for _, t in successors]
            if all(isinstance(a, int | float) and a > 0 for a in areas):
                total = float(sum(areas))
                weights = [a / total for a in areas]
                method = SuccessionMethod.AREA_SHARE
            else:
                weights = [1.0 / len(successors)] * len(successors)
                method = SuccessionMethod.EQUAL_SHARE
            for (successor, target), weight in zip(successors, weights, strict=True):
                link(
                    predecessor,
                    successor,
                    round(weight, 6),
                    method,
                    bool(target.get("isDefaultNewWard")),
                )
    if unknown:
        raise SourceError(
            f"the conversion table names {len(unknown)} units the dataset lacks, e.g. {unknown[:3]}",
            f"Bảng chuyển đổi có {len(unknown)} đơn vị không có trong dữ liệu, ví dụ {unknown[:3]}",
        )
    return list(links.values())


def _check_totals(source: UnitsSource) -> None:
    for structure in ("legacy", "2025"):
        if source.count(Level.PROVINCE, structure) == 0 or source.count(Level.COMMUNE, structure) == 0:
            raise SourceError(
                f"units source holds no provinces or communes for the {structure} structure",
                f"Nguồn dữ liệu không có tỉnh hoặc xã của cơ cấu {structure}",
            )
