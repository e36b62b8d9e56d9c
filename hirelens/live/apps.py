from django.apps import AppConfig


class LiveConfig(AppConfig):
    """The live interview (PRODUCT.md I2, A2, I3, I4): rooms, signalling, the server's media peer, the live
    AI panel, annotations, the candidate's questions and incidents."""

    name = "hirelens.live"
    label = "live"
