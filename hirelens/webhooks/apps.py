from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "hirelens.webhooks"
    verbose_name = _("Webhook")

    def ready(self) -> None:
        from hirelens.core import events

        from .services import deliveries_create

        # In the emitting transaction: the delivery rows commit (or roll back) with the change itself.
        events.subscribe_in_transaction(deliveries_create)
