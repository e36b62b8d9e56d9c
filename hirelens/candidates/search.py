"""Keyed search tokens: free-text search over encrypted names, skills and resume text.

Names and resume text are encrypted, so SQL cannot look inside them. Each searchable text is cut
into tokens (lower-cased Latin words and digit runs, Chinese characters and character pairs), and
each token is stored as a keyed hash (HMAC with the blind-index key, truncated to 63 bits). The
database holds no readable words; a query is tokenised the same way and every query token must
match. Substrings below the token level (e.g. half a Latin word) are not found, by design.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

WORD_RE = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")
CJK_RE = re.compile(r"[\u3400-\u9fff]+")
MAX_TOKENS = 4000


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _raw_tokens(text: str, *, unigrams: bool) -> set[str]:
    text = _normalize(text)
    tokens = set(WORD_RE.findall(text))
    for run in CJK_RE.findall(text):
        if unigrams or len(run) == 1:
            tokens.update(run)
        tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def token_hash(token: str) -> int:
    digest = hmac.new(settings.BLIND_INDEX_KEY, b"search\x00" + token.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)


def document_tokens(*, short_texts: list[str], long_texts: list[str]) -> set[int]:
    """Short texts (names, skills, tags) also index single Chinese characters; long ones only pairs."""
    raw: set[str] = set()
    for text in short_texts:
        raw |= _raw_tokens(text, unigrams=True)
    for text in long_texts:
        raw |= _raw_tokens(text, unigrams=False)
        if len(raw) > MAX_TOKENS:
            break
    return {token_hash(token) for token in list(raw)[:MAX_TOKENS]}


def query_tokens(query: str) -> set[int]:
    """A query's tokens: Chinese runs of two or more characters match by pairs, one character alone by itself."""
    text = _normalize(query)
    raw = set(WORD_RE.findall(text))
    for run in CJK_RE.findall(text):
        if len(run) == 1:
            raw.add(run)
        else:
            raw.update(run[i : i + 2] for i in range(len(run) - 1))
    return {token_hash(token) for token in raw}
