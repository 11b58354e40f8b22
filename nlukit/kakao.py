"""KakaoTalk channel: the skill request and answer of Kakao i Open Builder (skill v2.0).

A KakaoTalk channel bot built in Kakao i Open Builder (챗봇 관리자센터) calls a *skill*
server with every utterance that lands in a block using the skill (usually the fallback
block, so that every message reaches nlukit). ``POST /kakao/skill`` of
:mod:`nlukit.server` is that skill server: it reads the request here, runs the bot's
turn and answers with :func:`skill_response`.

Request fields read (``SkillPayload``): ``userRequest.utterance`` (the user's text),
``userRequest.user.id`` (the botUserKey: one session per KakaoTalk user) and
``userRequest.timezone`` (the user's time zone, ``Asia/Seoul`` for a request from
Korea: ``내일`` means the user's tomorrow even on a server kept in UTC). Everything
else (``bot``, ``intent``, ``action``...) is Kakao's business and ignored.

Answer (``SkillResponse``): ``{"version": "2.0", "template": {"outputs": [simpleText...],
"quickReplies": [...]}}``. Kakao's limits are kept here rather than left for Kakao to
refuse: a ``simpleText`` holds at most 1,000 characters (a longer reply is cut at line
ends into at most 3 bubbles, the last one shortened with ``…``), at most 10 quick
replies, a quick reply's label at most 14 characters (a longer value keeps its whole
text as the message it sends). A confirmation question gets the bot's first yes and
no phrases as quick replies; a question whose slot lists its values gets those.

Callbacks: Kakao waits 5 seconds for a skill. A turn is milliseconds, but an action of
yours (a booking API) may take longer. When the block has callbacks on, the request
carries ``userRequest.callbackUrl``: a turn not done within ``kakao_wait`` seconds (3.5)
is answered ``{"useCallback": true}`` with a short text, and its answer is posted to that
URL when ready (Kakao takes it within a minute, once). Only https URLs on Kakao's hosts
(``kakao_callback_hosts``) are ever posted to.
"""
from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InputError

#: Kakao's limits on a skill answer (skill response format v2.0).
TEXT_LIMIT = 1000
OUTPUTS_LIMIT = 3
QUICK_REPLIES_LIMIT = 10
LABEL_LIMIT = 14
#: the time zone of a request that names none (or one this machine does not know)
DEFAULT_TIMEZONE = "Asia/Seoul"
#: Korea has kept UTC+9 without summer time since 1988: usable without a tz database
_KST = datetime.timezone(datetime.timedelta(hours=9), "KST")
#: the prefix of the session ids of KakaoTalk users (kept apart from /chat's own ids)
SESSION_PREFIX = "kakao:"
_PLAIN_ID = re.compile(r"[A-Za-z0-9_\-]{1,100}")


@dataclass(frozen=True)
class SkillRequest:
    """What nlukit needs of a skill request."""

    user_key: str
    utterance: str
    timezone: str
    today: datetime.date
    #: where to send the answer later (the block has callbacks on: ``userRequest.callbackUrl``)
    callback_url: str | None = None
    #: the user's date and time (aware, in their time zone): an action's ``context["now"]``
    now: datetime.datetime | None = None

    @property
    def session_id(self) -> str:
        """The bot session of this KakaoTalk user: ``kakao:<botUserKey>``.

        A key that is not plain letters, digits, ``_`` and ``-`` (or is over 100
        characters) is replaced by its SHA-256, so the id stays a valid session id.
        """
        if _PLAIN_ID.fullmatch(self.user_key):
            return SESSION_PREFIX + self.user_key
        return SESSION_PREFIX + hashlib.sha256(self.user_key.encode("utf-8")).hexdigest()[:40]


def _field(body: Mapping[str, Any], path: str) -> Any:
    value: Any = body
    walked = []
    for key in path.split("."):
        walked.append(key)
        if not isinstance(value, Mapping) or key not in value:
            raise InputError(f'the field "{".".join(walked)}" is missing; a Kakao i Open Builder '
                             'skill request carries {"userRequest": {"utterance": "...", '
                             '"user": {"id": "..."}}}')
        value = value[key]
    return value


def read_request(body: Mapping[str, Any], now: datetime.datetime | None = None) -> SkillRequest:
    """The user, text and day of a skill request, or an :class:`InputError` naming the field."""
    if not isinstance(body, Mapping):
        raise InputError("a Kakao skill request is a JSON object")
    utterance = _field(body, "userRequest.utterance")
    if not isinstance(utterance, str):
        raise InputError(f'"userRequest.utterance" must be a string, not {type(utterance).__name__}')
    user = _field(body, "userRequest.user.id")
    if not isinstance(user, (str, int)) or isinstance(user, bool) or str(user) == "":
        raise InputError('"userRequest.user.id" must be a non-empty string (the botUserKey)')
    try:
        str(user).encode("utf-8")
    except UnicodeEncodeError as exc:  # JSON's "\ud800": the key could not be hashed into a session id
        raise InputError(f'"userRequest.user.id" holds an unpaired surrogate (\\u{ord(str(user)[exc.start]):04x}) '
                         f"at character {exc.start}; send the botUserKey as valid Unicode") from None
    zone = body["userRequest"].get("timezone") or DEFAULT_TIMEZONE
    if not isinstance(zone, str):
        raise InputError(f'"userRequest.timezone" must be a time zone name such as "Asia/Seoul", '
                         f"not {type(zone).__name__}")
    callback = body["userRequest"].get("callbackUrl")
    if callback is not None and not isinstance(callback, str):
        raise InputError(f'"userRequest.callbackUrl" must be a URL string, not {type(callback).__name__}')
    local = user_now(zone, now)
    return SkillRequest(str(user), utterance, zone, local.date(), callback or None, local)


def callback_allowed(url: str, hosts: Sequence[str]) -> bool:
    """Whether ``url`` may receive a callback answer: https on a host ending in one of
    ``hosts`` (``.kakao.com``), or any scheme on a host listed exactly (``127.0.0.1``, for tests).
    Anything else is refused: the server never posts to an address a request made up."""
    from urllib.parse import urlsplit
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if not host or parts.scheme not in ("https", "http"):
        return False
    for allowed in hosts:
        allowed = allowed.lower()
        if host == allowed.lstrip("."):
            return True
        if allowed.startswith(".") and host.endswith(allowed) and parts.scheme == "https":
            return True
    return False


def text_response(text: str) -> dict[str, Any]:
    """A skill answer of one text (in bubbles within Kakao's limits)."""
    return {"version": "2.0",
            "template": {"outputs": [{"simpleText": {"text": piece}} for piece in _bubbles(text)]}}


def waiting_response(text: str) -> dict[str, Any]:
    """The answer that tells Kakao the real one comes through the callback URL."""
    return {"version": "2.0", "useCallback": True, "data": {"text": text}}


def post_callback(url: str, answer: Mapping[str, Any], timeout: float = 10.0) -> int:
    """POST a skill answer to a callback URL (once: Kakao's URL takes one answer within a
    minute); the HTTP status, or raises ``OSError``."""
    import json
    import urllib.request
    data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - checked by callback_allowed
        return int(resp.status)


def _zone(name: str) -> datetime.tzinfo:
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - Python < 3.9
        return _KST
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # no tz database on this machine (slim images), or a name it lacks: Korea's time
        return _KST


def user_today(zone: str, now: datetime.datetime | None = None) -> datetime.date:
    """The date in time zone ``zone`` at ``now`` (aware; default: the current time)."""
    return user_now(zone, now).date()


def user_now(zone: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """The date and time in time zone ``zone`` at ``now`` (aware; default: the current time)."""
    now = now or datetime.datetime.now(datetime.UTC)
    if now.tzinfo is None:
        raise InputError("now must carry a time zone (datetime.timezone.utc for a UTC time)")
    return now.astimezone(_zone(zone))


def _bubbles(text: str) -> list[str]:
    """``text`` as at most :data:`OUTPUTS_LIMIT` pieces of at most :data:`TEXT_LIMIT` characters."""
    text = text.strip() or "…"
    pieces: list[str] = []
    rest = text
    while rest and len(pieces) < OUTPUTS_LIMIT:
        if len(rest) <= TEXT_LIMIT:
            pieces.append(rest)
            rest = ""
            break
        cut = rest.rfind("\n", 0, TEXT_LIMIT + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, TEXT_LIMIT + 1)
        if cut <= 0:
            cut = TEXT_LIMIT
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:  # more than three bubbles' worth: the last one says it was cut
        last = pieces[-1]
        pieces[-1] = last[:TEXT_LIMIT - 1].rstrip() + "…"
    return pieces


def _label(value: str) -> str:
    return value if len(value) <= LABEL_LIMIT else value[:LABEL_LIMIT - 1] + "…"


def quick_replies(turn: Any, affirm: Sequence[str] = ("네",),
                  deny: Sequence[str] = ("아니요",)) -> list[dict[str, str]]:
    """The buttons under a turn: its ``choices``, or yes and no under a confirmation."""
    values: list[str] = list(getattr(turn, "choices", None) or [])
    if not values and getattr(turn, "state", None) == "confirm":
        values = [v for v in (next(iter(affirm), "네"), next(iter(deny), "아니요")) if v]
    seen: set[str] = set()
    replies = []
    for value in values:
        value = str(value).strip()
        if not value or value in seen:
            continue
        seen.add(value)
        replies.append({"label": _label(value), "action": "message", "messageText": value})
        if len(replies) == QUICK_REPLIES_LIMIT:
            break
    return replies


def skill_response(turn: Any, affirm: Sequence[str] = ("네",),
                   deny: Sequence[str] = ("아니요",)) -> dict[str, Any]:
    """A bot :class:`~nlukit.bot.Turn` as a Kakao skill answer (``version`` 2.0)."""
    out = text_response(str(turn.reply or ""))
    buttons = quick_replies(turn, affirm, deny)
    if buttons:
        out["template"]["quickReplies"] = buttons
    return out
