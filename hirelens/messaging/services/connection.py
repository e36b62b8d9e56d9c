"""The settings page's "test connection": one call to the access-token endpoint of the base URL being
configured (contract §1 ``/cgi-bin/stable_token``, §8 ``/cgi-bin/gettoken``), reported in words.

It asks for a token without ``force_refresh`` and stores nothing, so testing never invalidates the token the
delivery jobs share (``AccessToken``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from hirelens.core.access import require_perm
from hirelens.core.roles import Perm
from hirelens.messaging.channels.base import ChannelError
from hirelens.messaging.channels.wxclient import http_json

TEST_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str
    code: str = ""

    @property
    def shown_code(self) -> str:
        """WeChat's numeric code, shown next to the explanation for support; the client's own codes are not."""
        return self.code if self.code.lstrip("-").isdigit() and self.code != "0" else ""


def explain_code(code: str, provider: str) -> str:
    """A WeChat / WeCom error code (or the client's network codes) in words, in the reader's language."""
    wecom = provider == "wecom"
    words = {
        "-1": _("微信服务器繁忙，请稍后再试。"),
        "40001": _("Secret 不正确，或不属于这个 CorpID。") if wecom else _("AppSecret 不正确，或不属于这个 AppID。"),
        "40002": _("请求类型无效。"),
        "40013": _("CorpID 无效：请检查企业 ID 是否复制完整。") if wecom else _("AppID 无效：请检查是否复制完整，并确认是公众号的 AppID。"),
        "40125": _("AppSecret 无效：请在公众号后台重置后重新填写。"),
        "40164": _("本服务器的 IP 地址不在公众号的 IP 白名单中：请在公众号后台“基本配置”里添加。"),
        "40243": _("AppSecret 已被冻结：请在公众号后台解冻或重置。"),
        "89503": _("这次调用需要公众号管理员确认 IP 地址：请管理员在微信中确认后重试。"),
        "45009": _("今天的接口调用次数已用完，明天会恢复。"),
        "45011": _("调用太频繁，请一分钟后再试。"),
        "40056": _("AgentID 无效：请检查应用的 AgentId。"),
        "40091": _("Secret 无效：请在企业微信管理后台重新查看应用的 Secret。"),
        "41002": _("缺少 CorpID。"), "41004": _("缺少 Secret。"),
        "60020": _("本服务器的 IP 地址不是企业微信的可信 IP：请在应用的“企业可信IP”中添加。"),
        "network": _("无法连接到接口地址：请检查地址是否正确、服务器能否访问外网。"),
        "timeout": _("接口地址 %(seconds)d 秒内没有响应（超时）。") % {"seconds": int(TEST_TIMEOUT_S)},
        "bad_json": _("接口地址返回的不是微信接口的应答：请检查地址是否正确。"),
        "no_token": _("接口地址没有返回访问令牌：请检查地址是否正确。"),
        "not_configured": _("请先填写 AppID 和 AppSecret。") if not wecom else _("请先填写 CorpID 和 Secret。"),
    }
    if code in words:
        return words[code]
    if code.startswith("http"):
        return _("接口地址返回 HTTP 错误 %(status)s：请检查地址是否正确。") % {"status": code[4:]}
    return _("微信返回错误码 %(code)s，请对照微信开放文档的全局返回码说明处理。") % {"code": code}


def channel_connection_test(*, actor, provider: str, api_base: str, app_id: str, secret: str) -> ConnectionResult:
    """Ask the token endpoint of ``api_base`` for a token with these credentials."""
    require_perm(actor, Perm.MESSAGING_CONFIGURE)
    api_base = (api_base or "").strip().rstrip("/")
    if not (app_id and secret):
        return ConnectionResult(False, explain_code("not_configured", provider), "not_configured")
    try:
        if provider == "wecom":
            data = http_json("GET", f"{api_base}/cgi-bin/gettoken", params={"corpid": app_id, "corpsecret": secret},
                             timeout=TEST_TIMEOUT_S)
        else:
            data = http_json("POST", f"{api_base}/cgi-bin/stable_token", timeout=TEST_TIMEOUT_S,
                             payload={"grant_type": "client_credential", "appid": app_id, "secret": secret,
                                      "force_refresh": False})
    except ChannelError as exc:
        code = str(getattr(exc, "code", "") or "network")
        return ConnectionResult(False, explain_code(code, provider), code)
    code = str(int(data.get("errcode") or 0)) if isinstance(data, dict) else "bad_json"
    if code != "0":
        return ConnectionResult(False, explain_code(code, provider), code)
    if not data.get("access_token"):
        return ConnectionResult(False, explain_code("no_token", provider), "no_token")
    return ConnectionResult(True, _("连接成功：已取得访问令牌（有效期 %(minutes)d 分钟）。")
                            % {"minutes": int(data.get("expires_in") or 7200) // 60}, "0")
