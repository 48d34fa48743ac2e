from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dxmonitor.reports"
    label = "reports"
    verbose_name = "Official reports"
    default_auto_field = "django.db.models.BigAutoField"
