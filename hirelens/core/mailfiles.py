"""Mails that Django's file backend wrote to ``EMAIL_FILE_PATH`` (``var/mail``): one file per connection, each message
followed by a line of 79 dashes. Erasure reads them to find a person's mails and rewrites a file without them."""

from __future__ import annotations

import os
from email import message_from_bytes, policy
from pathlib import Path

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def split_mail_file(data: bytes) -> list[bytes]:
    return [part for part in data.split(SEPARATOR) if part.strip()]


def write_mail_file(path: Path, messages: list[bytes]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(b"".join(m + SEPARATOR for m in messages))
    os.replace(tmp, path)


def mail_text(raw: bytes) -> str:
    """Headers and every text part decoded (RFC 2047 words, base64, quoted-printable): what a person would read."""
    message = message_from_bytes(raw, policy=policy.default)
    texts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                texts.append(part.get_content())
            except (LookupError, UnicodeDecodeError):
                texts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
        elif part.get_filename() or part.get_content_type() in ("text/calendar", "application/ics"):
            payload = part.get_payload(decode=True) or b""
            texts.append(payload.decode("utf-8", "replace"))
    return "\n".join(texts)


def mail_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.log") if p.is_file()) if folder.is_dir() else []
