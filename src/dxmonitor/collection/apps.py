from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "dxmonitor.collection"
    label = "collection"
    verbose_name = "Values and their sources"
