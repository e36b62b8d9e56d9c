"""Syllables of a transcript: Han characters, CMUdict and its fallback rule, digits as each language says them."""

from __future__ import annotations

import pytest

from analysis.syllables import chinese_number, count_syllables, english_word_syllables, rule_syllables


def test_one_syllable_per_han_character_not_punctuation():
    assert count_syllables("对，这就是我，万人敬仰的太乙真人。", "zh") == 14
    assert count_syllables("“你好！”——（再见）……", "zh") == 4


def test_rhotacised_er_is_not_a_syllable_of_its_own():
    assert count_syllables("等一会儿，去哪儿", "zh") == 3 + 2  # děng yíhuìr, qù nǎr
    assert count_syllables("我的女儿和儿子", "zh") == 7  # 女儿, 儿子: a full syllable


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("nature", 2), ("considerably", 5), ("America", 4), ("cheese", 1), ("you've", 1), ("didn't", 2), ("colored", 2)],
)
def test_english_words_from_the_dictionary(word, syllables):
    assert english_word_syllables(word) == syllables


@pytest.mark.parametrize(
    ("word", "syllables"),
    # words CMUdict does not have: vowel groups, silent e, -le, -ed, -es, a split ia
    [("blorple", 2), ("flomake", 2), ("snarped", 1), ("glanted", 2), ("zorbes", 1), ("plaxes", 2), ("erelia", 4),
     ("respawned", 2)],
)
def test_fallback_rule_for_words_not_in_the_dictionary(word, syllables):
    assert english_word_syllables(word) == syllables


def test_fallback_rule_agrees_with_the_dictionary_on_common_words():
    words = {"table": 2, "make": 1, "jumped": 1, "wanted": 2, "boxes": 2, "makes": 1, "whale": 1, "radio": 3, "yellow": 2}
    assert {w: rule_syllables(w) for w in words} == words


def test_acronyms_are_spelt_out():
    assert [english_word_syllables(w) for w in ("API", "SQL", "AWS", "OK")] == [3, 3, 5, 2]


def test_latin_words_inside_a_chinese_answer_use_the_english_rule():
    # 我用(2) Python(2) 写(1) API(3)，做(1) machine learning(2+2)
    assert count_syllables("我用Python写API，做machine learning", "zh") == 13


def test_digits_are_read_as_the_answers_language_reads_them():
    assert [chinese_number(n) for n in (10, 15, 25, 110, 1005, 10500, 22500)] == [
        "十", "十五", "二十五", "一百一十", "一千零五", "一万零五百", "二万二千五百"]
    assert count_syllables("2019年入职，占比50%，用了3.5年", "zh") == 5 + 2 + 2 + 5 + 2 + 4  # 三点五年
    # twen-ty-five; nine-teen fif-ty-four (a year); four point five bil-lion; twen-ty-two thou-sand five hun-dred;
    # fif-ty per-cent
    assert count_syllables("25", "en") == 3
    assert count_syllables("In 1954", "en") == 1 + 5
    assert count_syllables("4.5 billion", "en") == 3 + 2
    assert count_syllables("22,500 times", "en") == 8 + 1
    assert count_syllables("50%", "en") == 4


def test_a_whole_english_sentence():
    text = "The difference in the rainbow depends considerably upon the size of the drops."
    assert count_syllables(text, "en") == 1 + 3 + 1 + 1 + 2 + 2 + 5 + 2 + 1 + 1 + 1 + 1 + 1
