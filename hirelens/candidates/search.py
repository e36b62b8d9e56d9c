"""Keyed search tokens: free-text search over encrypted names, skills and resume text.

Names and resume text are encrypted, so SQL cannot look inside them. Each searchable text is cut
into tokens (lower-cased Latin words and digit runs, Chinese characters and character pairs), and
each token is stored as a keyed hash (HMAC with the blind-index key, truncated to 63 bits). The
database holds no readable words; a query is tokenised the same way and every query term must
match. Substrings below the token level (e.g. half a word of a resume) are not found, by design.

Names get more tokens, hashed under their own domain (``name\\x00``, never ``search\\x00``) so they
cannot collide with resume words: every prefix of two or more letters of each Latin word ("zh",
"zha", ... of Zhang), and for Chinese characters their pinyin: each syllable ("zhang", "wei", with
the other readings of a surname such as 曾 zeng/ceng and ü written v or u), the joined syllables
("zhangwei") and every prefix of two or more letters of them, and the initials ("zyt", "zy"). A query term
matches when its content hash or its name hash is stored. What this leaks is written in docs/ehr.md.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import unicodedata

from django.conf import settings

WORD_RE = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")
LATIN_NAME_RE = re.compile(r"[a-z]+")
CJK_RE = re.compile(r"[\u3400-\u9fff]+")
MAX_TOKENS = 4000
MAX_NAME_TOKENS = 400
MIN_PREFIX = 2
MAX_PREFIX = 24  # a longer name word is matched by its first 24 letters
CONTENT_DOMAIN = b"search\x00"
NAME_DOMAIN = b"name\x00"


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _fold_latin(text: str) -> str:
    """Zoë → zoe, Łukasz → lukasz: accents are dropped so a query typed without them still matches."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _raw_tokens(text: str, *, unigrams: bool) -> set[str]:
    text = _normalize(text)
    tokens = set(WORD_RE.findall(text))
    for run in CJK_RE.findall(text):
        if unigrams or len(run) == 1:
            tokens.update(run)
        tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def _hash(domain: bytes, token: str) -> int:
    digest = hmac.new(settings.BLIND_INDEX_KEY, domain + token.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)


def token_hash(token: str) -> int:
    return _hash(CONTENT_DOMAIN, token)


def name_token_hash(token: str) -> int:
    return _hash(NAME_DOMAIN, token)


def _prefixes(word: str) -> set[str]:
    return {word[:n] for n in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1)}


def _readings(char: str, *, all_readings: bool) -> list[str]:
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=all_readings, errors="ignore")
    readings = [r for r in (found[0] if found else []) if r.isascii() and r.isalpha()][:3]
    out = []
    for r in readings:  # ü is typed v (lv) or u (lu)
        out += [r, r.replace("v", "u")] if "v" in r else [r]
    return list(dict.fromkeys(out))


def name_raw_tokens(name: str) -> set[str]:
    """The plaintext name tokens (before hashing): Latin prefixes, pinyin syllables, joined pinyin, initials."""
    text = _normalize(name)
    raw: set[str] = set()
    for word in LATIN_NAME_RE.findall(_fold_latin(text)):
        raw |= _prefixes(word)
    for run in CJK_RE.findall(text):
        # A surname (the run's first character) is read every way it can be; the rest by its usual reading.
        per_char = [_readings(ch, all_readings=(i == 0)) or [] for i, ch in enumerate(run[:8])]
        per_char = [r for r in per_char if r]
        for readings in per_char:
            raw.update(readings)
        if len(per_char) < 2:
            continue
        for combo in itertools.islice(itertools.product(*per_char), 12):
            joined = "".join(combo)
            raw |= _prefixes(joined)
            raw |= _prefixes("".join(s[0] for s in combo))  # initials, and their prefixes as typed: zy, zyt
    return raw


def name_tokens(name: str) -> set[int]:
    return {name_token_hash(t) for t in sorted(name_raw_tokens(name))[:MAX_NAME_TOKENS]}


def document_tokens(*, short_texts: list[str], long_texts: list[str], name: str | None = None) -> set[int]:
    """Short texts (names, skills, tags) also index single Chinese characters; long ones only pairs.

    ``name`` adds the name tokens (prefixes, pinyin); when it is not given, the first short text is the
    candidate's name (both callers, ``candidate_reindex`` and the bulk import, put it first)."""
    raw: set[str] = set()
    for text in short_texts:
        raw |= _raw_tokens(text, unigrams=True)
    for text in long_texts:
        raw |= _raw_tokens(text, unigrams=False)
        if len(raw) > MAX_TOKENS:
            break
    tokens = {token_hash(token) for token in list(raw)[:MAX_TOKENS]}
    if name is None:
        name = short_texts[0] if short_texts else ""
    return tokens | name_tokens(name)


def query_terms(query: str) -> list[set[int]]:
    """A query's terms, each a set of hashes of which one must be stored for the candidate to match.

    A Latin word or digit run matches its content token or its name token (a name prefix, a pinyin
    syllable, joined pinyin or initials); Chinese runs of two or more characters match by pairs, one
    character alone by itself."""
    text = _normalize(query)
    terms: dict[str, set[int]] = {}
    for word in WORD_RE.findall(text):
        hashes = {token_hash(word)}
        folded = _fold_latin(word)
        if folded.isalpha():
            hashes.add(name_token_hash(folded[:MAX_PREFIX]))
        terms[word] = hashes
    for run in CJK_RE.findall(text):
        parts = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        for part in parts:
            terms[part] = {token_hash(part)}
    return list(terms.values())


def query_tokens(query: str) -> set[int]:
    """Content-only tokens of a query (kept for callers that match resume words alone)."""
    text = _normalize(query)
    raw = set(WORD_RE.findall(text))
    for run in CJK_RE.findall(text):
        if len(run) == 1:
            raw.add(run)
        else:
            raw.update(run[i : i + 2] for i in range(len(run) - 1))
    return {token_hash(token) for token in raw}


def name_sort_key(name: str) -> tuple[str, str]:
    """Sort key for a decrypted name: Chinese characters by their pinyin, Latin letters without accents, so
    安然 < 白露 < Brown < 陈晨 < Zhang Wei < 周雨桐 reads in one alphabet (ties by the name itself)."""
    from pypinyin import Style, lazy_pinyin

    text = _normalize(name)
    parts = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    return " ".join(" ".join(_fold_latin(p).split()) for p in parts if p.strip()), text
