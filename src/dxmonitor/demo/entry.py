"""The demonstration of data entry: two data sets, a few synthetic villages, and two accounts.

The commune officer enters the quarterly report of xã Than Uyên (Lai Châu, 2025 structure)
and the village statistics of its villages; the approver covers the whole province and can
reopen a closed period. Every step is idempotent: running the demo again changes nothing.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from dxmonitor.accounts.actions import ensure_user, grant_role
from dxmonitor.accounts.models import Role
from dxmonitor.collection.datasets import define_dataset
from dxmonitor.common.errors import DomainError
from dxmonitor.common.text import fold
from dxmonitor.geo.actions import add_village
from dxmonitor.geo.models import REORGANISATION_DATE, Level, Unit
from dxmonitor.geo.queries import filter_units

PROVINCE = "Lai Châu"
# A day of the 2025 structure: the communes below are the ones formed on 01/07/2025.
STRUCTURE_DAY = REORGANISATION_DATE + datetime.timedelta(days=31)
OFFICER_COMMUNE = "Than Uyên"

DATASETS = [
    {
        "code": "XA_QUY",
        "name_vi": "Báo cáo chuyển đổi số cấp xã hằng quý",
        "name_en": "Quarterly commune digital-transformation report",
        "period_type": "Q",
        "level": "commune",
        "opens_after_days": 0,
        "due_days": 20,
        "closes_days": 60,
        "description": "Số liệu chuyển đổi số của xã, nộp trong 20 ngày sau khi hết quý; "
        "khóa sổ sau 60 ngày.",
        "indicators": [
            ("CTX.VILLAGES", True),
            ("CTX.HOUSEHOLDS", True),
            ("AWR.CDT_TEAMS_VILLAGE", True),
            ("AWR.CDT_MEMBERS", False),
            ("AWR.CDT_VILLAGE_COVERAGE", True),
            ("INF.FIBRE_VILLAGE_COVERAGE", True),
            ("INF.HOUSEHOLD_FIXED_BB", True),
            ("INF.VILLAGES_WITHOUT_MOBILE", False),
            ("GOV.ONLINE_DOSSIER_RATE", True),
            ("GOV.EDOC_SIGNED", False),
            ("GOV.LATE_DOSSIERS", True),
            ("HR.DX_TRAINEES", False),
        ],
    },
    {
        "code": "THON_NAM",
        "name_vi": "Thống kê hạ tầng số thôn, bản",
        "name_en": "Village digital infrastructure statistics",
        "period_type": "Y",
        "level": "village",
        "opens_after_days": 0,
        "due_days": 31,
        "closes_days": 90,
        "description": "Mỗi thôn, bản một dòng; xã nhập và nộp cho cả xã. "
        "Thôn chưa có sóng di động, chưa có điện lưới: ghi 1 nếu đúng, 0 nếu không.",
        "indicators": [
            ("CTX.HOUSEHOLDS", True),
            ("INF.BTS_STATIONS", True),
            ("INF.VILLAGES_WITHOUT_MOBILE", True),
            ("INF.VILLAGES_WITHOUT_GRID", True),
            ("AWR.CDT_TEAMS_VILLAGE", False),
            ("AWR.CDT_MEMBERS", False),
        ],
    },
]

# Made-up villages, labelled as such in their names and flagged synthetic.
VILLAGES = {
    "Than Uyên": ["Nà Mô", "Noong Quài", "Phiêng Ngòi", "Nà Ban", "Huổi Bắc"],
    "Mường Than": ["Nà Phát", "Noong Hẳn", "Mé"],
    "Tân Uyên": ["Phiêng Pẳn", "Nà Cóc", "Hô Ta"],
}
SYNTHETIC_SUFFIX = "(mô phỏng)"


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str
    unit_name: str

    @property
    def description(self) -> str:
        return f"{ROLE_WORDS.get(self.role, self.role)} {self.unit_name}"


ACCOUNTS = [
    ("canbo.thanuyen", Role.DATA_ENTRY, Level.COMMUNE, OFFICER_COMMUNE),
    ("pheduyet.laichau", Role.APPROVER, Level.PROVINCE, PROVINCE),
]
ROLE_WORDS = {Role.DATA_ENTRY: "commune officer, data entry for xã", Role.APPROVER: "approver for tỉnh"}


def _unit(level: str, name: str) -> Unit:
    province = filter_units(level=Level.PROVINCE, as_of=STRUCTURE_DAY, q=PROVINCE).first()
    if province is None:
        raise DomainError(
            f"province {PROVINCE} is not loaded; run `dxmonitor units load`",
            f"Chưa có tỉnh {PROVINCE}; hãy chạy `dxmonitor units load`",
        )
    if level == Level.PROVINCE:
        return province
    for unit in filter_units(level=level, as_of=STRUCTURE_DAY, q=name, parent=province):
        if unit.search_key == fold(name):
            return unit
    raise DomainError(f"no commune {name} in {PROVINCE}", f"Không có xã {name} thuộc tỉnh {PROVINCE}")


def accounts_file():
    return settings.VAR_DIR / "demo-accounts.txt"


def demo_passwords() -> dict[str, str]:
    """The demo accounts' passwords, made once per installation and kept under var/."""
    path = accounts_file()
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            username, _, password = line.strip().partition(" ")
            if username and password:
                known[username] = password.split()[0]
    missing = [name for name, *_ in ACCOUNTS if name not in known]
    if missing:
        for name in missing:
            known[name] = secrets.token_urlsafe(9)
        path.parent.mkdir(parents=True, exist_ok=True)
        roles = {name: f"{role} {place}" for name, role, _, place in ACCOUNTS}
        path.write_text(
            "".join(f"{name} {password} {roles.get(name, '')}\n" for name, password in known.items()),
            encoding="utf-8",
        )
        path.chmod(0o600)
    return known


def demo_accounts() -> list[DemoAccount]:
    passwords = demo_passwords()
    return [DemoAccount(name, passwords[name], role, place) for name, role, _, place in ACCOUNTS]


def _ensure_account(username: str, password: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is not None and user.check_password(password):
        return user
    user, _ = ensure_user(username=username, password=password)
    return user


@dataclass
class EntryDemoReport:
    datasets_changed: int = 0
    villages_added: int = 0
    accounts: int = 0


def load_entry_demo() -> EntryDemoReport:
    """The data sets, the synthetic villages and the two accounts of the data-entry demo."""
    report = EntryDemoReport()
    for definition in DATASETS:
        _, changed = define_dataset(**definition)
        report.datasets_changed += changed
    with transaction.atomic():
        for commune_name, names in VILLAGES.items():
            commune = _unit(Level.COMMUNE, commune_name)
            existing = {fold(v.short_name) for v in Unit.objects.filter(parent=commune, level=Level.VILLAGE)}
            for name in names:
                full = f"{name} {SYNTHETIC_SUFFIX}"
                if fold(full) in existing:
                    continue
                add_village(
                    commune=commune, name=full, unit_type="ban", is_synthetic=True, source="dxmonitor demo"
                )
                report.villages_added += 1
    passwords = demo_passwords()
    for username, role, level, place in ACCOUNTS:
        user = _ensure_account(username, passwords[username])
        grant_role(user=user, role=role, unit=_unit(level, place))
        report.accounts += 1
    return report
