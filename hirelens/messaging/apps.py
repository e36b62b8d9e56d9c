from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "hirelens.messaging"
    label = "messaging"
    verbose_name = _("消息与提醒")

    def ready(self):
        from . import integrations

        integrations.connect()
