"""WeChat / WeCom callback signatures and safe-mode message crypto (消息加解密), per the contract §7.

key = b64decode(EncodingAESKey + "="), AES-256-CBC with IV = key[:16]; plaintext =
16 random bytes ‖ uint32 BE length ‖ message ‖ receive id, PKCS#7-padded to a multiple of 32.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time
from xml.etree import ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CallbackError(Exception):
    """A callback that must be refused (bad signature, wrong key, replay)."""


class MalformedCallback(CallbackError):
    """The body is not the XML WeChat sends."""


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode("utf-8")).hexdigest()


def check_signature(token: str, signature: str, timestamp: str, nonce: str, *extra: str) -> None:
    expected = sha1_signature(token, timestamp, nonce, *extra)
    if not signature or not hmac.compare_digest(expected, signature.lower()):
        raise CallbackError("signature mismatch")


def _pad(data: bytes) -> bytes:
    amount = BLOCK - len(data) % BLOCK
    return data + bytes([amount]) * amount


def _unpad(data: bytes) -> bytes:
    if not data:
        raise CallbackError("empty plaintext")
    amount = data[-1]
    if amount < 1 or amount > BLOCK or data[-amount:] != bytes([amount]) * amount:
        raise CallbackError("bad padding (wrong EncodingAESKey?)")
    return data[:-amount]


class WeChatCrypto:
    def __init__(self, token: str, encoding_aes_key: str, receive_id: str):
        if not encoding_aes_key or len(encoding_aes_key) != 43:
            raise CallbackError("the EncodingAESKey must be 43 characters")
        try:
            self.key = base64.b64decode(encoding_aes_key + "=")
        except (binascii.Error, ValueError):
            raise CallbackError("the EncodingAESKey is not base64") from None
        if len(self.key) != 32:
            raise CallbackError("the EncodingAESKey must decode to 32 bytes")
        self.token = token
        self.receive_id = receive_id

    def _cipher(self):
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: str, *, random_prefix: bytes | None = None) -> str:
        prefix = random_prefix if random_prefix is not None else os.urandom(16)
        body = message.encode("utf-8")
        plain = _pad(prefix + struct.pack(">I", len(body)) + body + self.receive_id.encode("utf-8"))
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CallbackError("ciphertext is not base64") from None
        if not raw or len(raw) % 16:
            raise CallbackError("ciphertext length is not a multiple of the block size")
        decryptor = self._cipher().decryptor()
        plain = _unpad(decryptor.update(raw) + decryptor.finalize())
        if len(plain) < 20:
            raise CallbackError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        body, receive_id = plain[20:20 + length], plain[20 + length:]
        if len(body) != length:
            raise CallbackError("length field out of range (wrong EncodingAESKey?)")
        if receive_id.decode("utf-8", "replace") != self.receive_id:
            raise CallbackError("the message was encrypted for another AppID / CorpID")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise CallbackError("plaintext is not UTF-8") from None

    def decrypt_message(self, xml_body: bytes | str, *, msg_signature: str, timestamp: str, nonce: str) -> str:
        encrypted = parse_xml(xml_body).get("Encrypt", "")
        if not encrypted:
            raise CallbackError("no <Encrypt> element")
        check_signature(self.token, msg_signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def decrypt_echo(self, echostr: str, *, msg_signature: str, timestamp: str, nonce: str) -> str:
        check_signature(self.token, msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def encrypt_message(self, reply_xml: str, *, nonce: str, timestamp: str | None = None) -> str:
        timestamp = timestamp or str(int(time.time()))
        encrypted = self.encrypt(reply_xml)
        signature = sha1_signature(self.token, timestamp, nonce, encrypted)
        return (f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt><MsgSignature><![CDATA[{signature}]]></MsgSignature>"
                f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>")


MAX_XML_BYTES = 64 * 1024


def parse_xml(body: bytes | str) -> dict:
    """The flat <xml> of a WeChat push as a dict. Entities and DTDs are refused (no XXE, no billion laughs)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if len(body) > MAX_XML_BYTES:
        raise MalformedCallback("body too large")
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise MalformedCallback("DTDs and entities are not accepted")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise MalformedCallback(f"malformed XML: {exc}") from None
    if root.tag != "xml":
        raise MalformedCallback("root element must be <xml>")
    result: dict = {}
    for child in root:
        result[child.tag] = (child.text or "").strip()
    # Subscribe-message events carry <List> items (one per template) nested one or two levels down.
    items = [{sub.tag: (sub.text or "").strip() for sub in item} for item in root.iter("List")]
    if items:
        result["List"] = items
    return result


def cdata(value: str) -> str:
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(*, to_user: str, from_user: str, content: str) -> str:
    return (f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(content)}</Content></xml>")
