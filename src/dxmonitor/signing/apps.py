from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "dxmonitor.signing"
    label = "signing"
    verbose_name = "Digital signatures"
    default_auto_field = "django.db.models.BigAutoField"
