"""Encryption at rest, for any input: values and files read back equal; a stored file seeks like the plaintext."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hirelens.core import crypto
from hirelens.core.storage import TAG_BYTES, DecryptingReader, EncryptingReader, plaintext_size

CHUNK_SIZES = st.integers(min_value=1, max_value=300)
PLAINTEXTS = st.binary(max_size=2000)


HEADER_BYTES = 4 + 1 + 1 + len("dev1") + 7 + 4  # the test settings' key id is "dev1"


def chunk_count(plain: bytes, chunk_size: int) -> int:
    """One tag per chunk; an empty file is one empty chunk."""
    return max(1, -(-len(plain) // chunk_size))


def seal(plain: bytes, chunk_size: int, *, read_size: int = 4096) -> bytes:
    """The stored object, read from the encrypting stream in blocks of ``read_size`` (as a storage backend does)."""
    reader = EncryptingReader(io.BytesIO(plain), chunk_size=chunk_size)
    return b"".join(iter(lambda: reader.read(read_size), b""))


@settings(max_examples=60)
@given(text=st.text(max_size=200), context=st.text(min_size=1, max_size=40))
def test_any_text_value_decrypts_to_itself_in_its_column_only(text, context):
    token = crypto.encrypt_str(text, context=context)
    assert token.startswith(f"{crypto.PREFIX}:{crypto.keyring().active_kid}:")
    assert crypto.decrypt_str(token, context=context) == text
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_str(token, context=context + "x")


@settings(max_examples=100)
@given(plain=PLAINTEXTS, chunk_size=CHUNK_SIZES, read_size=st.integers(min_value=1, max_value=700))
def test_any_plaintext_any_chunk_size_reads_back_equal(plain, chunk_size, read_size):
    sealed = seal(plain, chunk_size, read_size=read_size)
    header = len(sealed) - len(plain) - TAG_BYTES * chunk_count(plain, chunk_size)
    assert header == HEADER_BYTES  # b"HLEF", version, kid length, kid, nonce prefix (7), chunk size (4)
    assert plaintext_size(len(sealed), header, chunk_size) == len(plain)  # known from the object's length alone
    assert plain == b"" or plain not in sealed or len(plain) < 8
    reader = DecryptingReader(io.BytesIO(sealed))
    assert reader.plaintext_size() == len(plain)
    out = b"".join(iter(lambda: reader.read(read_size), b""))
    assert out == plain


@settings(max_examples=100)
@given(
    plain=PLAINTEXTS,
    chunk_size=CHUNK_SIZES,
    seeks=st.lists(
        st.tuples(
            st.sampled_from([io.SEEK_SET, io.SEEK_CUR, io.SEEK_END]),
            st.integers(-2500, 2500),
            st.integers(min_value=0, max_value=600),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_any_seek_and_read_matches_the_plaintext(plain, chunk_size, seeks):
    """Seeking (as HTTP range requests on a recording do) and reading gives what the same seek gives on the plaintext."""
    reader = DecryptingReader(io.BytesIO(seal(plain, chunk_size)))
    model = io.BytesIO(plain)
    for whence, offset, length in seeks:
        target = {io.SEEK_SET: 0, io.SEEK_CUR: model.tell(), io.SEEK_END: len(plain)}[whence] + offset
        if target < 0:
            continue  # a negative position is refused by BytesIO; not a request a range header can make
        # past the end the reader stops at the end (a plain file would report the position asked for)
        assert reader.seek(offset, whence) == model.seek(min(target, len(plain))) == min(target, len(plain))
        assert reader.read(length) == model.read(length)
        assert reader.tell() == model.tell()


@settings(max_examples=60)
@given(plain=st.binary(min_size=1, max_size=600), chunk_size=CHUNK_SIZES, data=st.data())
def test_any_changed_or_cut_byte_is_refused(plain, chunk_size, data):
    """Any byte of the header or of a chunk changed, or the object cut anywhere: DecryptionError, never other data."""
    sealed = bytearray(seal(plain, chunk_size))
    if data.draw(st.booleans(), label="cut"):
        damaged = bytes(sealed[: data.draw(st.integers(0, len(sealed) - 1), label="keep")])
    else:
        at = data.draw(st.integers(0, len(sealed) - 1), label="at")
        sealed[at] ^= data.draw(st.integers(1, 255), label="bits")
        damaged = bytes(sealed)
    with pytest.raises(crypto.DecryptionError):
        reader = DecryptingReader(io.BytesIO(damaged))
        b"".join(iter(lambda: reader.read(1024), b""))
