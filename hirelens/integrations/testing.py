"""Test helpers: a real API key for a user, and a client that sends it (no session, no CSRF)."""

from __future__ import annotations

from django.test import Client

from .models import SCOPE_DOMAINS, ApiKey
from .services import api_key_create

ALL_SCOPES = [f"{domain}:write" for domain in SCOPE_DOMAINS]


def make_api_key(user, scopes=None, *, name: str = "测试集成", **kwargs) -> tuple[ApiKey, str]:
    """(the key row, the secret token as shown once)."""
    return api_key_create(actor=user, user=user, name=name, scopes=ALL_SCOPES if scopes is None else scopes, **kwargs)


def api_client(token: str, language: str = "zh-hans") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language)
