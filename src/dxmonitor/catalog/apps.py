from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "dxmonitor.catalog"
    label = "catalog"
    verbose_name = "Indicator catalogue"
