from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "dxmonitor.analytics"
    label = "analytics"
    verbose_name = "Aggregates, scores and rankings"
