"""API tokens for machine clients. Only a hash is stored; the token is shown once."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120, help_text="Which client uses it")
    prefix = models.CharField(max_length=12, db_index=True, help_text="First characters, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Role(models.TextChoices):
    DATA_ENTRY = "data_entry", _("data entry")
    APPROVER = "approver", _("approver")
    ANALYST = "analyst", _("analyst (read only)")
    ADMIN = "admin", _("administrator")


class RoleAssignment(models.Model):
    """A role over a unit and everything under it; no unit means the whole country."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=12, choices=Role.choices)
    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="accounts_role_once"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(unit__isnull=True),
                name="accounts_role_national_once",
            ),
        ]
        ordering = ["user_id", "role"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} {self.unit_id or 'VN'}"


def hash_token(token: str) -> str:
    """What an API token is stored as: its SHA-256, so a leaked table reveals no usable token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
