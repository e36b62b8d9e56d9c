"""The test helper that finds a row named by its number: no false alarm on colours or entities."""

from hirelens.core.testing import shows_id_reference


def test_a_number_is_found_but_not_inside_a_colour_or_an_entity():
    assert shows_id_reference("<li>候选人 #4</li>", 4)
    assert shows_id_reference("(#12)", 12)
    assert not shows_id_reference("border:1px solid #475569;", 4)
    assert not shows_id_reference("it&#39;s", 39)
    assert not shows_id_reference("#40 and #400", 4)
    assert not shows_id_reference("id#4", 4)
