from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dxmonitor.accounts"
    label = "accounts"
    verbose_name = "Users and API tokens"
