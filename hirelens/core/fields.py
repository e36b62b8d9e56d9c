"""Model fields that keep personal data encrypted at rest, and their blind indexes."""

from __future__ import annotations

from django.core import checks, validators
from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores ``crypto.encrypt_str`` output; Python code only ever sees plaintext.

    Ciphertexts are randomised, so the database cannot filter on them: use a ``BlindIndexField``
    for equality lookups. ``max_length`` (optional) is validated on the plaintext.
    """

    description = "Text encrypted with AES-256-GCM"
    encrypted = True

    def __init__(self, *args, plaintext_max_length: int | None = None, **kwargs):
        self.plaintext_max_length = plaintext_max_length
        super().__init__(*args, **kwargs)
        if plaintext_max_length:
            self.validators.append(validators.MaxLengthValidator(plaintext_max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plaintext_max_length:
            kwargs["plaintext_max_length"] = self.plaintext_max_length
        return name, path, args, kwargs

    @property
    def crypto_context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt_str(value, context=self.crypto_context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt_str(str(value), context=self.crypto_context)

    def get_lookup(self, lookup_name):
        # Ciphertexts are randomised: only NULL checks are meaningful in SQL.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC-SHA256 of another field's normalised plaintext, computed whenever the row is saved."""

    def __init__(self, *args, source: str = "", kind: str = "text", **kwargs):
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key in ("max_length", "editable", "blank", "db_index", "default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.kind not in crypto.NORMALIZERS:
            errors.append(checks.Error(f"unknown blind index kind {self.kind!r}", obj=self))
        return errors

    def pre_save(self, model_instance, add):
        value = crypto.blind_index(getattr(model_instance, self.source), kind=self.kind)
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]
