"""Callback signatures and AES message crypto, checked against published vectors."""

import base64

import pytest

from hirelens.messaging.wxcrypto import CallbackError, WeChatCrypto, check_signature, parse_xml, sha1_signature


def test_official_url_signature_vector():
    # developers.weixin.qq.com message-push docs: token AAAAA, timestamp 1714036504, nonce 1514711492
    assert sha1_signature("AAAAA", "1714036504", "1514711492") == "f464b24fc39322e44b38aa78f5edd27bd1441696"
    check_signature("AAAAA", "f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036504", "1514711492")
    with pytest.raises(CallbackError):
        check_signature("AAAAB", "f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036504", "1514711492")


WECOM_TOKEN = "123456"
WECOM_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
WECOM_CORP = "wx49f0ab532d5d035a"
WECOM_ECHO = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="


def test_wecom_url_verification_vector():
    # The WeCom sample used by wechatpy and other SDKs: signature over the encrypted echostr.
    crypto = WeChatCrypto(WECOM_TOKEN, WECOM_KEY, WECOM_CORP)
    echo = crypto.decrypt_echo(WECOM_ECHO, msg_signature="dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", timestamp="1411443780",
                               nonce="437374425")
    assert echo.isdigit() and len(echo) > 5  # the plaintext echo WeCom expects back


def test_prp_encrypt_vector_with_fixed_random_prefix():
    # SDK vector: message "test", receive id "rust", random prefix "1234567890123456".
    crypto = WeChatCrypto("t", WECOM_KEY, "rust")
    assert crypto.encrypt("test", random_prefix=b"1234567890123456") == "9s4gMv99m88kKTh/H8IdkNiFGeG9pd7vNWl50fGRWXY="
    assert crypto.decrypt("9s4gMv99m88kKTh/H8IdkNiFGeG9pd7vNWl50fGRWXY=") == "test"


def test_round_trip_message_with_chinese_and_32_byte_padding():
    crypto = WeChatCrypto("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx5f1e0c1d2a3b4c5d")
    for text in ("", "链接打不开", "x" * 12, "y" * 44):
        encrypted = crypto.encrypt(text)
        assert len(base64.b64decode(encrypted)) % 32 == 0
        assert crypto.decrypt(encrypted) == text
    reply = crypto.encrypt_message("<xml><Content>好</Content></xml>", nonce="n1", timestamp="1700000000")
    parsed = parse_xml(reply)
    check_signature("tok", parsed["MsgSignature"], parsed["TimeStamp"], parsed["Nonce"], parsed["Encrypt"])
    assert crypto.decrypt(parsed["Encrypt"]) == "<xml><Content>好</Content></xml>"


def test_wrong_key_wrong_appid_and_tampering_are_refused():
    good = WeChatCrypto("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxA")
    encrypted = good.encrypt("hello")
    with pytest.raises(CallbackError):
        WeChatCrypto("tok", "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg", "wxA").decrypt(encrypted)
    with pytest.raises(CallbackError, match="another AppID"):
        WeChatCrypto("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxB").decrypt(encrypted)
    raw = bytearray(base64.b64decode(encrypted))
    raw[-1] ^= 0x55
    with pytest.raises(CallbackError):
        good.decrypt(base64.b64encode(bytes(raw)).decode())
    with pytest.raises(CallbackError):
        good.decrypt("not base64!!")
    with pytest.raises(CallbackError):
        WeChatCrypto("tok", "short", "wxA")


@pytest.mark.parametrize("body", [b"<xml><a>1</a>", b"<html></html>", b"", b"<!DOCTYPE x [<!ENTITY a 'b'>]><xml>&a;</xml>"])
def test_malformed_or_hostile_xml_is_refused(body):
    with pytest.raises(CallbackError):
        parse_xml(body)
