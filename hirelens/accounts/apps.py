from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hirelens.accounts"
    label = "accounts"
