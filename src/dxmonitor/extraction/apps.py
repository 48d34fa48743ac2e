from django.apps import AppConfig


class ExtractionConfig(AppConfig):
    name = "dxmonitor.extraction"
    label = "extraction"
    verbose_name = "Facts read from narrative reports"
