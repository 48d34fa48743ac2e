"""The portal reads the public values of the collection; it keeps only what the worker counted
of them for its first pages (counting every public value at each visit would read them all)."""

from django.db import models


class PublicSummary(models.Model):
    """How many public figures there are, in all and by indicator, as of the value change and the
    report event it names: the worker counts them again when either moved."""

    computed_at = models.DateTimeField()
    changes_upto = models.BigIntegerField(help_text="The last value change counted")
    events_upto = models.BigIntegerField(help_text="The last report event (a publication) counted")
    # {"real", "synthetic", "units", "documents"}
    counts = models.JSONField(default=dict)
    # [{"indicator_id", "real", "synthetic", "units", "latest"}]
    indicators = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"public summary up to change {self.changes_upto}"
