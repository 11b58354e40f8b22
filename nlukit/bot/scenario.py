"""Scenarios: what the bot asks for and answers, per intent, read from TOML.

A scenario file has one ``[bot]`` table of global settings and one ``[[scenario]]``
per intent (see ``scenarios/demo.toml``)::

    [[scenario]]
    intent = "train_ticket"
    response = "{origin}에서 {destination}(으)로 가는 기차를 예매할게요."
    [[scenario.slot]]
    entity = "location"
    role = "origin"
    prompt = "어디에서 출발하세요?"

A slot is named by its role when it has one, else by its entity type; templates
use that name (``{origin}``), and a particle pair written right after a slot is
fitted to the filled value (``{destination}(으)로`` → ``부산으로`` / ``광주로``).
``{{`` and ``}}`` stand for literal braces.

>>> render_template("{location}은/는 {date}도 맑아요.", {"location": "서울", "date": "내일"})
'서울은 내일도 맑아요.'
>>> render_template("{song} 틀어 드릴게요 {{}}", {"song": ""})
'틀어 드릴게요 {}'
>>> render_template("'{value}'(이)라는 곳은 몰라요.", {"value": "광주"})
"'광주'라는 곳은 몰라요."
"""
from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, ScenarioError
from ..korean import render, slot_names, template_problem

__all__ = ["BotSettings", "Scenario", "Scenarios", "Slot", "load_scenarios", "parse_scenarios",
           "render_template", "template_names"]

_NAME_RE = re.compile(r"^[A-Za-z_][\w.-]*$")
_ACTION_RE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*$")

Action = Callable[..., Any]


@dataclass(frozen=True)
class Slot:
    """One piece of information a scenario needs.

    ``name`` is the role when given, else the entity type. ``values`` is None (any
    value), ``"dictionary"`` (a canonical value of the model's dictionary) or a tuple
    of allowed values; ``pattern`` is a regex the value must match in full.
    """

    entity: str
    role: str | None = None
    prompt: str | None = None
    default: str | None = None
    required: bool = True
    values: str | tuple[str, ...] | None = None
    pattern: re.Pattern[str] | None = None
    invalid: str | None = None
    #: what typed right after a value marks it as this slot's when the parser gave no role
    #: (``대구로`` → destination with ``particles = ["(으)로", "까지"]``)
    particles: tuple[str, ...] = ()
    #: another slot of the scenario whose value this one may not repeat (a trip's destination
    #: is not its origin); a repeat is refused with ``invalid``
    differs_from: str | None = None
    #: every wording of ``prompt`` and ``invalid`` when the file lists several (the fields
    #: above hold the first); the bot varies them, see :meth:`Scenario.wordings`
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    #: how many values the slot takes at once (``multiple = true``: :data:`MULTIPLE_DEFAULT`,
    #: or a number); 0 for one value. Several values joined in one request (``서울이랑 부산``)
    #: answer the scenario once per value, replies joined in the order said
    multiple: int = 0
    #: words that name the slot (출발지, 목적지): a value right after one (출발지 대전으로 바꿔줘,
    #: 목적지는 광주) is this slot's, and the words may stand in an answer or a correction
    names: tuple[str, ...] = ()
    #: a value of its type said with nothing that marks its slot (no particle, name or role of any
    #: slot of the type: ``기차 예매해줘 부산``) goes to this slot while it is empty, not to the first
    #: empty one (a trip's destination: a lone place is where the user wants to go)
    unmarked: bool = False
    #: on a count slot: the ``multiple`` slot whose values it counts, one count each (``counts =
    #: "menu"``: 짜장면 두 개 짬뽕 하나 is 짜장면 2개 and 짬뽕 1개, answered once as one order)
    counts: str | None = None

    @property
    def name(self) -> str:
        return self.role or self.entity

    def wordings(self, key: str) -> tuple[str, ...]:
        """Every wording of ``prompt`` or ``invalid`` (empty when the slot has none)."""
        return _wordings(self, key)


@dataclass(frozen=True)
class Scenario:
    """What the bot does for one intent: the slots to fill, then a response or an action."""

    intent: str
    slots: tuple[Slot, ...] = ()
    response: str | None = None
    action: str | None = None
    #: a question read back once every required slot is filled (``{origin}에서 … 예매할까요?``);
    #: the response or action then waits for a yes (``네``), and a no or a new value corrects
    confirm: str | None = None
    #: after it completes, a short follow-up of values alone (``부산은?``, ``내일은요``) runs it
    #: again with those values in place of the last ones
    follow_up: bool = True
    #: asked again right after it answered, without a required slot (``비 와?`` after ``서울 날씨
    #: 알려줘``), it takes that slot's value from the last answer instead of asking; for scenarios that
    #: only answer (weather), not ones that book: ``기차 예매해줘`` again asks where from
    carry_over: bool = False
    #: said while another scenario asks something (고마워 while the date is asked), this one's
    #: response (or the text given here: ``resume = "천만에요."``) is said and that question asked
    #: again: what was under way is kept. ``true`` also for a scenario with slots or an action but
    #: no confirm (탕수육 얼마예요? during an order) when this one message answers it (its required
    #: slots said or defaulted): its answer, then the question under way; its values stay its own.
    #: When it would have to ask, it takes over. Off, the new request takes over
    resume: bool | str = False
    #: a scenario without slots, action or confirm is small talk (greeting, thanks): in a message
    #: of several requests it gives way to the request it is said with (안녕 서울 날씨 알려줘).
    #: ``small_talk = false`` makes such a scenario a request of its own (opening hours, the
    #: address): 예약하고 위치도 알려줘 answers both
    small_talk: bool = True
    #: what the request is called, for people (``title = "기차 예매"``): a request the model reads as
    #: this intent but not surely enough (``[bot] clarify_band``) is asked about by it
    #: (``[bot] clarify``: 혹시 '기차 예매'를 원하세요?); a scenario without a title is never offered
    title: str | None = None
    action_fn: Action | None = field(default=None, compare=False, repr=False)
    action_takes_context: bool = field(default=True, compare=False, repr=False)
    #: every wording of ``response`` and ``confirm`` when the file lists several (the fields
    #: above hold the first)
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def wordings(self, key: str) -> tuple[str, ...]:
        """Every wording of ``response`` or ``confirm`` (empty when the scenario has none).

        ``response = ["…", "…"]`` in the file lists several; the bot starts each conversation
        at one picked from the session id and then takes them in turn, so a user does not
        read the same sentence twice in a row and a session id always gets the same replies.
        """
        return _wordings(self, key)

    def slot(self, name: str) -> Slot | None:
        """The slot called ``name`` (role or entity type), or None."""
        for s in self.slots:
            if s.name == name:
                return s
        return None

    @property
    def entity_types(self) -> frozenset[str]:
        return frozenset(s.entity for s in self.slots)

    @property
    def counted(self) -> tuple[Slot, Slot] | None:
        """The item slot and the count slot of an order (a slot with ``counts``), or None."""
        for s in self.slots:
            if s.counts is not None:
                item = self.slot(s.counts)
                if item is not None:
                    return item, s
        return None


def _wordings(owner: Any, key: str) -> tuple[str, ...]:
    got = owner.variants.get(key)
    if got:
        return tuple(got)
    one = getattr(owner, key)
    return (one,) if one is not None else ()

#: the values a ``multiple = true`` slot takes at once; more are left out and said so
MULTIPLE_DEFAULT = 5

DEFAULT_FALLBACK = ("죄송해요, 잘 이해하지 못했어요. 다시 말씀해 주시겠어요?",)
DEFAULT_FALLBACK_REPEAT = ("계속 이해하지 못해 죄송해요. 조금 다르게 말씀해 주시겠어요?",)
DEFAULT_CANCEL = ("취소", "그만", "됐어", "안 할래", "안할래", "필요 없어", "처음부터")
#: yes and no to a confirmation question; a reply made only of these phrases (``네 좋아요``,
#: ``응응``, ``아니요``) is a yes or a no, spaces and punctuation aside
DEFAULT_AFFIRM = ("네", "넵", "넹", "넴", "예", "응", "웅", "어", "엉", "그래", "그래요", "좋아", "좋아요",
                  "좋습니다", "맞아", "맞아요", "맞습니다", "맞음", "오케이", "ok", "okay", "yes", "ㅇ", "ㅇㅇ",
                  "ㅇㅋ", "ㄱ", "ㄱㄱ", "고", "고고", "콜", "해줘", "해 줘", "해주세요", "해 주세요", "부탁해", "부탁해요", "부탁합니다",
                  "진행해", "진행해줘", "진행해 주세요", "그렇게 해줘", "그렇게 해 주세요", "알았어", "당연하지",
                  "그걸로", "그거로", "그걸로요")
DEFAULT_DENY = ("아니", "아니요", "아니오", "아뇨", "아냐", "아니야", "아니에요", "아닙니다", "아니다", "아녀", "노", "no", "nope",
                "ㄴㄴ", "ㄴ", "싫어", "싫어요", "시러", "시러요", "싫다", "틀려", "틀렸어", "잘못", "잘못됐어")


@dataclass(frozen=True)
class BotSettings:
    """The ``[bot]`` table: replies and limits shared by every scenario."""

    fallback: tuple[str, ...] = DEFAULT_FALLBACK
    fallback_repeat: tuple[str, ...] = DEFAULT_FALLBACK_REPEAT
    #: the ``fallback_repeat`` replies start at this many misunderstandings in a row
    fallback_repeat_after: int = 2
    cancel: tuple[str, ...] = DEFAULT_CANCEL
    cancel_reply: str = "알겠어요, 취소했어요. 다른 도움이 필요하시면 말씀해 주세요."
    session_expiry: float = 1800.0
    confidence_threshold: float = 0.5
    #: user turns one scenario may take before the bot gives up on it
    max_turns: int = 10
    max_turns_reply: str = "죄송해요, 진행이 어려워 처음부터 다시 시작할게요. 무엇을 도와드릴까요?"
    invalid_value: str = "죄송해요, '{value}'은/는 처리할 수 없어요."
    #: the reply to an amount of money that is no exact one (5만원 이하, 5만원 정도, 2~3만원) said for a
    #: money slot, before its question again (a slot's own ``invalid`` goes first)
    inexact_amount: str = "'{value}'은/는 정확한 금액이 아니에요. 정확한 금액으로 말씀해 주세요."
    #: the same for a count said not exactly (4~5명, 5명 정도, 네다섯 명) to a count slot
    inexact_count: str = "'{value}'은/는 정확한 수가 아니에요. 정확한 수로 말씀해 주세요."
    #: said, as the slot's question, for a count said as a change (한 명 늘려줘, 한 명 빠졌어요) when the slot
    #: holds no count to change (``{unit}``: the count's counter, 명)
    count_unknown: str = "지금 몇 {unit}인지 몰라서 늘리거나 줄일 수 없어요. 모두 몇 {unit}(으)로 할지 말씀해 주세요."
    action_error: str = "죄송해요, 요청을 처리하는 중에 문제가 생겼어요. 잠시 후 다시 시도해 주세요."
    no_scenario: str = "죄송해요, 그 요청은 아직 도와드릴 수 없어요."
    affirm: tuple[str, ...] = DEFAULT_AFFIRM
    deny: tuple[str, ...] = DEFAULT_DENY
    #: the answer to a bare yes (네, 좋아요: ``affirm``) after an answer, with nothing asked, when the
    #: model reads it as small talk or as nothing (not the thanks' 천만에요); "" leaves it to the model
    acknowledge: str = "네, 더 필요한 게 있으면 말씀해 주세요."
    #: the answer to a plain no to a confirmation question (the scenario stays, values kept)
    confirm_denied: str = "알겠어요. 무엇을 바꿀까요? 바꿀 내용을 말씀해 주세요."
    #: follow-ups (``부산은?`` after a weather answer) for every scenario that does not turn them off
    follow_up: bool = True
    #: a text of Latin letters the bot does not understand is read as typed on a Korean keyboard
    #: left in English mode (``tjdnf skfTl`` → ``서울 날씨``) when that reading is understood
    keyboard_fix: bool = True
    #: a value misspelled by a jamo inside a request (``내일 부샨 날씨 어때`` → 부산) is read as the
    #: dictionary's value: the model's value, and a word it did not tag for a slot still missing
    typo_fix: bool = True
    #: words that point back to the last value of an entity type said in the conversation,
    #: by type: ``{"location": ("거기", "그곳"), "date": ("그날",)}`` (``서울 날씨`` → ``거기 맛집``)
    refer: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: said after a slot's question when a one-value slot got several values joined (서울이랑
    #: 부산); ``{choices}`` is them (서울과 부산), offered as the turn's choices too
    choose_one: str = "{choices} 중 하나만 말씀해 주세요."
    #: said before that question asked again when the answer to it is 둘 다 (다, 전부): a one-value
    #: slot takes one; ``{choices}`` is the values offered
    one_at_a_time: str = "한 번에 하나씩만 할 수 있어요."
    #: said before the answers when a ``multiple`` slot got more values than it takes:
    #: ``{max}`` is the limit, ``{rest}`` the values left out
    too_many_values: str = "한 번에 {max}개까지만 답할 수 있어서 {rest}은/는 빼고 답할게요."
    #: a message of several requests (``기차 예매하고 부산 날씨도 알려줘``) is split at its clause
    #: boundaries and each request is handled in turn (docs/scenarios.md, section 3)
    split_requests: bool = True
    #: said when a request of such a message waits for the one being asked about; ``{request}``
    #: is the user's words for it, without the ending joining it to the next (예매하고 → 예매)
    queued: str = "'{request}' 요청은 지금 일이 끝나면 이어서 할게요."
    #: nothing under way, a request the model reads as a scenario with a ``title`` but not surely
    #: enough (below the cut, within ``clarify_band``) is asked about with this question
    #: (``{title}``, its particle pair fitted) instead of the fallback, the values it said kept:
    #: a yes starts that scenario with them. "" turns it off
    clarify: str = "혹시 '{title}'을/를 원하세요?"
    #: when the model's own fallback threshold is above ``confidence_threshold``: how far below it a
    #: best intent (sent to the model's fallback) is still asked about; when it is below, the range
    #: between the two is asked about (chosen on the demo's dev lists: bench/results/clarify.json)
    clarify_band: float = 0.1
    #: the answer to a no to that question
    clarify_denied: str = "알겠어요. 무엇을 도와드릴까요?"
    #: said before the question asked again when the user asks to wait (잠깐만요, 음 잠시만요)
    wait: str = "네, 천천히 말씀해 주세요."
    #: the question for an optional slot without a ``prompt`` named to change at a read-back
    #: (시간 바꿔줘): ``{slot}`` is the first of the slot's ``names``
    change_prompt: str = "{slot}을/를 어떻게 바꿀까요?"
    #: said before the question or the answer when a value said as a stop on the way (``서울에서 대전
    #: 거쳐 부산으로``, ``대전경유부산``) fills no slot (a type with several slots, none listing the word):
    #: ``{value}`` names it; "" says nothing
    stop_over: str = "경유지는 지정할 수 없어서 {value}은/는 빼고 진행할게요."


@dataclass(frozen=True)
class Scenarios:
    """Every scenario of a file, by intent, with the global settings and the file's name."""

    scenarios: Mapping[str, Scenario]
    settings: BotSettings = BotSettings()
    source: str = "<scenarios>"

    def __getitem__(self, intent: str) -> Scenario:
        return self.scenarios[intent]

    def __contains__(self, intent: object) -> bool:
        return intent in self.scenarios

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.scenarios.values())

    def __len__(self) -> int:
        return len(self.scenarios)

    @property
    def intents(self) -> tuple[str, ...]:
        return tuple(self.scenarios)

    @property
    def entity_types(self) -> frozenset[str]:
        return frozenset(t for s in self.scenarios.values() for t in s.entity_types)

    def check(self, intents: Iterable[str] | None = None,
              entity_types: Iterable[str] | None = None) -> None:
        """Raise :class:`ScenarioError` naming file and key of each unknown intent or entity type."""
        problems: list[str] = []
        known_i = sorted(set(intents)) if intents is not None else None
        known_e = sorted(set(entity_types)) if entity_types is not None else None
        for i, sc in enumerate(self.scenarios.values()):
            if known_i is not None and sc.intent not in known_i:
                problems.append(f"scenario[{i}].intent: unknown intent {sc.intent!r} "
                                f"(known: {', '.join(known_i)})")
            for j, sl in enumerate(sc.slots):
                if known_e is not None and sl.entity not in known_e:
                    problems.append(f"scenario[{i}].slot[{j}].entity: unknown entity type "
                                    f"{sl.entity!r} (known: {', '.join(known_e)})")
        for etype in self.settings.refer:
            if known_e is not None and etype not in known_e:
                problems.append(f"bot.refer.{etype}: unknown entity type {etype!r} (known: {', '.join(known_e)})")
        if problems:
            raise ScenarioError("\n".join(f"{self.source}: {p}" for p in problems))


def template_names(template: str) -> list[str]:
    """The slot names a response template uses, in order.

    >>> template_names("{origin}에서 {destination}(으)로 {{x}}")
    ['origin', 'destination']
    """
    return slot_names(template)


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders and fit the particle pair written right after each.

    The template language is :func:`nlukit.korean.render`'s (an empty value drops its
    particle too); the reply then keeps single spaces and no space at either end.
    """
    try:
        text = render(template, values)
    except InputError as exc:  # a slot without a value, or brackets written wrong (checked on load)
        raise ScenarioError(str(exc)) from None
    return re.sub(r" {2,}", " ", text).strip()


# ---------------------------------------------------------------------------- loading

def load_scenarios(path: str | os.PathLike[str], intents: Iterable[str] | None = None,
                   entity_types: Iterable[str] | None = None) -> Scenarios:
    """Read and check a scenario TOML file.

    ``intents`` and ``entity_types`` (usually the model's) are checked too. Every problem
    is reported at once, each as ``file: key: what is wrong``, in one :class:`ScenarioError`.
    """
    path = os.fspath(path)
    data = read_toml(path, "scenario", "scenarios/demo.toml")
    return parse_scenarios(data, source=path, intents=intents, entity_types=entity_types)


def read_toml(path: str, what: str, example: str) -> dict[str, Any]:
    """A UTF-8 TOML file (a BOM allowed) as data; every failure a :class:`ScenarioError`
    naming the file and the fix (``what``: "scenario" or "story"; ``example``: a path to name)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: {what} file not found; pass the path of a .toml file "
                            f"such as {example}") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the {what} file ({exc})") from None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 ({exc}); save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: invalid TOML: {exc}") from None


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(f"{self.source}: {key}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise ScenarioError("\n".join(self.items))


def _str(d: Mapping[str, Any], name: str, key: str, p: _Problems, required: bool = False) -> str | None:
    v = d.get(name)
    if v is None:
        if required:
            p.add(key, "missing; add it")
        return None
    if not isinstance(v, str) or not v.strip():
        p.add(key, f"must be a non-empty string, got {v!r}")
        return None
    return v


def _texts(d: Mapping[str, Any], name: str, key: str, p: _Problems) -> tuple[str, ...]:
    """A reply key: one template, or a list of wordings of it (the bot varies them)."""
    v = d.get(name)
    if v is None:
        return ()
    if isinstance(v, str) and v.strip():
        return (v,)
    if isinstance(v, list) and v and all(isinstance(x, str) and x.strip() for x in v):
        return tuple(v)
    p.add(key, f"must be a non-empty string or a list of them (several wordings), got {v!r}")
    return ()


def _str_list(v: Any, key: str, p: _Problems) -> tuple[str, ...] | None:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
        p.add(key, f"must be a non-empty string or list of strings, got {v!r}")
        return None
    return tuple(v)


_SLOT_KEYS = {"entity", "role", "prompt", "default", "required", "values", "pattern", "invalid", "particles",
              "differs_from", "multiple", "names", "unmarked", "counts"}
_SCENARIO_KEYS = {"intent", "title", "response", "action", "confirm", "follow_up", "carry_over", "resume", "small_talk", "slot"}
#: the longest ``title``: a name of a request (기차 예매, 진료 예약), said inside a question
TITLE_MAX = 30
_BOT_KEYS = {"fallback", "fallback_repeat", "fallback_repeat_after", "cancel", "cancel_reply",
             "session_expiry", "confidence_threshold", "max_turns", "max_turns_reply",
             "invalid_value", "inexact_amount", "inexact_count", "action_error", "no_scenario", "affirm", "deny", "confirm_denied",
             "follow_up", "keyboard_fix", "typo_fix", "refer", "choose_one", "one_at_a_time", "too_many_values",
             "split_requests", "queued", "acknowledge", "clarify", "clarify_denied", "clarify_band", "wait",
             "change_prompt", "stop_over", "count_unknown"}


def _parse_settings(d: Any, p: _Problems) -> BotSettings:
    if d is None:
        return BotSettings()
    if not isinstance(d, dict):
        p.add("bot", "must be a table ([bot])")
        return BotSettings()
    kw: dict[str, Any] = {}
    for k in sorted(set(d) - _BOT_KEYS):
        p.add(f"bot.{k}", f"unknown setting (known: {', '.join(sorted(_BOT_KEYS))})")
    for k in ("fallback", "fallback_repeat", "cancel", "affirm", "deny"):
        if k in d:
            v = _str_list(d[k], f"bot.{k}", p)
            if v is not None:
                kw[k] = v
    for k in ("cancel_reply", "max_turns_reply", "invalid_value", "inexact_amount", "inexact_count", "action_error", "no_scenario",
              "confirm_denied", "choose_one", "one_at_a_time", "too_many_values", "queued", "clarify_denied",
              "wait", "change_prompt", "count_unknown"):
        if k in d:
            text = _str(d, k, f"bot.{k}", p)
            if text is not None:
                kw[k] = text
    if "acknowledge" in d:   # "" turns it off
        if isinstance(d["acknowledge"], str):
            kw["acknowledge"] = d["acknowledge"].strip()
        else:
            p.add("bot.acknowledge", f'must be a string ("" for none), got {d["acknowledge"]!r}')
    if "stop_over" in d:   # "" turns it off
        if isinstance(d["stop_over"], str):
            kw["stop_over"] = d["stop_over"].strip()
        else:
            p.add("bot.stop_over", f'must be a string naming {{value}} ("" for none), got {d["stop_over"]!r}')
    if "clarify" in d:   # "" turns it off
        if isinstance(d["clarify"], str):
            kw["clarify"] = d["clarify"].strip()
        else:
            p.add("bot.clarify", f'must be a question naming {{title}}, e.g. clarify = "혹시 \'{{title}}\'을/를 '
                                 f'원하세요?", or "" to turn it off, got {d["clarify"]!r}')
    for k in ("follow_up", "keyboard_fix", "typo_fix", "split_requests"):
        if k in d:
            if isinstance(d[k], bool):
                kw[k] = d[k]
            else:
                p.add(f"bot.{k}", f"must be true or false, got {d[k]!r}")
    if "refer" in d:
        raw = d["refer"]
        if not isinstance(raw, dict):
            p.add("bot.refer", f"must be a table of entity type = [words], e.g. refer = {{ location = "
                               f"[\"거기\", \"그곳\"] }}, got {raw!r}")
        else:
            refer = {}
            for etype, words in raw.items():
                got = _str_list(words, f"bot.refer.{etype}", p)
                if got is not None:
                    refer[str(etype)] = tuple(dict.fromkeys(w.strip() for w in got))
            kw["refer"] = refer
    for k, lo, hi, kind in (("session_expiry", 1, None, (int, float)),
                            ("confidence_threshold", 0, 1, (int, float)),
                            ("clarify_band", 0, 1, (int, float)),
                            ("max_turns", 1, None, (int,)),
                            ("fallback_repeat_after", 1, None, (int,))):
        if k in d:
            v = d[k]
            if isinstance(v, bool) or not isinstance(v, kind) or v < lo or (hi is not None and v > hi):
                rng = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
                want = "an integer" if kind == (int,) else "a number"
                p.add(f"bot.{k}", f"must be {want} {rng}, got {v!r}")
            else:
                kw[k] = v
    return BotSettings(**kw)


def _parse_slot(d: Any, key: str, p: _Problems) -> Slot | None:
    if not isinstance(d, dict):
        p.add(key, "must be a table ([[scenario.slot]])")
        return None
    for k in sorted(set(d) - _SLOT_KEYS):
        p.add(f"{key}.{k}", f"unknown key (known: {', '.join(sorted(_SLOT_KEYS))})")
    entity = _str(d, "entity", f"{key}.entity", p, required=True)
    role = _str(d, "role", f"{key}.role", p)
    for k, v in (("entity", entity), ("role", role)):
        if v is not None and not _NAME_RE.match(v):
            p.add(f"{key}.{k}", f"{v!r} is not a valid name (letters, digits, _ . -)")
    prompts = _texts(d, "prompt", f"{key}.prompt", p)
    invalids = _texts(d, "invalid", f"{key}.invalid", p)
    prompt = prompts[0] if prompts else None
    invalid = invalids[0] if invalids else None
    default = d.get("default")
    if default is not None and (not isinstance(default, str) or not default.strip()):
        p.add(f"{key}.default", f"must be a non-empty string, got {default!r}")
        default = None
    required = d.get("required", default is None and "default" not in d)
    if not isinstance(required, bool):
        p.add(f"{key}.required", f"must be true or false, got {required!r}")
        required = True
    if required and default is not None:
        p.add(f"{key}.required", "a slot with a default is optional; drop 'required = true' "
                                 "or the default")
    if required and prompt is None:
        p.add(f"{key}.prompt", "a required slot needs a prompt to ask for it; add "
                               "prompt = \"...\" or make it optional (required = false)")
    values: str | tuple[str, ...] | None = None
    if "values" in d:
        v = d["values"]
        if v == "dictionary":
            values = "dictionary"
        elif isinstance(v, list) and v and all(isinstance(x, str) and x for x in v):
            values = tuple(v)
        else:
            p.add(f"{key}.values", f"must be \"dictionary\" or a list of strings, got {v!r}")
    pattern = None
    if "pattern" in d:
        src = d["pattern"]
        if not isinstance(src, str) or not src:
            p.add(f"{key}.pattern", f"must be a regular expression string, got {src!r}")
        else:
            try:
                pattern = re.compile(src)
            except re.error as exc:
                p.add(f"{key}.pattern", f"invalid regular expression {src!r}: {exc}")
    if values is not None and pattern is not None:
        p.add(key, "give either 'values' or 'pattern', not both")
    if default is not None and isinstance(values, tuple) and default not in values:
        p.add(f"{key}.default", f"{default!r} is not one of the allowed values {list(values)}")
    if default is not None and pattern is not None and not pattern.fullmatch(default):
        p.add(f"{key}.default", f"{default!r} does not match the slot's pattern")
    particles: tuple[str, ...] = ()
    if "particles" in d:
        got = _str_list(d["particles"], f"{key}.particles", p)
        # (으)로 lists both forms: 으로 after a final consonant, 로 otherwise (the bot takes either)
        particles = tuple(dict.fromkeys(x for q in got or () for x in (
            (q.replace("(으)", "으"), q.replace("(으)", "")) if "(으)" in q else (q,))))
    differs_from = _str(d, "differs_from", f"{key}.differs_from", p)
    multiple = _multiple(d.get("multiple", False), f"{key}.multiple", p)
    names: tuple[str, ...] = ()
    if "names" in d:
        names = tuple(x.strip() for x in _str_list(d["names"], f"{key}.names", p) or () if x.strip())
    unmarked = d.get("unmarked", False)
    if not isinstance(unmarked, bool):
        p.add(f"{key}.unmarked", f"must be true or false, got {unmarked!r}")
        unmarked = False
    counts = _str(d, "counts", f"{key}.counts", p)
    if entity is None:
        return None
    return Slot(entity=entity, role=role, prompt=prompt, default=default, required=required,
                values=values, pattern=pattern, invalid=invalid, particles=particles,
                differs_from=differs_from, multiple=multiple, names=names, unmarked=unmarked, counts=counts,
                variants={k: v for k, v in (("prompt", prompts), ("invalid", invalids)) if len(v) > 1})


def _multiple(v: Any, key: str, p: _Problems) -> int:
    """``multiple``: false (one value), true (up to :data:`MULTIPLE_DEFAULT`) or a limit from 2."""
    if v is False:
        return 0
    if v is True:
        return MULTIPLE_DEFAULT
    if isinstance(v, int) and not isinstance(v, bool) and v >= 2:
        return v
    p.add(key, f"must be true, false or the most values taken at once (2 or more), got {v!r}")
    return 0


def _check_counts(slots: list[Slot], key: str, p: _Problems) -> list[tuple[str, str]]:
    """The (item, count) slot names of a scenario's ``counts`` slots, each checked: it names another
    slot, a ``multiple`` one, and has a prompt (it asks the count of an item said without one)."""
    out: list[tuple[str, str]] = []
    names = {s.name: s for s in slots}
    for j, slot in enumerate(slots):
        if slot.counts is None:
            continue
        at = f"{key}.slot[{j}].counts"
        item = names.get(slot.counts)
        if item is None or item is slot:
            p.add(at, f"names slot {slot.counts!r}, which is not another slot of the scenario (slots: "
                      f"{', '.join(sorted(names))}); name the slot of the things counted, e.g. counts = \"menu\"")
        elif not item.multiple:
            p.add(at, f"slot {item.name!r} takes one value; an order of several items needs multiple = true on "
                      f"{item.name!r} (or drop counts: one item and one count work without it)")
        elif out:
            p.add(at, f"a scenario counts one slot's items, and {out[0][1]!r} already counts {out[0][0]!r}")
        elif slot.prompt is None:
            p.add(f"{key}.slot[{j}].prompt", f"a slot that counts items asks the count of an item said with none "
                                            f"or a rough one; add e.g. prompt = \"{{{item.name}}}은/는 몇 개 드릴까요?\"")
        else:
            out.append((item.name, slot.name))
    return out


def _order_templates(tpls: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    """``tpls`` with ``{item} {count}`` (or ``{item}{count}``) as ``{item}``, which the bot fills with
    every item and its count (``짜장면 2개, 짬뽕 1개``); the count alone elsewhere is the total."""
    item, count = pair
    return tuple(re.sub(r"\{" + re.escape(item) + r"\}[ ]?\{" + re.escape(count) + r"\}", "{" + item + "}", t)
                 for t in tpls)


def _where_the_module_is(mod_name: str, exc: Exception, source: str) -> str:
    """How to make an action's module importable: when the module is not found and its file
    sits next to the scenario file (``actions.py`` beside ``scenarios.toml``), the folder to
    run from or to put on PYTHONPATH."""
    top = mod_name.split(".")[0]
    folder = os.path.dirname(os.path.abspath(source)) if os.path.isfile(source) else None
    if isinstance(exc, ModuleNotFoundError) and exc.name == top and folder is not None and (
            os.path.isfile(os.path.join(folder, top + ".py")) or os.path.isdir(os.path.join(folder, top))):
        return (f"{top} is in {folder}, the scenario file's folder, which is not on the module path: "
                f"run nlukit from there, or set PYTHONPATH={folder}")
    return "check the module path and that it is importable (PYTHONPATH; the current folder is on it)"


def _resolve_action(spec: str, key: str, p: _Problems) -> tuple[Action | None, bool]:
    if not _ACTION_RE.match(spec):
        p.add(key, f"{spec!r} is not 'package.module:function'")
        return None, True
    mod_name, fn_name = spec.split(":")
    try:
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            # the current folder is on the module path as with `python -m`: the `nlukit` command
            # (a console script) has only its own bin folder there, so an actions.py in the folder
            # nlukit runs from was not found although the docs and this error said it would be
            top, here = mod_name.split(".")[0], os.getcwd()
            if exc.name != top or here in sys.path or not (
                    os.path.isfile(os.path.join(here, top + ".py")) or os.path.isdir(os.path.join(here, top))):
                raise
            sys.path.append(here)   # after the installed packages: nothing of theirs is shadowed
            mod = importlib.import_module(mod_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is a scenario problem
        p.add(key, f"cannot import module {mod_name!r} ({type(exc).__name__}: {exc}); "
                   + _where_the_module_is(mod_name, exc, p.source))
        return None, True
    fn = getattr(mod, fn_name, None)
    if not callable(fn):
        names = sorted(n for n, v in vars(mod).items() if inspect.isfunction(v) and not n.startswith("_")
                       and getattr(v, "__module__", None) == mod.__name__)
        p.add(key, f"module {mod_name!r} ({getattr(mod, '__file__', None) or mod_name}) has no function "
                   f"{fn_name!r}" + (f"; its functions: {', '.join(names)}" if names else ""))
        return None, True
    try:
        params = [q for q in inspect.signature(fn).parameters.values()
                  if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD, q.VAR_POSITIONAL)]
        takes_context = len(params) >= 2 or any(q.kind == q.VAR_POSITIONAL for q in params)
        if not params:
            p.add(key, f"{spec} must take the filled slots as its first argument: "
                       "def action(slots, context) -> str")
    except (TypeError, ValueError):
        takes_context = True
    return fn, takes_context


def _check_brackets(template: str, key: str, p: _Problems) -> None:
    """An optional part ``[...]`` of a template written wrong is named with its fix."""
    problem = template_problem(template)
    if problem is not None:
        p.add(key, f"{template!r}: {problem}")


def parse_scenarios(data: Mapping[str, Any], source: str = "<scenarios>",
                    intents: Iterable[str] | None = None,
                    entity_types: Iterable[str] | None = None) -> Scenarios:
    """Build :class:`Scenarios` from already-parsed TOML data; see :func:`load_scenarios`."""
    p = _Problems(source)
    for k in sorted(set(data) - {"bot", "scenario"}):
        p.add(k, "unknown top-level key (known: bot, scenario)")
    settings = _parse_settings(data.get("bot"), p)
    raw = data.get("scenario")
    if raw is None:
        p.add("scenario", "no [[scenario]] tables; add at least one")
        raw = []
    elif not isinstance(raw, list):
        p.add("scenario", "must be an array of tables ([[scenario]])")
        raw = []
    known_i = sorted(set(intents)) if intents is not None else None
    known_e = sorted(set(entity_types)) if entity_types is not None else None
    for etype in settings.refer:
        if known_e is not None and etype not in known_e:
            p.add(f"bot.refer.{etype}", f"unknown entity type {etype!r} (known: {', '.join(known_e)})")
    scenarios: dict[str, Scenario] = {}
    for i, sd in enumerate(raw):
        key = f"scenario[{i}]"
        if not isinstance(sd, dict):
            p.add(key, "must be a table")
            continue
        for k in sorted(set(sd) - _SCENARIO_KEYS):
            p.add(f"{key}.{k}", f"unknown key (known: {', '.join(sorted(_SCENARIO_KEYS))})")
        intent = _str(sd, "intent", f"{key}.intent", p, required=True)
        if intent is not None:
            if known_i is not None and intent not in known_i:
                p.add(f"{key}.intent", f"unknown intent {intent!r} (known: {', '.join(known_i)})")
            if intent in scenarios:
                p.add(f"{key}.intent", f"intent {intent!r} already has a scenario; merge them")
        slots_raw = sd.get("slot", [])
        if not isinstance(slots_raw, list):
            p.add(f"{key}.slot", "must be an array of tables ([[scenario.slot]])")
            slots_raw = []
        slots: list[Slot] = []
        names: set[str] = set()
        for j, sl in enumerate(slots_raw):
            skey = f"{key}.slot[{j}]"
            slot = _parse_slot(sl, skey, p)
            if slot is None:
                continue
            if known_e is not None and slot.entity not in known_e:
                p.add(f"{skey}.entity", f"unknown entity type {slot.entity!r} "
                                        f"(known: {', '.join(known_e)})")
            if slot.name in names:
                p.add(skey, f"a second slot named {slot.name!r}; give each slot of the same "
                            "entity type its own role")
            names.add(slot.name)
            slots.append(slot)
        responses = _texts(sd, "response", f"{key}.response", p)
        response = responses[0] if responses else None
        action = _str(sd, "action", f"{key}.action", p)
        if response is None and action is None and "response" not in sd and "action" not in sd:
            p.add(key, "needs a 'response' template or an 'action' (package.module:function)")
        if response is not None and action is not None:
            p.add(key, "give either 'response' or 'action', not both")
        confirms = _texts(sd, "confirm", f"{key}.confirm", p)
        confirm = confirms[0] if confirms else None
        for k, tpls in (("response", responses), ("confirm", confirms)):
            for n, tpl in enumerate(tpls):
                at = f"{key}.{k}" + (f"[{n}]" if len(tpls) > 1 else "")
                _check_brackets(tpl, at, p)
                for name in template_names(tpl):
                    if name not in names:
                        p.add(at, f"names slot {{{name}}} that the scenario does not "
                                  f"have (slots: {', '.join(sorted(names)) or 'none'})")
        several = [(j, s) for j, s in enumerate(slots) if s.multiple]
        for j, slot in several[1:]:
            p.add(f"{key}.slot[{j}].multiple",
                  f"only one slot of a scenario may be 'multiple' (it answers once per value), and slot "
                  f"{several[0][1].name!r} already is; drop it from one of {several[0][1].name!r} and "
                  f"{slot.name!r}, keeping it on the slot users list most (a weather's location)")
        for j, slot in enumerate(slots):
            if slot.unmarked and sum(s.entity == slot.entity for s in slots) < 2:
                p.add(f"{key}.slot[{j}].unmarked", f"slot {slot.name!r} is the only slot of type {slot.entity!r}: "
                                                   "every value of its type goes to it; drop 'unmarked = true' "
                                                   "(it picks one of several slots of a type, a trip's destination)")
            if slot.unmarked and any(s.unmarked and s.entity == slot.entity for s in slots[:j]):
                p.add(f"{key}.slot[{j}].unmarked", f"another slot of type {slot.entity!r} is already 'unmarked'; "
                                                   "only one slot of a type can take the values said unmarked")
            if slot.differs_from is not None and slot.differs_from not in names - {slot.name}:
                p.add(f"{key}.slot[{j}].differs_from", f"names slot {slot.differs_from!r} that the scenario "
                                                       f"does not have (slots: {', '.join(sorted(names))})")
            for k in ("prompt", "invalid"):
                tpls = slot.wordings(k)
                for n, tpl in enumerate(tpls):
                    at = f"{key}.slot[{j}].{k}" + (f"[{n}]" if len(tpls) > 1 else "")
                    _check_brackets(tpl, at, p)
                    for name in template_names(tpl):
                        if name not in names and not (k == "invalid" and name == "value"):
                            p.add(at, f"names slot {{{name}}} that the scenario does not have")
        follow_up = sd.get("follow_up", True)
        if not isinstance(follow_up, bool):
            p.add(f"{key}.follow_up", f"must be true or false, got {follow_up!r}")
            follow_up = True
        carry_over = sd.get("carry_over", False)
        if not isinstance(carry_over, bool):
            p.add(f"{key}.carry_over", f"must be true or false, got {carry_over!r}")
            carry_over = False
        resume = sd.get("resume", False)
        if not isinstance(resume, (bool, str)) or resume == "":
            p.add(f"{key}.resume", f"must be true, false or the text to say in passing, got {resume!r}")
            resume = False
        elif resume and confirm is not None:
            p.add(f"{key}.resume", "a scenario with confirm cannot answer in passing (its read-back would "
                                   "leave the request under way waiting); drop resume or confirm")
            resume = False
        elif isinstance(resume, str) and (slots or action is not None):
            p.add(f"{key}.resume", "a scenario with slots or an action answers in passing with its own "
                                   "response or action; set resume = true instead of a text")
            resume = False
        small_talk = sd.get("small_talk", True)
        if not isinstance(small_talk, bool):
            p.add(f"{key}.small_talk", f"must be true or false, got {small_talk!r}")
            small_talk = True
        elif small_talk is False and (slots or action is not None or confirm is not None):
            p.add(f"{key}.small_talk", "a scenario with slots, an action or confirm is never small talk; "
                                       "drop small_talk")
        title = sd.get("title")
        if title is not None:
            if not isinstance(title, str) or not title.strip():
                p.add(f"{key}.title", f'must be a short name of the request, e.g. title = "기차 예매", got {title!r}')
                title = None
            elif len(title.strip()) > TITLE_MAX or "\n" in title:
                p.add(f"{key}.title", f"{title!r} is too long for a question (at most {TITLE_MAX} characters on one "
                                      f'line); name the request in a few words, e.g. title = "기차 예매"')
                title = None
            else:
                title = title.strip()
                same = [s.intent for s in scenarios.values() if s.title == title]
                if same:
                    p.add(f"{key}.title", f"{title!r} is already the title of the {same[0]!r} scenario; give each "
                                          "scenario its own, so a user can tell which is offered")
        pairs = _check_counts(slots, key, p)
        if pairs:   # {menu} {quantity}, written for one item, says each item with its count: 짜장면 2개, 짬뽕 1개
            responses, confirms = _order_templates(responses, pairs[0]), _order_templates(confirms, pairs[0])
            response = responses[0] if responses else response
            confirm = confirms[0] if confirms else confirm
        fn, takes_ctx = (None, True)
        if action is not None:
            fn, takes_ctx = _resolve_action(action, f"{key}.action", p)
        if intent is not None and intent not in scenarios:
            scenarios[intent] = Scenario(intent=intent, slots=tuple(slots), response=response,
                                         action=action, action_fn=fn, action_takes_context=takes_ctx,
                                         confirm=confirm, follow_up=follow_up, carry_over=carry_over, resume=resume,
                                         small_talk=small_talk, title=title, variants={k: v for k, v in (("response", responses),
                                                                     ("confirm", confirms)) if len(v) > 1})
    for k, tpl, allowed in (("bot.invalid_value", settings.invalid_value, ("value",)),
                            ("bot.inexact_amount", settings.inexact_amount, ("value",)),
                            ("bot.inexact_count", settings.inexact_count, ("value",)),
                            ("bot.count_unknown", settings.count_unknown, ("unit",)),
                            ("bot.choose_one", settings.choose_one, ("choices",)),
                            ("bot.one_at_a_time", settings.one_at_a_time, ("choices",)),
                            ("bot.too_many_values", settings.too_many_values, ("max", "rest")),
                            ("bot.queued", settings.queued, ("request",)),
                            ("bot.change_prompt", settings.change_prompt, ("slot",)),
                            ("bot.stop_over", settings.stop_over, ("value",)),
                            ("bot.clarify", settings.clarify, ("title",))):
        _check_brackets(tpl, k, p)
        for name in template_names(tpl):
            if name not in allowed:
                p.add(k, f"may only name {' and '.join('{' + a + '}' for a in allowed)}, not {{{name}}}")
    if settings.clarify and "title" not in template_names(settings.clarify):
        p.add("bot.clarify", f"{settings.clarify!r} does not name {{title}}, the request asked about; write e.g. "
                             "clarify = \"혹시 '{title}'을/를 원하세요?\", or \"\" to turn it off")
    p.raise_if_any()
    return Scenarios(scenarios=scenarios, settings=settings, source=source)
