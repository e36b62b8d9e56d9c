"""A local HTTP server that speaks the WeChat Official Account and WeCom API contract
(/work/shared/wechat-contract.md): real sockets, real JSON, the documented error codes.

State the tests can steer: followers, subscribe consents, 48-hour windows, WeCom members, injected
error codes per path, daily quotas, expired or revoked tokens, a delay that makes clients time out.
Everything received is kept in ``requests``; delivered messages in ``sent``.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TOKEN_PATHS = {"/cgi-bin/token", "/cgi-bin/stable_token", "/cgi-bin/gettoken"}


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that timed out and closed the socket is part of the tests


def _err(code: int, text: str) -> dict:
    return {"errcode": code, "errmsg": f"{text} rid: {secrets.token_hex(6)}"}


class FakeWeChat:
    def __init__(self, *, app_id="wx5f1e0c1d2a3b4c5d", secret="oa-secret-0001", corp_id="ww1a2b3c4d5e6f7a8b",
                 corp_secret="corp-secret-0001", agent_id=1000002, token_ttl=7200):
        self.app_id, self.secret = app_id, secret
        self.corp_id, self.corp_secret, self.agent_id = corp_id, corp_secret, agent_id
        self.token_ttl = token_ttl
        self.lock = threading.Lock()
        self.tokens: dict[str, dict] = {}  # token -> {"kind", "expires", "revoked"}
        self.current: dict[str, str] = {}  # kind -> the stable token
        self.token_calls = Counter()
        self.requests: list[dict] = []
        self.sent: list[dict] = []
        self.followers: set[str] = set()
        self.templates: set[str] = set()
        self.consents = Counter()  # (openid, template_id) -> remaining one-time consents
        self.interactions: dict[str, float] = {}  # openid -> time of the user's last message
        self.custom_counts = Counter()
        self.wecom_users: set[str] = set()
        self.failures: dict[str, list[int]] = defaultdict(list)
        self.quota: dict[str, int] = {}
        self.client_msg_ids: dict[tuple[str, str], int] = {}
        self.delay = 0.0
        self.oauth_codes: dict[str, str] = {}
        self.used_codes: set[str] = set()
        self.next_msgid = 200228332
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeWeChat:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- steering -----------------------------------------------------------------------------
    def fail(self, path: str, *codes: int) -> None:
        """The next calls to ``path`` answer these error codes, in order."""
        with self.lock:
            self.failures[path].extend(codes)

    def expire_tokens(self) -> None:
        with self.lock:
            for info in self.tokens.values():
                info["expires"] = time.time() - 1

    def revoke_tokens(self) -> None:
        """Another token owner force-refreshed: every token issued so far is "not latest" (40001)."""
        with self.lock:
            for info in self.tokens.values():
                info["revoked"] = True
            self.current.clear()

    def user_message(self, openid: str) -> None:
        """The user wrote to the account: a 48-hour customer-service window with 5 messages opens."""
        with self.lock:
            self.interactions[openid] = time.time()
            self.custom_counts[openid] = 0

    def sent_to(self, api: str) -> list[dict]:
        return [s["payload"] for s in self.sent if s["api"] == api]

    # --- the API --------------------------------------------------------------------------------
    def _issue(self, kind: str) -> tuple[str, int]:
        token = f"{kind.upper()}_{secrets.token_urlsafe(48)}"
        self.tokens[token] = {"kind": kind, "expires": time.time() + self.token_ttl, "revoked": False}
        self.current[kind] = token
        return token, self.token_ttl

    def _valid(self, token: str | None, kind: str):
        if not token:
            return _err(41001, "access_token missing")
        info = self.tokens.get(token)
        if info is None or info["kind"] != kind:
            return _err(40014, "invalid access_token")
        if info["revoked"]:
            return _err(40001, "invalid credential, access_token is invalid or not latest")
        if info["expires"] < time.time():
            return _err(42001, "access_token expired")
        return None

    def handle(self, method: str, path: str, query: dict, body: dict) -> dict:
        with self.lock:
            self.requests.append({"method": method, "path": path, "query": query, "body": body})
            injected = self.failures.get(path)
            if injected:
                code = injected.pop(0)
                return _err(code, {-1: "system error", 45009: "reach max api daily quota limit",
                                   45011: "api minute-quota reach limit mustslower retry next minute"}.get(code, "injected"))
            if path == "/cgi-bin/token":
                return self._token(query)
            if path == "/cgi-bin/stable_token":
                return self._stable_token(body)
            if path == "/cgi-bin/gettoken":
                return self._wecom_token(query)
            if path == "/sns/oauth2/access_token":
                return self._oauth(query)
            kind = "wecom" if path == "/cgi-bin/message/send" else "oa"
            problem = self._valid(query.get("access_token"), kind)
            if problem:
                return problem
            if path in self.quota:
                if self.quota[path] <= 0:
                    return _err(45009, "reach max api daily quota limit")
                self.quota[path] -= 1
            handler = {
                "/cgi-bin/message/template/send": self._template,
                "/cgi-bin/message/subscribe/bizsend": self._subscribe,
                "/cgi-bin/message/custom/send": self._custom,
                "/cgi-bin/message/send": self._wecom_send,
                "/cgi-bin/qrcode/create": self._qrcode,
            }.get(path)
            if handler is None:
                return _err(40066, "invalid url")
            return handler(body)

    def oauth_code(self, openid: str) -> str:
        """What WeChat appends to the redirect after the user opened the authorize URL (single use, 5 min)."""
        code = secrets.token_hex(16)
        with self.lock:
            self.oauth_codes[code] = openid
        return code

    def _oauth(self, query):
        if query.get("appid") != self.app_id or query.get("secret") != self.secret:
            return _err(40125, "invalid appsecret")
        code = query.get("code", "")
        if code in self.used_codes:
            return _err(40163, "code been used")
        openid = self.oauth_codes.pop(code, None)
        if openid is None:
            return _err(40029, "invalid code")
        self.used_codes.add(code)
        return {"access_token": "USER_" + secrets.token_hex(16), "expires_in": 7200, "refresh_token": secrets.token_hex(16),
                "openid": openid, "scope": "snsapi_base"}

    def _token(self, query):
        self.token_calls["token"] += 1
        if query.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        if query.get("appid") != self.app_id:
            return _err(40013, "invalid appid")
        if query.get("secret") != self.secret:
            return _err(40001, "invalid credential, access_token is invalid or not latest")
        token, ttl = self._issue("oa")
        return {"access_token": token, "expires_in": ttl}

    def _stable_token(self, body):
        self.token_calls["stable_token"] += 1
        if body.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        if body.get("appid") != self.app_id:
            return _err(40013, "invalid appid")
        if body.get("secret") != self.secret:
            return _err(40125, "invalid appsecret")
        current = self.current.get("oa")
        if current and not body.get("force_refresh") and self._valid(current, "oa") is None:
            return {"access_token": current, "expires_in": int(self.tokens[current]["expires"] - time.time())}
        if body.get("force_refresh") and current:
            self.tokens[current]["revoked"] = True
        token, ttl = self._issue("oa")
        return {"access_token": token, "expires_in": ttl}

    def _wecom_token(self, query):
        self.token_calls["gettoken"] += 1
        if query.get("corpid") != self.corp_id:
            return _err(40013, "invalid corpid")
        if query.get("corpsecret") != self.corp_secret:
            return _err(40001, "invalid secret")
        current = self.current.get("wecom")
        if current and self._valid(current, "wecom") is None:
            return {"errcode": 0, "errmsg": "ok", "access_token": current,
                    "expires_in": int(self.tokens[current]["expires"] - time.time())}
        token, ttl = self._issue("wecom")
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": ttl}

    def _template(self, body):
        openid, template_id = body.get("touser"), body.get("template_id")
        if openid not in self.followers and openid not in self.interactions:
            return _err(40003, "invalid openid") if openid is None else _err(43004, "require subscribe")
        if template_id not in self.templates:
            return _err(40037, "invalid template_id")
        key = (openid, str(body.get("client_msg_id") or ""))
        if key[1] and key in self.client_msg_ids:
            return {"errcode": 0, "errmsg": "ok", "msgid": self.client_msg_ids[key]}  # sent once within 10 min
        self.next_msgid += 1
        if key[1]:
            self.client_msg_ids[key] = self.next_msgid
        self.sent.append({"api": "template", "payload": body, "msgid": self.next_msgid})
        return {"errcode": 0, "errmsg": "ok", "msgid": self.next_msgid}

    def _subscribe(self, body):
        openid, template_id = body.get("touser"), body.get("template_id")
        if openid not in self.followers:
            return _err(40003, "invalid openid")
        if template_id not in self.templates:
            return _err(40037, "invalid template_id")
        for key, value in (body.get("data") or {}).items():
            text = str((value or {}).get("value", ""))
            if key.startswith("thing") and (len(text) > 20 or "\n" in text):
                return _err(47003, f"argument invalid! data.{key}.value invalid")
        if self.consents[(openid, template_id)] <= 0:
            return _err(43101, "user refuse to accept the msg")
        self.consents[(openid, template_id)] -= 1
        self.sent.append({"api": "subscribe", "payload": body})
        return {"errcode": 0, "errmsg": "ok"}

    def _custom(self, body):
        openid = body.get("touser")
        last = self.interactions.get(openid)
        if openid not in self.followers or last is None or time.time() - last > 48 * 3600:
            return _err(45015, "response out of time limit or subscription is canceled")
        if self.custom_counts[openid] >= 5:
            return _err(45047, "out of response count limit")
        self.custom_counts[openid] += 1
        self.sent.append({"api": "custom", "payload": body})
        return {"errcode": 0, "errmsg": "ok"}

    def _wecom_send(self, body):
        if int(body.get("agentid") or 0) != self.agent_id:
            return _err(40056, "invalid agentid")
        users = [u for u in str(body.get("touser") or "").split("|") if u]
        invalid = [u.lower() for u in users if u not in self.wecom_users]
        if users and len(invalid) == len(users):
            return _err(81013, "user & party & tag all invalid")
        self.next_msgid += 1
        self.sent.append({"api": "wecom", "payload": body})
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid), "invalidparty": "", "invalidtag": "",
                "unlicenseduser": "", "msgid": f"wecom-{self.next_msgid}"}

    def _qrcode(self, body):
        ticket = "gQ" + secrets.token_urlsafe(24)
        self.sent.append({"api": "qrcode", "payload": body, "ticket": ticket})
        return {"ticket": ticket, "expire_seconds": body.get("expire_seconds", 30),
                "url": f"http://weixin.qq.com/q/{ticket[:22]}"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, method):
                parsed = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw.decode("utf-8")) if raw else {}
                except (UnicodeDecodeError, json.JSONDecodeError):
                    body = None
                result = _err(47001, "data format error") if body is None else fake.handle(method, parsed.path, query, body)
                if fake.delay:
                    time.sleep(fake.delay)  # handled, but the answer comes too late: the client cannot know
                data = json.dumps(result, ensure_ascii=False).encode("utf-8")
                self.send_response(200)  # WeChat answers errors with HTTP 200
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        return Handler
