"""Bias-audit arithmetic, free of Django: selection and scoring rates, impact ratios, the four-fifths rule,
the 2 % exclusion of NYC DCWP rules §5-301 and Fisher's exact test.

Definitions (NYC DCWP rules §5-300, EEOC 29 CFR 1607.4(D)):

- selection rate = selected / assessed, for one category;
- scoring rate = share of the category whose score is *above* the median score of the whole sample;
- impact ratio = the category's rate / the highest rate of any category taking part;
- a ratio under 0.8 is flagged (the "four-fifths rule"); with few people the ratio says little, so a small
  sample is marked and Fisher's exact test (the category against the category with the highest rate) is given;
- a category under 2 % of the data may be left out of the impact ratios; it is still listed with its counts.

People whose category is unknown (not given, or "I decline to answer") are counted by the caller and reported
beside the tables, never mixed into a category.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

FOUR_FIFTHS = 0.8
EXCLUSION_SHARE = 0.02
# Under this many people in a category (or fewer than 5 selected / not selected) a ratio is marked as a small sample
SMALL_SAMPLE_N = 30
SMALL_SAMPLE_CELL = 5


@dataclass(frozen=True)
class Row:
    key: str
    n: int
    selected: int  # selected, or scored above the median in the scoring-rate variant
    share: float  # of the table's total (people of known category)
    rate: float | None
    impact_ratio: float | None
    excluded: bool = False  # under 2 % of the data and left out of the impact ratios on request
    flagged: bool = False  # impact ratio under 0.8
    small_sample: bool = False
    fisher_p: float | None = None  # two-sided, against the highest-rate category
    reference: bool = False  # the category with the highest rate (impact ratio 1)


@dataclass(frozen=True)
class Table:
    rows: list[Row]
    total: int
    excluded: list[str] = field(default_factory=list)

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)


def rate(selected: int, n: int) -> float | None:
    if n < 0 or selected < 0 or selected > n:
        raise ValueError("selected must be between 0 and n")
    return selected / n if n else None


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for the 2x2 table [[a, b], [c, d]].

    The probability of every table with the same margins that is no more likely than the observed one
    (the definition R's fisher.test and SciPy use), with the same relative tolerance of 1e-7.
    """
    if min(a, b, c, d) < 0:
        raise ValueError("counts must be non-negative")
    row1, row2, col1 = a + b, c + d, a + c
    n = row1 + row2
    if n == 0:
        return 1.0
    low, high = max(0, col1 - row2), min(col1, row1)
    denominator = _log_choose(n, col1)

    def p_of(x: int) -> float:
        return math.exp(_log_choose(row1, x) + _log_choose(row2, col1 - x) - denominator)

    observed = p_of(a)
    total = sum(p for p in (p_of(x) for x in range(low, high + 1)) if p <= observed * (1 + 1e-7))
    return min(1.0, total)


def impact_table(counts: Mapping[str, tuple[int, int]], *, exclude_small: bool = False,
                 exclusion_share: float = EXCLUSION_SHARE) -> Table:
    """Rates and impact ratios for ``counts`` = {category: (assessed, selected)}, in the given order.

    With ``exclude_small`` a category with under ``exclusion_share`` of the table's people takes no part in the
    impact ratios (it is listed, marked excluded, with its counts and rate)."""
    total = sum(n for n, _ in counts.values())
    excluded = [k for k, (n, _) in counts.items() if exclude_small and total and 0 < n / total < exclusion_share]
    taking_part = {k: rate(s, n) for k, (n, s) in counts.items() if k not in excluded and n}
    best_key = max(taking_part, key=lambda k: taking_part[k], default=None)
    best = taking_part.get(best_key) if best_key is not None else None
    rows = []
    for key, (n, selected) in counts.items():
        r = rate(selected, n)
        ratio = None
        if key not in excluded and r is not None and best:
            ratio = r / best
        small = n < SMALL_SAMPLE_N or min(selected, n - selected) < SMALL_SAMPLE_CELL
        fisher = None
        if ratio is not None and key != best_key:
            best_n, best_s = counts[best_key]
            fisher = fisher_exact(selected, n - selected, best_s, best_n - best_s)
        rows.append(Row(key=key, n=n, selected=selected, share=n / total if total else 0.0, rate=r, impact_ratio=ratio,
                        excluded=key in excluded, flagged=ratio is not None and ratio < FOUR_FIFTHS,
                        small_sample=n > 0 and small, fisher_p=fisher, reference=key == best_key))
    return Table(rows=rows, total=total, excluded=excluded)


def median(scores: Iterable[float]) -> float | None:
    values = list(scores)
    return statistics.median(values) if values else None


def scoring_counts(scored: Iterable[tuple[str, float]], *, order: Iterable[str] = ()) -> tuple[float | None, dict[str, tuple[int, int]]]:
    """(median of every score, {category: (scored, above the median)}) for (category, score) pairs.

    The median is taken over the whole sample given (unknown category included, when the caller passes it),
    and "above" is strictly greater, as DCWP's scoring rate reads."""
    pairs = list(scored)
    mid = median(score for _, score in pairs)
    counts: dict[str, list[int]] = {key: [0, 0] for key in order}
    for key, score in pairs:
        cell = counts.setdefault(key, [0, 0])
        cell[0] += 1
        cell[1] += int(mid is not None and score > mid)
    return mid, {k: (n, above) for k, (n, above) in counts.items()}
