"""Signing keys with their certificates, the certification authorities verification trusts, and
the record of every verification done through the product."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Credential(models.Model):
    """A private key and its certificate, held either for a person or for a unit.

    A person's key (`owner`) is opened with the password its owner types at each signing; the
    password is never stored. A unit's key (`unit`) is used by the unit's approvers without a
    password: its PKCS#12 password is generated and kept encrypted in `secret`.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="credentials"
    )
    unit = models.ForeignKey(
        "geo.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="credentials"
    )
    label = models.CharField(max_length=200, blank=True)
    certificate_pem = models.TextField()
    subject_name = models.CharField(max_length=300, help_text="The signer's common name (CN)")
    organisation = models.CharField(max_length=300, blank=True, help_text="The certificate's O")
    issuer_name = models.CharField(max_length=300)
    serial = models.CharField(max_length=80, help_text="Serial number, hexadecimal")
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the certificate (DER), hexadecimal")
    pkcs12 = models.BinaryField(help_text="The PKCS#12 file, encrypted with the installation's key")
    secret = models.BinaryField(
        blank=True, default=b"", help_text="The PKCS#12 password, encrypted; empty for a person's key"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False, unit__isnull=True)
                | Q(owner__isnull=True, unit__isnull=False),
                name="signing_credential_one_holder",
            ),
            models.UniqueConstraint(
                fields=["owner", "fingerprint"],
                condition=Q(owner__isnull=False),
                name="signing_credential_owner_cert",
            ),
            models.UniqueConstraint(
                fields=["unit", "fingerprint"],
                condition=Q(unit__isnull=False),
                name="signing_credential_unit_cert",
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.subject_name

    @property
    def held_by_unit(self) -> bool:
        return self.unit_id is not None


class TrustedRoot(models.Model):
    """A certification authority's certificate: signatures chaining to it are trusted."""

    name = models.CharField(max_length=200)
    certificate_pem = models.TextField()
    subject_name = models.CharField(max_length=300, blank=True)
    not_after = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class SignatureCheck(models.Model):
    """One verification of a PDF through the product: what was checked, by whom, and the result."""

    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    signed = models.BooleanField(default=False)
    valid = models.BooleanField(default=False)
    result = models.JSONField(default=dict)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.sha256[:12]}"
