from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "dxmonitor.workflow"
    label = "workflow"
    verbose_name = "Reports and their approval"

    def ready(self) -> None:
        # A submitted report's figures are locked on every channel (form, file, API, bulk).
        from dxmonitor.collection.datasets import register_lock_source

        from .queries import submitted_reports

        register_lock_source(submitted_reports)
