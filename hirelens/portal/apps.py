from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "hirelens.portal"
    label = "portal"

    def ready(self) -> None:
        from hirelens.messaging.services.helpdesk import link_resender_register

        from .services import portal_link_resend

        # a help-desk ticket about a dead portal link: HR's "send a new link" issues a fresh one here
        link_resender_register("portal.link", portal_link_resend)
