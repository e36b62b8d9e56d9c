from django.apps import AppConfig


class LiveConfig(AppConfig):
    """The live interview (PRODUCT.md I2, A2, I3, I4): rooms, signalling, the server's media peer, the live
    AI panel, annotations, the candidate's questions and incidents."""

    name = "hirelens.live"
    label = "live"

    def ready(self) -> None:
        from hirelens.core import events

        from .incidents import on_event

        # the candidate's help-desk reports reach an open room, in the ticket's transaction (incidents.py)
        events.subscribe_in_transaction(on_event)
