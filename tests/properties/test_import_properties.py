"""Import normalisation (hirelens.imports.validation through hirelens.candidates.validation), for any text: cleaning
never raises anything but the documented ValidationError, and cleaning what was already cleaned changes nothing."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from hirelens.candidates.validation import check_date, check_email, check_id_number, check_phone, clean_text
from hirelens.core.crypto import blind_index

# arbitrary text, with the characters that people paste from spreadsheets and chat apps made likely
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("0123456789+-()., \u3000\t\n０１２３４５６７８９＋－（）@＠.xX年月日/")),
    ),
    max_size=40,
)
PHONES = st.builds(
    lambda prefix, number, seps: prefix + "".join(d + s for d, s in zip(number, seps, strict=False)),
    st.sampled_from(["", "+86", "0086", "+86 ", "＋８６", "+44", "+1"]),
    st.from_regex(r"1[3-9][0-9]{9}|[0-9]{7,12}|1[3-9]\d{9}", fullmatch=True),  # \d: any script's digits
    st.lists(st.sampled_from(["", "", " ", "-", "(", ")", ".", "\u3000"]), min_size=13, max_size=13),
)
EMAILS = st.builds(
    lambda local, domain, pad: pad + local + "@" + domain + pad,
    st.from_regex(r"[A-Za-z0-9._+-]{1,12}", fullmatch=True),
    st.sampled_from(["example.com", "EXAMPLE.cn", "ｅｘａｍｐｌｅ.com", "mail.qq.com"]),
    st.sampled_from(["", " ", "\u3000"]),
)


def _cleaned(check, value):
    try:
        return check(value)
    except ValidationError as exc:
        assert exc.code  # the import report writes its words from the code
        return None


@settings(max_examples=100)
@given(value=ANY_TEXT)
def test_clean_text_is_idempotent_and_never_raises(value):
    once = clean_text(value)
    assert clean_text(once) == once
    assert once == once.strip() and "  " not in once and "\u3000" not in once


@settings(max_examples=100)
@given(value=st.one_of(ANY_TEXT, PHONES))
def test_phone_check_accepts_what_it_returned(value):
    phone = _cleaned(check_phone, value)
    # normalize_phone itself is not idempotent on text that is no phone number ("U(\u0308": the bracket goes after
    # NFKC, which would then compose "Ü"), and check_phone refuses such text: the check is what must be stable
    if phone:
        assert re.fullmatch(r"1[3-9][0-9]{9}|\+[0-9]{7,15}", phone)  # ASCII digits only: SMS and WeChat expect them
        assert check_phone(phone) == phone
        assert blind_index(phone, kind="phone") == blind_index(value, kind="phone")  # a duplicate is found either way


@settings(max_examples=100)
@given(value=st.one_of(ANY_TEXT, EMAILS))
def test_email_check_accepts_what_it_returned(value):
    email = _cleaned(check_email, value)
    if email:
        assert check_email(email) == email
        assert email == email.lower() and " " not in email


@settings(max_examples=100)
@given(value=st.one_of(ANY_TEXT, st.text(alphabet="0123456789X ", min_size=17, max_size=19)))
def test_id_number_check_accepts_what_it_returned(value):
    number = _cleaned(check_id_number, value)
    if number:
        assert len(number) == 18 and check_id_number(number) == number


@settings(max_examples=100)
@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    fmt=st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%d/%m/%Y", " %Y-%m-%d "]),
)
def test_a_date_in_every_accepted_format_reads_back_as_itself(day, fmt):
    assert check_date(day.strftime(fmt)) == day
    assert check_date(day.isoformat()) == day  # what the import stores is read back the same


@settings(max_examples=100)
@given(value=ANY_TEXT)
def test_a_date_check_never_raises_anything_else(value):
    day = _cleaned(check_date, value)
    if day is not None:
        assert check_date(day.isoformat()) == day


def test_the_documented_examples():
    assert check_phone("+86 138-0013-8000") == "13800138000"
    assert check_phone("＋８６ １３８ ００１３ ８０００") == "13800138000"
    with pytest.raises(ValidationError):
        check_phone("12345")
