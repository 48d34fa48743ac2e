"""Official reports a unit sends upward: generated from its figures, then digitally signed.

The files are kept in the database: they are small (fonts are subset), they must survive with
the data they report, and a signed file must never change once stored.
"""

from django.conf import settings
from django.db import models


class OfficialReport(models.Model):
    unit = models.ForeignKey("geo.Unit", on_delete=models.PROTECT, related_name="official_reports")
    period = models.CharField(max_length=8, help_text='"2026Q3", "2026"')
    dataset = models.ForeignKey(
        "collection.DataSet", null=True, blank=True, on_delete=models.PROTECT, related_name="official_reports"
    )
    # Number and symbol as Nghị định 30/2020 writes them: "15/BC-UBND"; the number restarts each year.
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    symbol = models.CharField(max_length=40, default="BC-UBND")
    issued_on = models.DateField()
    place = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    issuing_body = models.CharField(max_length=200)
    parent_body = models.CharField(max_length=200, blank=True)
    authority = models.CharField(max_length=120)
    signer_title = models.CharField(max_length=120)
    signer_name = models.CharField(max_length=120)
    recipients = models.TextField(blank=True, help_text="One recipient per line")
    pdf = models.BinaryField()
    docx = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    signature_page = models.PositiveSmallIntegerField(default=0)
    signature_box = models.JSONField(default=list)
    signed_pdf = models.BinaryField(null=True, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signer_subject = models.CharField(max_length=300, blank=True, help_text="Common name on the certificate")
    generated_at = models.DateTimeField(auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number", "symbol"], name="reports_number_once")
        ]
        ordering = ["-generated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number}/{self.symbol} {self.unit_id} {self.period}"

    @property
    def number_symbol(self) -> str:
        return f"{self.number}/{self.symbol}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None
