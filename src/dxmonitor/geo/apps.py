from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "dxmonitor.geo"
    label = "geo"
    verbose_name = "Administrative units"
