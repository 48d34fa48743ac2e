from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "dxmonitor.portal"
    label = "portal"
    verbose_name = "Open-data portal"
