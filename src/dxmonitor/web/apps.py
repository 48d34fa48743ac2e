from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dxmonitor.web"
    label = "web"
    verbose_name = "Web interface"
