"""Administrative units of Vietnam, before and after the 2025 reorganisation.

A unit is identified by (level, code, validity), never by code alone: GSO codes were reused
for different territory on 2025-07-01 (15 was Yên Bái, now the merged Lào Cai). Succession
links carry history across the reorganisation.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Nghị quyết 202/2025/QH15: the 34-province, two-level structure takes effect on this day.
REORGANISATION_DATE = datetime.date(2025, 7, 1)
LEGACY_LAST_DAY = datetime.date(2025, 6, 30)


class Level(models.TextChoices):
    PROVINCE = "province", _("province")
    DISTRICT = "district", _("district")
    COMMUNE = "commune", _("commune")
    VILLAGE = "village", _("village")


LEVEL_ORDER = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.VILLAGE: 3}


class UnitType(models.TextChoices):
    TINH = "tinh", "Tỉnh"
    THANH_PHO_TW = "thanh_pho_tw", "Thành phố trực thuộc Trung ương"
    HUYEN = "huyen", "Huyện"
    QUAN = "quan", "Quận"
    THI_XA = "thi_xa", "Thị xã"
    THANH_PHO = "thanh_pho", "Thành phố thuộc tỉnh"
    XA = "xa", "Xã"
    PHUONG = "phuong", "Phường"
    THI_TRAN = "thi_tran", "Thị trấn"
    DAC_KHU = "dac_khu", "Đặc khu"
    THON = "thon", "Thôn"
    BAN = "ban", "Bản"
    TO_DAN_PHO = "to_dan_pho", "Tổ dân phố"
    XOM = "xom", "Xóm"
    AP = "ap", "Ấp"
    KHU_PHO = "khu_pho", "Khu phố"
    BUON = "buon", "Buôn"
    LANG = "lang", "Làng"


LEVEL_OF_TYPE: dict[str, str] = {
    UnitType.TINH: Level.PROVINCE,
    UnitType.THANH_PHO_TW: Level.PROVINCE,
    UnitType.HUYEN: Level.DISTRICT,
    UnitType.QUAN: Level.DISTRICT,
    UnitType.THI_XA: Level.DISTRICT,
    UnitType.THANH_PHO: Level.DISTRICT,
    UnitType.XA: Level.COMMUNE,
    UnitType.PHUONG: Level.COMMUNE,
    UnitType.THI_TRAN: Level.COMMUNE,
    UnitType.DAC_KHU: Level.COMMUNE,
    UnitType.THON: Level.VILLAGE,
    UnitType.BAN: Level.VILLAGE,
    UnitType.TO_DAN_PHO: Level.VILLAGE,
    UnitType.XOM: Level.VILLAGE,
    UnitType.AP: Level.VILLAGE,
    UnitType.KHU_PHO: Level.VILLAGE,
    UnitType.BUON: Level.VILLAGE,
    UnitType.LANG: Level.VILLAGE,
}

# The word a unit's full name starts with ("Huyện Tủa Chùa"); a city of either rank is "Thành phố".
NAME_PREFIX: dict[str, str] = {
    **{t.value: t.label for t in UnitType},
    UnitType.THANH_PHO_TW: "Thành phố",
    UnitType.THANH_PHO: "Thành phố",
}


def in_force(
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    *,
    start: datetime.date,
    end: datetime.date,
) -> bool:
    """Whether a unit in force from valid_from to valid_to (either open) was so on a day from start
    to end. The one definition of a unit's validity in Python; `geo.queries.valid_during` is its
    twin in SQL."""
    return (valid_from is None or valid_from <= end) and (valid_to is None or valid_to >= start)


class Unit(models.Model):
    code = models.CharField(max_length=24, help_text="GSO code; villages get the commune's code and a suffix")
    name = models.CharField(max_length=200, help_text='Full name with its type word: "Huyện Tủa Chùa"')
    short_name = models.CharField(max_length=160, help_text='Name without the type word: "Tủa Chùa"')
    unit_type = models.CharField(max_length=16, choices=UnitType.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(null=True, blank=True, help_text="Empty: in force before the records begin")
    valid_to = models.DateField(null=True, blank=True, help_text="Last day in force; empty: still in force")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)
    # Materialised path of ancestor ids ("12/345/"): a subtree is one prefix match on both
    # SQLite and PostgreSQL; the closing slash keeps "12/" from matching "123/".
    path = models.CharField(max_length=64, db_index=True, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    search_key = models.CharField(max_length=160, db_index=True, help_text="Folded short name")
    search_text = models.CharField(
        max_length=500, help_text="Folded names of the unit, its type and ancestors"
    )
    source = models.CharField(max_length=80, blank=True, help_text="Where the unit came from")
    is_synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "code", "valid_from"], name="geo_unit_identity"),
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(valid_from__isnull=True),
                name="geo_unit_identity_open_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="geo_unit_validity_order",
            ),
        ]
        indexes = [models.Index(fields=["level", "valid_from", "valid_to"])]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def is_valid_on(self, day: datetime.date) -> bool:
        return in_force(self.valid_from, self.valid_to, start=day, end=day)

    def existed_during(self, start: datetime.date, end: datetime.date) -> bool:
        """In force on at least one day from start to end (a period's first and last day)."""
        return in_force(self.valid_from, self.valid_to, start=start, end=end)

    @property
    def structure(self) -> str:
        """Which administrative structure the unit belongs to: "legacy" (63 provinces) or "2025"."""
        if self.valid_from is not None and self.valid_from >= REORGANISATION_DATE:
            return "2025"
        if self.valid_to is not None and self.valid_to < REORGANISATION_DATE:
            return "legacy"
        return "2025"

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.split("/") if part][:-1]


class SuccessionMethod(models.TextChoices):
    WHOLE = "whole", _("the whole unit")
    AREA_SHARE = "area_share", _("share of area")
    EQUAL_SHARE = "equal_share", _("equal share")
    DECLARED = "declared", _("declared by the source")


class Succession(models.Model):
    """Territory of `predecessor` passed (in part, by `weight`) to `successor` on `effective_on`."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successions_out")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successions_in")
    weight = models.FloatField(help_text="Share of the predecessor that went to the successor, 0-1")
    weight_method = models.CharField(max_length=16, choices=SuccessionMethod.choices)
    is_primary = models.BooleanField(
        default=True, help_text="The successor that carries the predecessor's name or seat"
    )
    effective_on = models.DateField()
    legal_basis = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="geo_succession_pair"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=1), name="geo_succession_weight"
            ),
        ]
        ordering = ["predecessor_id", "-weight"]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.weight:.2f})"
