"""Re-encrypt every encrypted value and stored file under the active key (the first in HIRELENS_ENCRYPTION_KEYS).

Rotation procedure: put the new key first, keep the old one after it, run this command, then remove
the old key once it reports nothing left under it.
"""

from __future__ import annotations

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction
from django.utils.translation import gettext_noop

from hirelens.core import crypto
from hirelens.core.actors import SystemActor
from hirelens.core.audit import audit_record
from hirelens.core.fields import encrypted_fields
from hirelens.core.models import AuditEvent
from hirelens.core.storage import EncryptedStorage


class Command(BaseCommand):
    help = "Re-encrypt database values and stored files that use an old key id."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--skip-files", action="store_true")

    def handle(self, *args, batch_size, skip_files, **options):
        active = crypto.keyring().active_kid
        values = files = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            for field in fields:
                values += self._rotate_column(model, field, active, batch_size)
        if not skip_files and isinstance(default_storage, EncryptedStorage):
            for model in apps.get_models():
                for field in model._meta.concrete_fields:
                    if isinstance(field, models.FileField):
                        files += self._rotate_files(model, field, active)
        audit_record(action=AuditEvent.Action.KEY_ROTATION, actor=SystemActor(name="command", reason=gettext_noop("密钥轮换")),
                     object_type="keyring", object_id=active, fields=[f"values:{values}", f"files:{files}"])
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {values} value(s) and {files} file(s) under key {active!r}."))

    def _rotate_column(self, model, field, active, batch_size) -> int:
        """Read raw ciphertexts with SQL (no decryption on load) and re-encrypt those under an old key."""
        qn = connection.ops.quote_name
        table, column, pk_column = model._meta.db_table, field.column, model._meta.pk.column
        context = f"{table}.{column}"
        select = (f"SELECT {qn(pk_column)}, {qn(column)} FROM {qn(table)} "
                  f"WHERE {qn(pk_column)} > %s AND {qn(column)} IS NOT NULL ORDER BY {qn(pk_column)} LIMIT %s")
        update = f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk_column)} = %s"
        count, last_pk = 0, -1
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, [last_pk, batch_size])
                rows = cursor.fetchall()
                for pk, token in rows:
                    last_pk = pk
                    if not token or crypto.parse_kid(token) in (None, active):
                        continue
                    plaintext = crypto.decrypt_str(token, context=context)
                    cursor.execute(update, [crypto.encrypt_str(plaintext, context=context), pk])
                    count += 1
            if len(rows) < batch_size:
                return count

    def _rotate_files(self, model, field, active) -> int:
        count = 0
        names = model._base_manager.exclude(**{field.attname: ""}).values_list(field.attname, flat=True)
        for name in names.iterator():
            if name and default_storage.exists(name) and default_storage.key_id(name) != active:
                default_storage.reencrypt(name)
                count += 1
        return count
