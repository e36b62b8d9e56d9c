"""Validation shared by positions and the apps built on them (processes, scheduling)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hirelens.core.timezones import validate_time_zone  # noqa: F401  (moved to core with the zones; positions re-exports it)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def common_time_zones() -> list[str]:
    """The zones offered in pickers: China first, then the rest alphabetically."""
    first = ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Europe/London",
             "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC"]
    rest = sorted(z for z in _known_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return first + [z for z in rest if z not in first]


def clean_word_list(values, *, max_items: int = 50, max_length: int = 60) -> list[str]:
    """Trim, drop empties and duplicates (keeping order) from keywords or dimension names."""
    if isinstance(values, str):
        values = values.replace("，", ",").replace("\n", ",").split(",")
    seen, result = set(), []
    for value in values or []:
        value = str(value).strip()
        if value and value not in seen:
            if len(value) > max_length:
                raise ValidationError(_("“%(value)s”太长（最多 %(max)d 个字符）。") % {"value": value[:20], "max": max_length})
            seen.add(value)
            result.append(value)
    if len(result) > max_items:
        raise ValidationError(_("最多 %(max)d 项。") % {"max": max_items})
    return result


MAX_SYNONYMS = 10


def synonyms_text(synonyms: dict[str, list[str]], keywords: list[str] | None = None) -> str:
    """The synonyms as HR edits them: one line per keyword, "keyword: synonym, synonym" (in the keywords' order)."""
    order = [k for k in keywords or [] if k in synonyms] + [k for k in synonyms if k not in (keywords or [])]
    return "\n".join(f"{k}: {', '.join(synonyms[k])}" for k in order if synonyms.get(k))


def clean_keyword_synonyms(value, *, keywords: list[str]) -> dict[str, list[str]]:
    """Synonyms per keyword from a dict or from text (one line per keyword: "客户：顾客、用户" or
    "customer: client, buyer"). Every line must name one of the position's keywords; a synonym may not be
    another keyword or belong to two keywords (a mention would be counted twice). Raises a localized
    ValidationError that names the line."""
    if isinstance(value, dict):
        items = list(value.items())
    else:
        items = []
        for number, line in enumerate(str(value or "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            head, sep, rest = line.replace("：", ":").partition(":")
            if not sep or not head.strip():
                raise ValidationError(_("第 %(n)d 行：请写成“关键词: 同义词1, 同义词2”。") % {"n": number}, code="synonym_format")
            items.append((head.strip(), rest.replace("、", ",")))
    known = {k.casefold(): k for k in keywords}
    result: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for raw_keyword, raw_synonyms in items:
        keyword = known.get(str(raw_keyword).strip().casefold())
        if keyword is None:
            raise ValidationError(_("“%(keyword)s”不是本职位的关键词：请先把它加到关键词里。") % {"keyword": str(raw_keyword)[:30]},
                                  code="synonym_unknown_keyword")
        synonyms = [s for s in clean_word_list(raw_synonyms, max_items=MAX_SYNONYMS) if s.casefold() != keyword.casefold()]
        for synonym in synonyms:
            folded = synonym.casefold()
            if folded in known:
                raise ValidationError(_("“%(synonym)s”本身就是关键词，不能再作为“%(keyword)s”的同义词。") % {
                    "synonym": synonym, "keyword": keyword}, code="synonym_is_keyword")
            if owner.get(folded, keyword) != keyword:
                raise ValidationError(_("“%(synonym)s”同时是“%(a)s”和“%(b)s”的同义词：每个同义词只能属于一个关键词。") % {
                    "synonym": synonym, "a": owner[folded], "b": keyword}, code="synonym_twice")
            owner[folded] = keyword
        if synonyms:
            merged = result.setdefault(keyword, [])
            merged += [s for s in synonyms if s not in merged]
            if len(merged) > MAX_SYNONYMS:
                raise ValidationError(_("每个关键词最多 %(max)d 个同义词。") % {"max": MAX_SYNONYMS}, code="synonym_too_many")
    return result
