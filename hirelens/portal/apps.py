from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "hirelens.portal"
    label = "portal"
