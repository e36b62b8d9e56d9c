"""Counting a position's keywords in a transcript, with the time of each mention.

Chinese: jieba segments the text with every keyword added to its dictionary (so 团队协作 stays one word
and is not split into 团队 + 协作), and a mention is a run of tokens that spells the keyword.
English: exact word matching after lower-casing and Snowball stemming, so "customers" and "customer's"
count for "customer" and "negotiated" for "negotiate", while "cat" never matches "category".
Multi-word keywords match consecutive words of one phrase (not across punctuation). Compounds match however
the ASR spells them: "teamwork", "team work" and "team-work" are the same keyword (but not "team. Work": only
spaces or a hyphen may join words).
HR may give synonyms per keyword (in either language): a mention of any of them counts for the keyword.
A keyword in a language the answer does not speak (a Chinese keyword on an English answer, an English word on
a Chinese one) is "not applicable", not "× 0"; Latin technical terms (Python, API, SQL) apply in both.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_JOINER = re.compile(r"[ \t-]*")
#: Latin technical terms that are also English words (or look like them): said as they are in Chinese answers
_TECH_TERMS = frozenset(
    "python java javascript typescript ruby rust golang swift kotlin scala perl php html css sql nosql api rest "
    "graphql linux unix windows docker kubernetes git github gitlab excel powerpoint react angular vue node nodejs "
    "spring django flask oracle mysql postgres postgresql redis kafka spark hadoop hive flink tensorflow pytorch aws "
    "azure gcp devops agile scrum kanban jira figma photoshop matlab android ios unity blockchain ai ml nlp llm "
    "saas crm erp sap seo sdk ui ux".split()
)
_lock = threading.Lock()
_tokenizer = None
_stemmers = threading.local()


def has_cjk(s: str) -> bool:
    return bool(_CJK.search(s))


def cjk_char_count(s: str) -> int:
    return len(_CJK.findall(s))


@dataclass
class KeywordHits:
    counts: dict[str, int] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=dict)  # start time of each mention (when known)
    not_applicable: list[str] = field(default_factory=list)  # in a language the answer does not speak


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
    # One stemmer per thread: a snowballstemmer object keeps the word being stemmed in its own fields, so two
    # analyses sharing one (Huey's thread workers) raised IndexError or, worse, stemmed a word wrongly.
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    word = word.lower()
    if word.endswith("'s"):
        word = word[:-2]
    return stemmer.stemWord(word)


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


def keyword_language(keyword: str) -> str:
    """"zh" for a keyword with Han characters, "any" for a Latin technical term said the same way in both
    languages (Python, API, SQL, C++, Kubernetes: code-switching), "en" for an English word (teamwork)."""
    if has_cjk(keyword):
        return "zh"
    if re.search(r"[0-9+#./]", keyword):
        return "any"  # C++, C#, .NET, Vue.js, 5G, K8s
    words = re.findall(r"[A-Za-z]+", keyword)
    if not words:
        return "any"
    from .syllables import _cmudict

    d = _cmudict()
    for w in words:
        low = w.lower()
        if (len(w) >= 2 and w.isupper()) or any(c.isupper() for c in w[1:]):
            return "any"  # API, SQL, JavaScript, iOS, MySQL
        if low in _TECH_TERMS or low not in d:
            return "any"  # python, docker; kubernetes, django (not English words)
    return "en"


def keyword_applicable(forms: list[str], language: str | None) -> bool:
    """Whether an answer in ``language`` can mention a keyword spelt as ``forms`` (the keyword and its synonyms)."""
    if language not in ("zh", "en"):
        return True
    langs = {keyword_language(f) for f in forms}
    return "any" in langs or language in langs


def count_keywords(
    text: str,
    keywords: list[str],
    *,
    words=None,
    synonyms: dict[str, list[str]] | None = None,
    language: str | None = None,
) -> KeywordHits:
    """Count ``keywords`` in ``text``. ``words`` (ASR words with ``text`` and ``start_s``) give times.

    ``synonyms`` (keyword → other spellings HR added): a mention of any of them counts for the keyword, once
    where two overlap. ``language`` (the answer's, "zh" or "en"; None: unknown): a keyword none of whose forms
    is in that language (and that was not heard anyway) is listed in ``not_applicable`` and left out of
    ``counts`` and ``times``: it cannot be said in that answer, and "× 0" would read as evidence against it.
    Latin technical terms (Python, API, SQL) are applicable in both languages."""
    synonyms = synonyms or {}
    forms = {k: parse_keywords([k, *(synonyms.get(k) or [])]) for k in keywords}
    hits = KeywordHits({k: 0 for k in keywords}, {k: [] for k in keywords})
    if keywords and text:
        ctimes = _char_times(text, words)
        spans = _find(text, list(dict.fromkeys(f for fs in forms.values() for f in fs)))
        for k in keywords:
            last_end = -1
            for start, end in sorted(sp for f in forms[k] for sp in spans[f]):
                if start < last_end:
                    continue  # the same words matched by two forms (teamwork / team work): one mention
                last_end = end
                hits.counts[k] += 1
                t0 = ctimes[start] if start < len(ctimes) else None
                if t0 is not None:
                    hits.times[k].append(t0)
    for k in keywords:
        if not hits.counts[k] and not keyword_applicable(forms[k], language):
            hits.not_applicable.append(k)
            del hits.counts[k], hits.times[k]
    return hits


def _find(text: str, forms: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Where each form is said in ``text``: (start, end) character offsets."""
    spans: dict[str, list[tuple[int, int]]] = {f: [] for f in forms}
    zh = [f for f in forms if has_cjk(f)]
    en = [f for f in forms if not has_cjk(f)]
    if zh:
        tok = _jieba(zh)
        tokens = list(tok.tokenize(text))
        for k in zh:
            sub = [w for w, _, _ in tok.tokenize(k)]
            n = len(sub)
            i = 0
            while i + n <= len(tokens):
                if [t for t, _, _ in tokens[i : i + n]] == sub:
                    spans[k].append((tokens[i][1], tokens[i + n - 1][2]))
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
                    last = toks[i + m - 1]
                    spans[k].append((toks[i][1], last[1] + len(last[0])))
                    i += m
                else:
                    i += 1
    return spans


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
