from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "dxmonitor.assessment"
    label = "assessment"
    verbose_name = "Yearly assessment rounds"
