from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "dxmonitor.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Each app declares its kinds of background work in a `background` module; importing them
        # here registers them in every process (web, worker, scheduler) before any job runs.
        from importlib import import_module

        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("background")
        # Packages of dxmonitor that are not Django apps (no models) declare theirs here.
        for module in ("dxmonitor.files.background",):
            import_module(module)
