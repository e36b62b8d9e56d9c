"""The bias-audit arithmetic against hand-computed figures, the worked examples of NYC DCWP rules §5-301 and known
values of Fisher's exact test. Plain pytest, no database."""

from __future__ import annotations

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


# --- NYC DCWP rules §5-301, selection-rate example --------------------------------------------------------------
# The rule's example audits an AEDT that selects candidates to move forward. Its intersectional table (sex ×
# race/ethnicity), reconstructed from the rule text, as (applicants, selected); the sex and race/ethnicity tables
# below are the sums of these rows, each rate and ratio worked out by hand in the comments.
DCWP_INTERSECTIONAL = {
    ("male", "hispanic_latino"): (205, 90),    # 90/205 = 43.9 %  ; 0.4390/0.5218 = 0.841
    ("male", "white"): (412, 215),             # 215/412 = 52.2 % ; the highest rate -> 1.000
    ("male", "black"): (226, 95),              # 95/226 = 42.0 %  ; 0.806
    ("male", "pacific_islander"): (87, 37),    # 37/87 = 42.5 %   ; 0.815
    ("male", "asian"): (321, 167),             # 167/321 = 52.0 % ; 0.997
    ("male", "native_american"): (24, 11),     # 11/24 = 45.8 %   ; 0.878
    ("male", "two_or_more"): (115, 52),        # 52/115 = 45.2 %  ; 0.866
    ("female", "hispanic_latino"): (190, 82),  # 82/190 = 43.2 %  ; 0.827
    ("female", "white"): (385, 197),           # 197/385 = 51.2 % ; 0.981
    ("female", "black"): (164, 75),            # 75/164 = 45.7 %  ; 0.876
    ("female", "pacific_islander"): (32, 15),  # 15/32 = 46.9 %   ; 0.898
    ("female", "asian"): (295, 135),           # 135/295 = 45.8 % ; 0.877
    ("female", "native_american"): (17, 7),    # 7/17 = 41.2 %    ; 0.789 -> under 4/5, flagged
    ("female", "two_or_more"): (98, 44),       # 44/98 = 44.9 %   ; 0.860
}
DCWP_INTERSECTIONAL_EXPECTED = {
    ("male", "hispanic_latino"): (0.439, 0.841), ("male", "white"): (0.522, 1.0), ("male", "black"): (0.42, 0.806),
    ("male", "pacific_islander"): (0.425, 0.815), ("male", "asian"): (0.52, 0.997),
    ("male", "native_american"): (0.458, 0.878), ("male", "two_or_more"): (0.452, 0.866),
    ("female", "hispanic_latino"): (0.432, 0.827), ("female", "white"): (0.512, 0.981),
    ("female", "black"): (0.457, 0.876), ("female", "pacific_islander"): (0.469, 0.898),
    ("female", "asian"): (0.458, 0.877), ("female", "native_american"): (0.412, 0.789),
    ("female", "two_or_more"): (0.449, 0.86),
}


def test_dcwp_selection_rate_example_intersectional():
    table = impact_table({f"{s}|{r}": v for (s, r), v in DCWP_INTERSECTIONAL.items()})
    assert table.total == 2571
    for (sex, race), (want_rate, want_ratio) in DCWP_INTERSECTIONAL_EXPECTED.items():
        row = table.row(f"{sex}|{race}")
        assert (r3(row.rate), r3(row.impact_ratio)) == (want_rate, want_ratio), (sex, race)
    assert [r.key for r in table.rows if r.flagged] == ["female|native_american"]
    assert table.row("male|white").reference
    # 17 women who are American Indian or Alaska Native: a small sample; Fisher's test against White men says the
    # difference could well be chance (p > 0.05)
    small = table.row("female|native_american")
    assert small.small_sample and small.fisher_p > 0.05


def test_dcwp_selection_rate_example_by_sex_and_by_race():
    by_sex, by_race = {}, {}
    for (sex, race), (n, s) in DCWP_INTERSECTIONAL.items():
        by_sex[sex] = tuple(a + b for a, b in zip(by_sex.get(sex, (0, 0)), (n, s), strict=True))
        by_race[race] = tuple(a + b for a, b in zip(by_race.get(race, (0, 0)), (n, s), strict=True))
    # Male 1390 applicants, 667 selected: 48.0 % ; Female 1181, 555: 47.0 % ; 0.46994/0.47986 = 0.979
    sex = impact_table(by_sex)
    assert by_sex == {"male": (1390, 667), "female": (1181, 555)}
    assert (r3(sex.row("male").rate), sex.row("male").impact_ratio) == (0.48, 1.0)
    assert (r3(sex.row("female").rate), r3(sex.row("female").impact_ratio)) == (0.47, 0.979)
    # White 797/412 = 51.7 % (highest) ; Asian 616/302 = 49.0 % -> 0.948 ; Two or More 213/96 = 45.1 % -> 0.872 ;
    # Native American 41/18 = 43.9 % -> 0.849 ; NHPI 119/52 = 43.7 % -> 0.845 ; Black 390/170 = 43.6 % -> 0.843 ;
    # Hispanic or Latino 395/172 = 43.5 % -> 0.842
    race = impact_table(by_race)
    want = {"white": (0.517, 1.0), "asian": (0.49, 0.948), "two_or_more": (0.451, 0.872),
            "native_american": (0.439, 0.849), "pacific_islander": (0.437, 0.845), "black": (0.436, 0.843),
            "hispanic_latino": (0.435, 0.842)}
    assert {k: (r3(race.row(k).rate), r3(race.row(k).impact_ratio)) for k in want} == want
    assert not any(r.flagged for r in race.rows)
    # 2 % of 2571 is 51.4: American Indian or Alaska Native (41 people, 1.6 %) may be excluded; the ratios of the
    # others do not change (White stays the reference)
    excluded = impact_table(by_race, exclude_small=True)
    assert excluded.excluded == ["native_american"]
    assert r3(excluded.row("asian").impact_ratio) == 0.948 and excluded.row("native_american").impact_ratio is None


# --- NYC DCWP rules §5-301, scoring-rate example ----------------------------------------------------------------
# The rule's second example audits an AEDT that scores applicants; the scoring rate is the share scored above the
# sample's median. By sex: Male 92 applicants, 60 above the median -> 65.2 % (1.00); Female 76, 45 -> 59.2 % ;
# 0.5921/0.6522 = 0.908.

def test_dcwp_scoring_rate_example_by_sex():
    table = impact_table({"male": (92, 60), "female": (76, 45)})
    assert (r3(table.row("male").rate), table.row("male").impact_ratio) == (0.652, 1.0)
    assert (r3(table.row("female").rate), r3(table.row("female").impact_ratio)) == (0.592, 0.908)


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
