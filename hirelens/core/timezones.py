"""Time zones for every app (users, the organization, positions, interviews, messages): checking an IANA name,
turning a wall-clock time in a named zone into an instant (refusing times that do not exist), zones and times in
words, and the searchable picker's field (templates core/_tz_picker.html, static core/tzpicker.js, view
``core:time_zones``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

VIEWER_TZ_COOKIE = "hl_tz"


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(name: str) -> ZoneInfo:
    """Return the IANA zone, or raise a localized ValidationError for an unknown name."""
    name = (name or "").strip()
    if name not in _known_zones():
        raise ValidationError(_("未知的时区“%(zone)s”，请使用 IANA 名称，例如 Asia/Shanghai。") % {"zone": name},
                              code="unknown_time_zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("未知的时区“%(zone)s”，请使用 IANA 名称，例如 Asia/Shanghai。") % {"zone": name},
                              code="unknown_time_zone") from None


def parse_local(value: str | datetime, zone_name: str) -> datetime:
    """``"2026-03-08T02:30"`` in ``America/New_York`` → ValidationError (that time is skipped by DST).

    Ambiguous times (the repeated hour when clocks go back) take the first occurrence (fold=0).
    """
    zone = validate_time_zone(zone_name)
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # an instant already (ISO 8601 with an offset): its zone does not matter
            return value.astimezone(ZoneInfo("UTC"))
        naive = value
    else:
        text = (value or "").strip().replace(" ", "T")
        try:
            naive = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("时间格式无效：“%(value)s”。") % {"value": text[:40]}, code="bad_time") from None
        if naive.tzinfo is not None:
            return naive.astimezone(ZoneInfo("UTC"))
    local = naive.replace(tzinfo=zone, fold=0)
    round_trip = local.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        raise ValidationError(
            _("%(time)s %(zone)s不存在：夏令时调整跳过了这段时间，请选择其他时间。")
            % {"time": naive.strftime("%Y-%m-%d %H:%M"), "zone": zone_label(zone_name)}, code="nonexistent_time")
    return local.astimezone(ZoneInfo("UTC"))


def user_zone(user) -> str:
    """A staff member's zone: their own setting, else their organization's (the default for everyone)."""
    own = getattr(user, "time_zone", "") or ""
    if own:
        return own
    organization = getattr(user, "organization", None)
    return getattr(organization, "time_zone", "") or "Asia/Shanghai"


def viewer_zone(request, default: str) -> str:
    """The viewer's own zone: a signed-in staff member's setting (``user_zone``); for a candidate the browser's
    (sent by static/core/tz.js as a cookie) or ``default`` (the interview's zone)."""
    user = getattr(request, "user", None) if request is not None else None
    if getattr(user, "is_authenticated", False):
        return user_zone(user)
    value = request.COOKIES.get(VIEWER_TZ_COOKIE, "") if request is not None else ""
    try:
        validate_time_zone(value)
    except ValidationError:
        return default
    return value


def in_zone(instant: datetime, zone_name: str) -> datetime:
    return timezone.localtime(instant, ZoneInfo(zone_name))


def duration_minutes(start: datetime, end: datetime) -> int:
    return int((end - start) / timedelta(minutes=1))


# --- Zones in words (issue 16 §4) ----------------------------------------------------------------
# IANA zone -> (Chinese city, English city). "北京时间" is what people in China call China Standard Time,
# so every zone of mainland China is Beijing time. A zone not named here falls back to the city of its
# IANA name ("America/Port_of_Spain" -> "Port of Spain") and always shows its UTC offset next to it.
ZONE_CITIES: dict[str, tuple[str, str]] = {
    "Asia/Shanghai": ("北京", "Beijing"), "Asia/Chongqing": ("北京", "Beijing"), "Asia/Harbin": ("北京", "Beijing"),
    "Asia/Urumqi": ("乌鲁木齐", "Urumqi"), "PRC": ("北京", "Beijing"),
    "Asia/Hong_Kong": ("香港", "Hong Kong"), "Asia/Macau": ("澳门", "Macau"), "Asia/Taipei": ("台北", "Taipei"),
    "Asia/Singapore": ("新加坡", "Singapore"), "Asia/Kuala_Lumpur": ("吉隆坡", "Kuala Lumpur"),
    "Asia/Tokyo": ("东京", "Tokyo"), "Asia/Seoul": ("首尔", "Seoul"), "Asia/Bangkok": ("曼谷", "Bangkok"),
    "Asia/Jakarta": ("雅加达", "Jakarta"), "Asia/Manila": ("马尼拉", "Manila"), "Asia/Ho_Chi_Minh": ("胡志明市", "Ho Chi Minh City"),
    "Asia/Kolkata": ("印度", "India"), "Asia/Dubai": ("迪拜", "Dubai"), "Asia/Riyadh": ("利雅得", "Riyadh"),
    "Asia/Karachi": ("卡拉奇", "Karachi"), "Asia/Dhaka": ("达卡", "Dhaka"), "Asia/Tashkent": ("塔什干", "Tashkent"),
    "Asia/Almaty": ("阿拉木图", "Almaty"), "Asia/Jerusalem": ("耶路撒冷", "Jerusalem"), "Europe/Istanbul": ("伊斯坦布尔", "Istanbul"),
    "Europe/London": ("伦敦", "London"), "Europe/Dublin": ("都柏林", "Dublin"), "Europe/Lisbon": ("里斯本", "Lisbon"),
    "Europe/Paris": ("巴黎", "Paris"), "Europe/Berlin": ("柏林", "Berlin"), "Europe/Madrid": ("马德里", "Madrid"),
    "Europe/Rome": ("罗马", "Rome"), "Europe/Amsterdam": ("阿姆斯特丹", "Amsterdam"), "Europe/Brussels": ("布鲁塞尔", "Brussels"),
    "Europe/Zurich": ("苏黎世", "Zurich"), "Europe/Vienna": ("维也纳", "Vienna"), "Europe/Stockholm": ("斯德哥尔摩", "Stockholm"),
    "Europe/Warsaw": ("华沙", "Warsaw"), "Europe/Athens": ("雅典", "Athens"), "Europe/Helsinki": ("赫尔辛基", "Helsinki"),
    "Europe/Moscow": ("莫斯科", "Moscow"), "Europe/Kiev": ("基辅", "Kyiv"), "Europe/Kyiv": ("基辅", "Kyiv"),
    "Africa/Cairo": ("开罗", "Cairo"), "Africa/Johannesburg": ("约翰内斯堡", "Johannesburg"), "Africa/Lagos": ("拉各斯", "Lagos"),
    "Africa/Nairobi": ("内罗毕", "Nairobi"),
    "America/New_York": ("纽约", "New York"), "America/Chicago": ("芝加哥", "Chicago"), "America/Denver": ("丹佛", "Denver"),
    "America/Los_Angeles": ("洛杉矶", "Los Angeles"), "America/Phoenix": ("凤凰城", "Phoenix"), "America/Anchorage": ("安克雷奇", "Anchorage"),
    "Pacific/Honolulu": ("檀香山", "Honolulu"), "America/Toronto": ("多伦多", "Toronto"), "America/Vancouver": ("温哥华", "Vancouver"),
    "America/Mexico_City": ("墨西哥城", "Mexico City"), "America/Sao_Paulo": ("圣保罗", "São Paulo"),
    "America/Argentina/Buenos_Aires": ("布宜诺斯艾利斯", "Buenos Aires"), "America/Bogota": ("波哥大", "Bogotá"),
    "America/Lima": ("利马", "Lima"), "America/Santiago": ("圣地亚哥", "Santiago"),
    "Australia/Sydney": ("悉尼", "Sydney"), "Australia/Melbourne": ("墨尔本", "Melbourne"), "Australia/Perth": ("珀斯", "Perth"),
    "Australia/Brisbane": ("布里斯班", "Brisbane"), "Pacific/Auckland": ("奥克兰", "Auckland"),
}
# More words a person may type to find a zone (country names, the other big cities of the zone).
ZONE_WORDS: dict[str, str] = {
    "Asia/Shanghai": "上海 北京 深圳 广州 杭州 成都 中国 China Shanghai Beijing Shenzhen Guangzhou CST",
    "Asia/Hong_Kong": "中国香港 HK", "Asia/Taipei": "台湾 Taiwan", "Asia/Tokyo": "日本 Japan 大阪 Osaka",
    "Asia/Seoul": "韩国 Korea", "Asia/Kolkata": "孟买 新德里 Mumbai Delhi Bangalore 班加罗尔 IST",
    "Asia/Ho_Chi_Minh": "越南 Vietnam Saigon 西贡", "Asia/Bangkok": "泰国 Thailand", "Asia/Jakarta": "印尼 Indonesia",
    "Asia/Manila": "菲律宾 Philippines", "Asia/Kuala_Lumpur": "马来西亚 Malaysia", "Asia/Dubai": "阿联酋 UAE",
    "Europe/London": "英国 UK Britain England 英格兰 GMT BST", "Europe/Paris": "法国 France CET",
    "Europe/Berlin": "德国 Germany 法兰克福 Frankfurt 慕尼黑 Munich", "Europe/Madrid": "西班牙 Spain",
    "Europe/Rome": "意大利 Italy 米兰 Milan", "Europe/Amsterdam": "荷兰 Netherlands", "Europe/Zurich": "瑞士 Switzerland",
    "Europe/Moscow": "俄罗斯 Russia", "America/New_York": "美国东部 US Eastern EST EDT 华盛顿 Washington 波士顿 Boston",
    "America/Chicago": "美国中部 US Central", "America/Denver": "美国山地 US Mountain",
    "America/Los_Angeles": "美国西部 US Pacific PST PDT 旧金山 San Francisco 西雅图 Seattle 硅谷",
    "America/Toronto": "加拿大 Canada", "America/Sao_Paulo": "巴西 Brazil", "Australia/Sydney": "澳大利亚 Australia",
    "Pacific/Auckland": "新西兰 New Zealand", "UTC": "协调世界时 GMT Greenwich 格林尼治",
}


def _city_of(zone_name: str) -> str:
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset(zone_name: str, at: datetime | None = None) -> str:
    """"UTC+08:00" at ``at`` (now by default): the offset changes with daylight saving time."""
    local = (at or timezone.now()).astimezone(ZoneInfo(zone_name))
    offset = local.strftime("%z") or "+0000"
    return f"UTC{offset[:3]}:{offset[3:]}"


def zone_label(zone_name: str, language: str | None = None) -> str:
    """The zone in words: "北京时间" / "Beijing time", "伦敦时间" / "London time"; a zone without a known city
    is named after the city of its IANA name. UTC is "协调世界时" / "UTC"."""
    english = (language or translation.get_language() or "zh-hans").startswith("en")
    if zone_name in ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Universal", "Zulu"):
        return "UTC" if english else "协调世界时"
    zh_city, en_city = ZONE_CITIES.get(zone_name, (_city_of(zone_name), _city_of(zone_name)))
    return f"{en_city} time" if english else f"{zh_city}时间"


def zone_label_offset(zone_name: str, language: str | None = None, at: datetime | None = None) -> str:
    """"北京时间 (UTC+08:00)" / "London time (UTC+00:00)": the picker's label and the e-mails' zone."""
    try:
        offset = utc_offset(zone_name, at)
    except (ZoneInfoNotFoundError, ValueError):
        return zone_name
    return f"{zone_label(zone_name, language)} ({offset})"


@lru_cache(maxsize=1)
def _pickable() -> tuple[str, ...]:
    """Every zone of ``zoneinfo.available_timezones()`` except the legacy aliases that only confuse a picker."""
    names = [z for z in available_timezones() if not z.startswith(("posix/", "right/", "SystemV/"))]
    known = [z for z in ZONE_CITIES if z in names and z not in _ALIASES]
    return tuple(known + sorted(z for z in names if z not in known))


_ALIASES = {"Asia/Chongqing", "Asia/Harbin", "PRC", "Europe/Kiev"}  # old names of a zone listed under its new one


@lru_cache(maxsize=2048)
def _tokens(zone_name: str, day: str) -> tuple[str, ...]:
    zh_city, en_city = ZONE_CITIES.get(zone_name, ("", ""))
    offset = utc_offset(zone_name)
    short = offset.replace(":00", "").replace("+0", "+").replace("-0", "-")  # UTC+08:00 -> utc+8
    text = " ".join([zone_name.replace("/", " ").replace("_", " "), zone_name, en_city, zh_city, f"{zh_city}时间",
                     ZONE_WORDS.get(zone_name, ""), offset, short])
    return tuple(text.casefold().split())


def _matches(word: str, tokens: tuple[str, ...]) -> bool:
    """A Latin word matches the start of a token ("lon" -> London); Chinese matches anywhere (京 -> 北京)."""
    if any("\u3400" <= ch <= "\u9fff" for ch in word):
        return any(word in token for token in tokens)
    return any(token.startswith(word) for token in tokens)


def zone_search(query: str, *, language: str | None = None, limit: int = 20) -> list[dict]:
    """Zones whose IANA name, city or words contain every word of ``query`` (北京, 伦敦, London, new york, UTC+8…).

    Each result is ``{"value": IANA name, "label": "北京时间 (UTC+08:00)", "name": "Asia/Shanghai"}``; named
    cities come first. An empty query lists the named cities.
    """
    words = [w for w in (query or "").casefold().replace(",", " ").split() if w]
    results = []
    exact = {z.casefold(): z for z in _pickable()}.get((query or "").strip().casefold())
    if exact:  # the IANA name itself first ("UTC" would otherwise drown among every "UTC+…" offset)
        results.append({"value": exact, "label": zone_label_offset(exact, language), "name": exact})
    for name in _pickable():
        if words:
            tokens = _tokens(name, timezone.now().date().isoformat())
            if not all(_matches(word, tokens) for word in words):
                continue
        elif name not in ZONE_CITIES:
            continue
        if name == exact:
            continue
        results.append({"value": name, "label": zone_label_offset(name, language), "name": name})
        if len(results) >= limit:
            break
    return results


def clean_zone(value: str) -> str:
    """The form fields' check: a known IANA name, else a localized error naming what was typed."""
    name = (value or "").strip()
    if name not in available_timezones():
        raise ValidationError(_("未知的时区“%(zone)s”，请从列表中选择，例如“北京时间 (UTC+08:00)”。") % {"zone": name[:60]},
                              code="unknown_time_zone")
    return name


def resolve_zone(text: str) -> str:
    """What a person typed or picked → an IANA name: the name itself, a label of the picker
    ("伦敦时间 (UTC+00:00)", "London time") or a city (伦敦, London). Anything else: a localized error."""
    value = (text or "").strip()
    if value in available_timezones():
        return value
    folded = value.casefold()
    by_case = {z.casefold(): z for z in _pickable()}
    if folded in by_case:
        return by_case[folded]
    if folded:
        for name in _pickable():
            zh_city, en_city = ZONE_CITIES.get(name, (_city_of(name), _city_of(name)))
            labels = {zone_label(name, "zh-hans"), zone_label(name, "en"), zone_label_offset(name, "zh-hans"),
                      zone_label_offset(name, "en"), zh_city, en_city}
            if folded in {label.casefold() for label in labels}:
                return name
    return clean_zone(value)


class ZonePickerWidget(forms.TextInput):
    """The searchable picker (core/_tz_picker.html) as a form widget."""

    template_name = "core/_tz_widget.html"

    def value_from_datadict(self, data, files, name):
        return (data.get(f"{name}_iana") or "").strip() or data.get(name)


class ZoneField(forms.CharField):
    """A form field for an IANA zone picked with the picker; a label or a city typed by hand is resolved,
    anything else is refused with a localized error."""

    widget = ZonePickerWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return resolve_zone(value) if value else value


# --- One way to write a time to a person (issue 19: the candidate's pages) ------------------------
_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_text(local: datetime, english: bool, this_year: int) -> str:
    if english:
        year = "" if local.year == this_year else f" {local.year}"
        return f"{_WEEKDAYS_EN[local.weekday()]} {local.day} {_MONTHS_EN[local.month - 1]}{year},"
    year = "" if local.year == this_year else f"{local.year}年"
    return f"{year}{local.month}月{local.day}日（周{_WEEKDAYS_ZH[local.weekday()]}）"


def when_text(start: datetime, zone_name: str = "", *, end: datetime | None = None, language: str | None = None,
              now: datetime | None = None) -> str:
    """A time as the pages write it, one format per language: "12月13日（周日）16:37 北京时间" /
    "Sun 13 Dec, 16:37 Beijing time"; the year only when it is not this year in that zone ("2027年1月5日（周二）…" /
    "Tue 5 Jan 2027, …"). With ``end``, a range: "10:00–11:00" (the end's day too when it is another day).
    ``zone_name`` defaults to the active zone; a name that is not a zone falls back to the site's zone."""
    english = (language or translation.get_language() or "zh-hans").startswith("en")
    zone_name = zone_name or timezone.get_current_timezone_name()
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone_name = timezone.get_default_timezone_name()
        zone = ZoneInfo(zone_name)
    local = start.astimezone(zone)
    this_year = (now or timezone.now()).astimezone(zone).year
    space = " " if english else ""
    text = f"{_day_text(local, english, this_year)}{space}{local:%H:%M}"
    if end is not None:
        local_end = end.astimezone(zone)
        other_day = f"{_day_text(local_end, english, this_year)}{space}" if local_end.date() != local.date() else ""
        text += f"–{other_day}{local_end:%H:%M}"
    return f"{text} {zone_label(zone_name, 'en' if english else 'zh-hans')}"
