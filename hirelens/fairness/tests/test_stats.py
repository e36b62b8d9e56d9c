"""The bias-audit arithmetic against hand-computed figures, the worked examples of NYC DCWP rules §5-301 and known
values of Fisher's exact test. Plain pytest, no database."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from hirelens.fairness.stats import fisher_exact, impact_table, median, rate, scoring_counts


def r3(x):
    return None if x is None else round(x, 3)


# --- a small hand-computed example -----------------------------------------------------------------------------

def test_selection_rates_and_impact_ratios_by_hand():
    # A: 40 assessed, 20 selected -> 0.500 (the highest rate: ratio 1)
    # B: 50 assessed, 15 selected -> 0.300 ; 0.300 / 0.500 = 0.600 < 0.8 -> flagged
    # C: 10 assessed,  4 selected -> 0.400 ; 0.400 / 0.500 = 0.800 -> not flagged (the rule is "less than 4/5")
    table = impact_table({"A": (40, 20), "B": (50, 15), "C": (10, 4)})
    assert table.total == 100
    a, b, c = table.row("A"), table.row("B"), table.row("C")
    assert (a.rate, a.impact_ratio, a.reference, a.flagged, a.fisher_p) == (0.5, 1.0, True, False, None)
    assert (r3(b.rate), r3(b.impact_ratio), b.flagged) == (0.3, 0.6, True)
    assert (r3(c.rate), r3(c.impact_ratio), c.flagged) == (0.4, 0.8, False)
    # small samples: C has 10 people (< 30); A and B have 40 and 50, with at least 5 selected and not selected
    assert (a.small_sample, b.small_sample, c.small_sample) == (False, False, True)
    # Fisher's exact test of C against A: the 2x2 table [[4, 6], [20, 20]]
    assert c.fisher_p == pytest.approx(fisher_exact(4, 6, 20, 20))
    assert b.share == 0.5 and c.share == 0.1


def test_a_category_nobody_in_has_no_rate_and_no_ratio():
    table = impact_table({"A": (10, 5), "B": (0, 0)})
    assert table.row("B").rate is None and table.row("B").impact_ratio is None and not table.row("B").flagged


def test_nobody_selected_gives_no_ratio_rather_than_dividing_by_zero():
    table = impact_table({"A": (10, 0), "B": (12, 0)})
    assert [r.impact_ratio for r in table.rows] == [None, None]


def test_rate_refuses_impossible_counts():
    with pytest.raises(ValueError):
        rate(5, 4)


def test_two_percent_exclusion_is_shown_and_takes_the_category_out_of_the_ratios():
    # X: 1 of 101 people = 0.99 % of the data (< 2 %), selected 1/1 = 100 %: left in, it would be the reference
    # and push every other ratio down (Y: 0.5 / 1.0 = 0.5). Excluded, Y is the reference (1.0), X keeps its counts.
    counts = {"X": (1, 1), "Y": (60, 30), "Z": (40, 16)}
    kept = impact_table(counts)
    assert kept.row("X").reference and r3(kept.row("Y").impact_ratio) == 0.5 and kept.excluded == []
    table = impact_table(counts, exclude_small=True)
    assert table.excluded == ["X"]
    x, y, z = table.row("X"), table.row("Y"), table.row("Z")
    assert (x.excluded, x.n, x.selected, x.rate, x.impact_ratio) == (True, 1, 1, 1.0, None)
    assert (y.reference, y.impact_ratio) == (True, 1.0)
    # Z: 16 / 40 = 0.400 ; 0.400 / 0.500 = 0.800
    assert r3(z.impact_ratio) == 0.8


# --- NYC DCWP rules §5-301: the rule's own worked examples -------------------------------------------------------
# 6 RCNY § 5-301 (DCWP Notice of Adoption, 6 April 2023). The rule text up to the first example table is at
# https://codelibrary.amlegal.com/codes/newyorkcity/latest/NYCrules/0-0-0-138530 (§ 5-301(a), (b) and the example's
# wording); the table rows below were read in the adopted rule's text as quoted, chunk by chunk, in
# https://huggingface.co/datasets/rk68/LL144-Test-Set ("Document 13", the selection example's race/ethnicity table) and
# https://huggingface.co/datasets/rk68/LL144-giskard-239 ("Document 12", § 5-301(d) and the scoring-rate example).
# Only numbers restated here, not the rule's text. Rows marked "not re-read" are where the quoted chunk was cut off:
# they are the rule's numbers as remembered (they agree with the intersectional table below) and do not change the
# reference category of their table.
#
# The published precision: the selection example's sex and race tables give whole percents and ratios to 2 places,
# its intersectional table one-decimal percents and ratios to 3 places; the scoring example one-decimal percents and
# ratios to 2 places. ``published`` rounds half up, as a table printed for people does.


def published(x: float, places: int, *, percent: bool = False) -> Decimal:
    value = Decimal(x) * (100 if percent else 1)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# Selection-rate example (an AEDT that screens resumes and schedules interviews), as (applicants, selected) and the
# published (selection rate %, impact ratio).
DCWP_SELECTION_BY_SEX = {"male": (1390, 667), "female": (1181, 555)}  # not re-read
DCWP_SELECTION_BY_SEX_PUBLISHED = {"male": ("48", "1.00"), "female": ("47", "0.98")}
DCWP_SELECTION_BY_RACE = {
    "hispanic_latino": (408, 204),  # 50 %, 0.97
    "white": (797, 412),  # 52 %, 1.00 (the highest rate: the denominator of every ratio)
    "black": (390, 170),  # 44 %, 0.84
    "pacific_islander": (119, 52),  # 44 %, 0.85 (not re-read)
    "asian": (616, 302),  # 49 %, 0.95 (not re-read)
    "native_american": (41, 18),  # 44 %, 0.85 (not re-read)
    "two_or_more": (213, 96),  # 45 %, 0.87 (not re-read)
}
DCWP_SELECTION_BY_RACE_PUBLISHED = {
    "hispanic_latino": ("50", "0.97"), "white": ("52", "1.00"), "black": ("44", "0.84"),
    "pacific_islander": ("44", "0.85"), "asian": ("49", "0.95"), "native_american": ("44", "0.85"),
    "two_or_more": ("45", "0.87"),
}


def test_dcwp_selection_rate_example_by_sex_reproduces_the_published_table():
    table = impact_table(DCWP_SELECTION_BY_SEX)
    got = {r.key: (str(published(r.rate, 0, percent=True)), str(published(r.impact_ratio, 2))) for r in table.rows}
    assert got == DCWP_SELECTION_BY_SEX_PUBLISHED
    # female 555/1181 = 0.46994 over male 667/1390 = 0.47986 = 0.9793: the denominator is the highest rate
    assert table.row("male").reference and table.row("female").impact_ratio == pytest.approx(0.97933, abs=1e-5)


def test_dcwp_selection_rate_example_by_race_reproduces_the_published_table():
    table = impact_table(DCWP_SELECTION_BY_RACE)
    got = {r.key: (str(published(r.rate, 0, percent=True)), str(published(r.impact_ratio, 2))) for r in table.rows}
    assert got == DCWP_SELECTION_BY_RACE_PUBLISHED
    assert [r.key for r in table.rows if r.reference] == ["white"] and not any(r.flagged for r in table.rows)
    # Hispanic or Latino: 204/408 = 0.5000 ; 0.5000 / (412/797 = 0.51694) = 0.9672 -> 0.97
    assert table.row("hispanic_latino").impact_ratio == pytest.approx(0.96723, abs=1e-5)


def test_dcwp_race_table_is_taken_as_published_not_summed_from_the_intersectional_table():
    # The published race table's Hispanic or Latino row (408 applicants, 204 selected: 50 %, 0.97) is not the sum of
    # the intersectional table's two Hispanic or Latino rows (205 + 190 = 395, 90 + 82 = 172: 43.5 %, 0.84). The rule
    # prints the three tables side by side and does not say they come from one data set; each table is computed on
    # its own rows, so the product reproduces each as printed. (The earlier test summed the intersectional rows and
    # so checked 43.5 % / 0.842 for a row the rule prints as 50 % / 0.97.)
    hispanic = [v for (sex, race), v in DCWP_INTERSECTIONAL.items() if race == "hispanic_latino"]
    assert tuple(map(sum, zip(*hispanic, strict=True))) == (395, 172) != DCWP_SELECTION_BY_RACE["hispanic_latino"]
    summed = impact_table({**DCWP_SELECTION_BY_RACE, "hispanic_latino": (395, 172)})
    assert str(published(summed.row("hispanic_latino").impact_ratio, 2)) == "0.84"  # not what the rule prints


def test_dcwp_selection_rate_example_two_percent_exclusion():
    # § 5-301(d): a category under 2 % of the data may be left out of the impact ratios; its number of applicants and
    # selection rate are still reported. In the race table 41 of 2584 (1.59 %) are Native American or Alaska Native.
    table = impact_table(DCWP_SELECTION_BY_RACE, exclude_small=True)
    assert table.total == 2584 and table.excluded == ["native_american"]
    excluded = table.row("native_american")
    assert (excluded.n, str(published(excluded.rate, 0, percent=True)), excluded.impact_ratio) == (41, "44", None)
    assert published(excluded.share, 2, percent=True) == Decimal("1.59")
    # the others' ratios are unchanged (White stays the reference)
    kept = {r.key: str(published(r.impact_ratio, 2)) for r in table.rows if not r.excluded}
    assert kept == {k: ratio for k, (_rate, ratio) in DCWP_SELECTION_BY_RACE_PUBLISHED.items() if k != "native_american"}


# The selection example's intersectional table (sex x race/ethnicity; the rule lists Hispanic or Latino by sex only),
# as (applicants, selected) with the published (selection rate %, impact ratio). Not re-read: the quoted chunks stop
# before it; these are the rule's numbers as remembered by the earlier test, which this keeps.
DCWP_INTERSECTIONAL = {
    ("male", "hispanic_latino"): (205, 90), ("male", "white"): (412, 215), ("male", "black"): (226, 95),
    ("male", "pacific_islander"): (87, 37), ("male", "asian"): (321, 167), ("male", "native_american"): (24, 11),
    ("male", "two_or_more"): (115, 52),
    ("female", "hispanic_latino"): (190, 82), ("female", "white"): (385, 197), ("female", "black"): (164, 75),
    ("female", "pacific_islander"): (32, 15), ("female", "asian"): (295, 135), ("female", "native_american"): (17, 7),
    ("female", "two_or_more"): (98, 44),
}
DCWP_INTERSECTIONAL_PUBLISHED = {
    ("male", "hispanic_latino"): ("43.9", "0.841"), ("male", "white"): ("52.2", "1.000"),
    ("male", "black"): ("42.0", "0.806"), ("male", "pacific_islander"): ("42.5", "0.815"),
    ("male", "asian"): ("52.0", "0.997"), ("male", "native_american"): ("45.8", "0.878"),
    ("male", "two_or_more"): ("45.2", "0.866"),
    ("female", "hispanic_latino"): ("43.2", "0.827"), ("female", "white"): ("51.2", "0.981"),
    ("female", "black"): ("45.7", "0.876"), ("female", "pacific_islander"): ("46.9", "0.898"),
    ("female", "asian"): ("45.8", "0.877"), ("female", "native_american"): ("41.2", "0.789"),
    ("female", "two_or_more"): ("44.9", "0.860"),
}


def test_dcwp_selection_rate_example_intersectional():
    table = impact_table({f"{s}|{r}": v for (s, r), v in DCWP_INTERSECTIONAL.items()})
    assert table.total == 2571  # = 1390 + 1181, the sex table's applicants
    got = {tuple(r.key.split("|")): (str(published(r.rate, 1, percent=True)), str(published(r.impact_ratio, 3)))
           for r in table.rows}
    assert got == DCWP_INTERSECTIONAL_PUBLISHED
    assert [r.key for r in table.rows if r.flagged] == ["female|native_american"]  # 0.789 < 4/5
    assert table.row("male|white").reference
    # 17 women who are Native American or Alaska Native: a small sample; Fisher's test against White men says the
    # difference could well be chance (p > 0.05)
    small = table.row("female|native_american")
    assert small.small_sample and small.fisher_p > 0.05


# Scoring-rate example (an AEDT that scores applicants for "culture fit"): scoring rate = share of the category scored
# above the median score of the full sample. The rule publishes applicants and rates only; the number above the
# median is the one integer that gives the published rate (50/92 = 54.35 %, 34/76 = 44.74 %, 18/28 = 64.29 %, ...).
DCWP_SCORING_BY_SEX = {"male": (92, 50), "female": (76, 34)}
DCWP_SCORING_BY_SEX_PUBLISHED = {"male": ("54.3", "1.00"), "female": ("44.7", "0.82")}
# The race rows the quoted chunk shows (Native American or Alaska Native and Two or More Races were cut off; Hispanic
# or Latino, the highest rate, is the reference either way: its published ratio is 1.00).
DCWP_SCORING_BY_RACE = {"hispanic_latino": (28, 18), "white": (40, 15), "black": (32, 16), "pacific_islander": (8, 5),
                        "asian": (24, 10)}
DCWP_SCORING_BY_RACE_PUBLISHED = {"hispanic_latino": ("64.2", "1.00"), "white": ("37.5", "0.58"),
                                  "black": ("50.0", "0.78"), "pacific_islander": ("62.5", "0.97"),
                                  "asian": ("41.7", "0.65")}


def test_dcwp_scoring_rate_example_by_sex_reproduces_the_published_table():
    table = impact_table(DCWP_SCORING_BY_SEX)
    got = {r.key: (str(published(r.rate, 1, percent=True)), str(published(r.impact_ratio, 2))) for r in table.rows}
    assert got == DCWP_SCORING_BY_SEX_PUBLISHED
    # 0.44737 / 0.54348 = 0.8232 (the earlier test had 65.2 % / 59.2 % / 0.908, none of them the rule's)
    assert table.row("female").impact_ratio == pytest.approx(0.82316, abs=1e-5) and not table.row("female").flagged


def test_dcwp_scoring_rate_example_by_sex_from_scores_above_the_full_sample_median():
    # 168 distinct scores: 84 high (50 men, 34 women) and 84 low (42 men, 42 women). The full sample's median falls
    # between the two halves, so exactly the published numbers score above it.
    scored = ([("male", 0.9 + i / 1000) for i in range(50)] + [("female", 0.8 + i / 1000) for i in range(34)]
              + [("male", 0.2 + i / 1000) for i in range(42)] + [("female", 0.1 + i / 1000) for i in range(42)])
    mid, counts = scoring_counts(scored, order=["male", "female"])
    assert 0.241 < mid < 0.8 and counts == DCWP_SCORING_BY_SEX
    table = impact_table(counts)
    assert {r.key: (str(published(r.rate, 1, percent=True)), str(published(r.impact_ratio, 2)))
            for r in table.rows} == DCWP_SCORING_BY_SEX_PUBLISHED


def test_dcwp_scoring_rate_example_by_race_reproduces_the_published_ratios():
    table = impact_table(DCWP_SCORING_BY_RACE)
    got = {r.key: (str(published(r.rate, 1, percent=True)), str(published(r.impact_ratio, 2))) for r in table.rows}
    # Every published ratio is reproduced. One published rate is not: Hispanic or Latino 18/28 = 64.2857 %, which
    # rounds to 64.3 %; the rule prints 64.2 % (cut, not rounded; no count of 28 gives 64.2 %). The rule rounds its
    # other rates (Asian 10/24 = 41.667 % is printed 41.7 %), so the product keeps rounding.
    assert got == DCWP_SCORING_BY_RACE_PUBLISHED | {"hispanic_latino": ("64.3", "1.00")}
    assert Decimal(18 * 1000 // 28) / 10 == Decimal(DCWP_SCORING_BY_RACE_PUBLISHED["hispanic_latino"][0])
    assert [r.key for r in table.rows if r.flagged] == ["white", "black", "asian"]  # 0.58, 0.78, 0.65 < 4/5


def test_scoring_rate_from_raw_scores_by_hand():
    # ten scores; sorted: 0.2 0.3 0.4 0.5 0.6 | 0.6 0.7 0.8 0.9 0.9 -> median (0.6 + 0.6) / 2 = 0.6
    # above 0.6 (strictly): A has 0.7, 0.9, 0.9 of its 5 -> 3/5 = 0.6 ; B has 0.8 of its 5 -> 1/5 = 0.2
    # impact ratio B = 0.2 / 0.6 = 0.333 -> flagged
    scored = [("A", 0.7), ("A", 0.9), ("A", 0.6), ("A", 0.2), ("A", 0.9),
              ("B", 0.3), ("B", 0.8), ("B", 0.4), ("B", 0.5), ("B", 0.6)]
    mid, counts = scoring_counts(scored, order=["A", "B", "C"])
    assert mid == 0.6
    assert counts == {"A": (5, 3), "B": (5, 1), "C": (0, 0)}
    table = impact_table(counts)
    assert r3(table.row("B").impact_ratio) == 0.333 and table.row("B").flagged


def test_median_of_nothing():
    assert median([]) is None and scoring_counts([]) == (None, {})


# --- Fisher's exact test -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("table", "p"), [
    ([[3, 1], [1, 3]], 34 / 70),  # Fisher's lady tasting tea: (16 + 1 + 16 + 1) / C(8, 4) = 34/70 = 0.4857
    ([[8, 2], [1, 5]], 5 / 143),  # 0.034965 (SciPy's documentation example)
    ([[6, 2], [1, 4]], 4 / 39),  # 0.102564
    ([[0, 10], [10, 0]], 2 / 184756),  # only the two extreme tables: 2 / C(20, 10)
    ([[7, 17], [15, 5]], 0.005768386750469949),
    ([[5, 5], [5, 5]], 1.0),
])
def test_fisher_exact_known_values(table, p):
    (a, b), (c, d) = table
    assert fisher_exact(a, b, c, d) == pytest.approx(p, rel=1e-9)
    assert fisher_exact(d, c, b, a) == pytest.approx(p, rel=1e-9)  # symmetric


def test_fisher_exact_of_an_empty_table():
    assert fisher_exact(0, 0, 0, 0) == 1.0
    with pytest.raises(ValueError):
        fisher_exact(-1, 0, 0, 0)
