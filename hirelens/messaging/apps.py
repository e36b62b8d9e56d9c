from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "hirelens.messaging"
    label = "messaging"
    verbose_name = _("消息与提醒")

    def ready(self):
        from hirelens.core.roles import Perm
        from hirelens.core.shell import NavEntry, nav_register

        from . import integrations

        integrations.connect()
        nav_register(
            NavEntry(order=110, label=_("消息"), url_name="messaging:outbox", perm=Perm.MESSAGING_VIEW),
            NavEntry(order=120, label=_("候选人求助"), url_name="messaging:helpdesk", perm=Perm.MESSAGING_HELPDESK, counter_url_name="messaging:helpdesk_pending"),
        )
