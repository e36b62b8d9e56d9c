"""Counting a position's keywords in a transcript, with the time of each mention.

Chinese: jieba segments the text with every keyword added to its dictionary (so 团队协作 stays one word
and is not split into 团队 + 协作), and a mention is a run of tokens that spells the keyword.
English: exact word matching after lower-casing and Snowball stemming, so "customers" and "customer's"
count for "customer" and "negotiated" for "negotiate", while "cat" never matches "category".
Multi-word keywords match consecutive words of one phrase (not across punctuation). Compounds match however
the ASR spells them: "teamwork", "team work" and "team-work" are the same keyword (but not "team. Work": only
spaces or a hyphen may join words).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_JOINER = re.compile(r"[ \t-]*")
_lock = threading.Lock()
_tokenizer = None
_stemmer = None


def has_cjk(s: str) -> bool:
    return bool(_CJK.search(s))


def cjk_char_count(s: str) -> int:
    return len(_CJK.findall(s))


@dataclass
class KeywordHits:
    counts: dict[str, int] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=dict)  # start time of each mention (when known)


def parse_keywords(raw: str | list[str] | None) -> list[str]:
    if not raw:
        return []
    items = raw if isinstance(raw, list) else re.split(r"[,，;；、\n]", raw)
    out: list[str] = []
    for k in items:
        k = k.strip()
        if k and k not in out:
            out.append(k)
    return out


def _stem(word: str) -> str:
    global _stemmer
    if _stemmer is None:
        import snowballstemmer

        _stemmer = snowballstemmer.stemmer("english")
    word = word.lower()
    if word.endswith("'s"):
        word = word[:-2]
    return _stemmer.stemWord(word)


def _jieba(keywords: list[str]):
    global _tokenizer
    import jieba

    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(60)
            _tokenizer = jieba.Tokenizer()
        for k in keywords:
            if has_cjk(k):
                _tokenizer.add_word(k, freq=200000)
        return _tokenizer


def _char_times(text: str, words) -> list[float | None]:
    """Start time of each character of ``text``, from the ASR words that spell it (None if unknown)."""
    times: list[float | None] = [None] * len(text)
    if not words:
        return times
    pos = 0
    for w in words:
        wt = w.text.strip()
        if not wt:
            continue
        i = text.find(wt, pos)
        if i < 0:
            continue
        for j in range(i, i + len(wt)):
            times[j] = w.start_s
        pos = i + len(wt)
    return times


def count_keywords(text: str, keywords: list[str], *, words=None) -> KeywordHits:
    """Count ``keywords`` in ``text``. ``words`` (ASR words with ``text`` and ``start_s``) give times."""
    hits = KeywordHits({k: 0 for k in keywords}, {k: [] for k in keywords})
    if not keywords or not text:
        return hits
    ctimes = _char_times(text, words)
    zh = [k for k in keywords if has_cjk(k)]
    en = [k for k in keywords if not has_cjk(k)]
    if zh:
        tok = _jieba(zh)
        tokens = [(w, s) for w, s, _ in tok.tokenize(text)]
        for k in zh:
            sub = [w for w, _, _ in tok.tokenize(k)]
            n = len(sub)
            i = 0
            while i + n <= len(tokens):
                if [t for t, _ in tokens[i : i + n]] == sub:
                    hits.counts[k] += 1
                    t0 = ctimes[tokens[i][1]] if tokens[i][1] < len(ctimes) else None
                    if t0 is not None:
                        hits.times[k].append(t0)
                    i += n
                else:
                    i += 1
    if en:
        low = text.lower()
        toks = [(m.group(0), m.start()) for m in _EN_WORD.finditer(low)]
        stems = [_stem(w) for w, _ in toks]
        for k in en:
            kw = _EN_WORD.findall(k.lower())
            ks = [_stem(w) for w in kw]
            n = len(ks)
            if not n:
                continue
            glued = _stem("".join(kw))
            i = 0
            while i < len(stems):
                m = n if stems[i : i + n] == ks and _joined(low, toks, i, n) else _glued_match(low, toks, i, n, glued)
                if m:
                    hits.counts[k] += 1
                    t0 = ctimes[toks[i][1]]
                    if t0 is not None:
                        hits.times[k].append(t0)
                    i += m
                else:
                    i += 1
    return hits


def _joined(low: str, toks: list[tuple[str, int]], i: int, m: int) -> bool:
    """Whether words i..i+m-1 follow each other with only spaces or hyphens between (not across a full stop)."""
    return all(_JOINER.fullmatch(low, toks[j - 1][1] + len(toks[j - 1][0]), toks[j][1]) for j in range(i + 1, i + m))


def _glued_match(low: str, toks: list[tuple[str, int]], i: int, n: int, glued: str) -> int:
    """How many words from ``i`` spell the keyword as one word (``glued``, stemmed), joined only by spaces or
    hyphens; 0 if none. Tried for 1 to n + 2 words, other than the n the word-by-word match already tried."""
    word = ""
    for m in range(1, min(n + 2, len(toks) - i) + 1):
        j = i + m - 1
        if m > 1 and not _joined(low, toks, j - 1, 2):
            return 0
        word += toks[j][0]
        if m != n and _stem(word) == glued:
            return m
    return 0
