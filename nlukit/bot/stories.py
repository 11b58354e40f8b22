"""Conversation tests: stories of user turns and what the bot must answer, run against a bot.

A story file (TOML) holds one ``[[story]]`` per conversation::

    [[story]]
    name = "기차 예매: 확인 뒤 목적지 수정"
    today = "2026-11-22"            # optional: relative dates count from it
    turns = [
      ["내일 서울에서 부산으로 가는 기차 예매해줘", "예매할까요?", "confirm"],
      ["아니 대구로", "대구로", "confirm"],
      ["네", "예매했어요", "complete"],
    ]

A turn is ``[user, reply, state]`` (the reply a substring of the bot's, ``""`` for any;
the state optional) or a table ``{user = "...", reply = "...", state = "...", intent =
"...", slots = {origin = "서울"}}`` where every key but ``user`` is optional and ``slots``
names only the slots to check. Each story runs in a session of its own, from the start.

>>> stories = parse_stories({"story": [{"name": "인사", "turns": [["안녕", "안녕하세요", "complete"]]}]})
>>> stories[0].name, stories[0].turns[0].state
('인사', 'complete')
"""
from __future__ import annotations

import datetime
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ScenarioError
from .dialogue import STATES
from .scenario import read_toml
from .store import MemoryStore

__all__ = ["Expect", "Story", "StoryResult", "load_stories", "parse_stories", "run_stories"]


@dataclass(frozen=True)
class Expect:
    """One user turn and what the bot's answer must show (None: not checked)."""

    user: str
    reply: str | None = None
    state: str | None = None
    intent: str | None = None
    slots: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Story:
    name: str
    turns: tuple[Expect, ...]
    today: datetime.date | None = None


@dataclass
class StoryResult:
    """How a story went: every turn played up to the first that missed its expectation."""

    story: Story
    transcript: list[str] = field(default_factory=list)
    failure: str | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None


def load_stories(path: str | os.PathLike[str]) -> list[Story]:
    """Read a story file; every problem is reported at once as ``file: key: what is wrong``."""
    path = os.fspath(path)
    data = read_toml(path, "story", "stories/demo.toml")
    return parse_stories(data, source=path)


def _turn(raw: Any, key: str, problems: list[str]) -> Expect | None:
    if isinstance(raw, list):
        if not 1 <= len(raw) <= 3 or not all(isinstance(x, str) for x in raw):
            problems.append(f"{key}: must be [user, reply, state] (1 to 3 strings), got {raw!r}")
            return None
        raw = dict(zip(("user", "reply", "state"), raw, strict=False))
    if not isinstance(raw, dict):
        problems.append(f"{key}: must be [user, reply, state] or a table with user = \"...\"")
        return None
    for k in sorted(set(raw) - {"user", "reply", "state", "intent", "slots"}):
        problems.append(f"{key}.{k}: unknown key (known: intent, reply, slots, state, user)")
    user = raw.get("user")
    if not isinstance(user, str) or not user.strip():
        problems.append(f"{key}.user: the user's text is missing; add user = \"...\"")
        return None
    for k in ("reply", "intent"):
        if k in raw and not isinstance(raw[k], str):
            problems.append(f"{key}.{k}: must be a string, got {raw[k]!r}")
    state = raw.get("state") or None
    if state is not None and state not in STATES:
        problems.append(f"{key}.state: unknown state {state!r} (one of {', '.join(STATES)})")
    slots = raw.get("slots")
    if slots is not None and not (isinstance(slots, dict) and all(isinstance(v, str) for v in slots.values())):
        problems.append(f"{key}.slots: must be a table of slot = \"value\", got {slots!r}")
        slots = None
    return Expect(user, raw.get("reply") or None, state, raw.get("intent") or None, slots)


def parse_stories(data: Mapping[str, Any], source: str = "<stories>") -> list[Story]:
    """Build the stories of already-parsed TOML data; see :func:`load_stories`."""
    problems: list[str] = []
    raw = data.get("story")
    for k in sorted(set(data) - {"story"}):
        problems.append(f"{k}: unknown top-level key (known: story)")
    if not isinstance(raw, list) or not raw:
        problems.append("story: no [[story]] tables; add at least one")
        raw = []
    stories: list[Story] = []
    names: set[str] = set()
    for i, sd in enumerate(raw):
        key = f"story[{i}]"
        if not isinstance(sd, dict):
            problems.append(f"{key}: must be a table")
            continue
        for k in sorted(set(sd) - {"name", "today", "turns", "turn"}):
            problems.append(f"{key}.{k}: unknown key (known: name, today, turn, turns)")
        name = sd.get("name", f"story {i + 1}")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{key}.name: must be a non-empty string, got {name!r}")
            name = f"story {i + 1}"
        if name in names:
            problems.append(f"{key}.name: a second story named {name!r}; give each its own name")
        names.add(name)
        today = sd.get("today")
        if isinstance(today, str):
            try:
                today = datetime.date.fromisoformat(today)
            except ValueError:
                problems.append(f"{key}.today: {today!r} is not a date; write it as YYYY-MM-DD")
                today = None
        elif isinstance(today, datetime.datetime) or (today is not None and not isinstance(today, datetime.date)):
            problems.append(f"{key}.today: must be a date (2026-11-22), got {today!r}")
            today = None
        if "turns" in sd and "turn" in sd:
            problems.append(f"{key}: give its turns either as turns = [...] or as [[story.turn]] tables, not both")
        raw_turns = sd.get("turns") or sd.get("turn") or []
        if not isinstance(raw_turns, list):
            problems.append(f"{key}.turns: must be an array of turns")
            raw_turns = []
        if not raw_turns:
            problems.append(f"{key}: no turns; add turns = [[\"user text\", \"reply\", \"state\"], ...]")
        named = "turns" if "turns" in sd else "turn"   # [[story.turn]] tables are story[i].turn[j]
        turns = [_turn(t, f"{key}.{named}[{j}]", problems) for j, t in enumerate(raw_turns)]
        stories.append(Story(name, tuple(t for t in turns if t is not None), today))
    if problems:
        raise ScenarioError("\n".join(f"{source}: {p}" for p in problems))
    return stories


def _miss(expect: Expect, turn: Any, scenarios: Any = None) -> str | None:
    """What in ``turn`` breaks ``expect``, or None. With ``scenarios``, a slot name that no
    scenario has is said to be one (``department`` for ``dept``), not only to be None."""
    if expect.reply is not None and expect.reply not in turn.reply:
        return f"the reply should contain {expect.reply!r}"
    if expect.state is not None and turn.state != expect.state:
        return f"the state should be {expect.state!r}, was {turn.state!r}"
    if expect.intent is not None and turn.intent != expect.intent:
        return f"the intent should be {expect.intent!r}, was {turn.intent!r}"
    for name, value in (expect.slots or {}).items():
        if turn.slots.get(name) != value:
            unknown = _unknown_slot(name, turn, scenarios)
            return f"slot {name!r} should be {value!r}, was {turn.slots.get(name)!r}" + (
                f" ({unknown})" if unknown else "")
    return None


def _unknown_slot(name: str, turn: Any, scenarios: Any) -> str | None:
    """Why a story's slot name can never be filled: no scenario has it (names are the slot's
    role, else its entity type), or None."""
    known = getattr(scenarios, "scenarios", None)
    if not known:
        return None
    every = {sl.name for sc in known.values() for sl in sc.slots}
    if name not in every:
        return f"no scenario has a slot {name!r}; the slots: {', '.join(sorted(every)) or 'none'}"
    sc = known.get(turn.intent or "")
    if sc is not None and name not in {sl.name for sl in sc.slots}:
        return (f"scenario {sc.intent!r} has no slot {name!r}; its slots: "
                f"{', '.join(sorted(sl.name for sl in sc.slots)) or 'none'}")
    return None


def run_stories(bot: Any, stories: Sequence[Story], *, today: datetime.date | None = None) -> list[StoryResult]:
    """Play each story in a fresh session of ``bot`` (its parser and scenarios, a private
    in-memory store); stop a story at its first miss."""
    from .dialogue import Bot

    private = Bot(bot.parser, bot.scenarios, store=MemoryStore(), check=False)
    results = []
    seen: dict[str, int] = {}
    for story in stories:
        result = StoryResult(story)
        # named by the story, not its place: a reply with several wordings picks by the session
        # id, so moving or adding a story leaves what the others read unchanged
        seen[story.name] = seen.get(story.name, 0) + 1
        session = f"story:{story.name}:{seen[story.name]}"
        for expect in story.turns:
            turn = private.handle(session, expect.user, today=story.today or today)
            shown = turn.reply.replace("\n", "\n    ")   # a reply of several lines stays indented
            result.transcript.append(f"  > {expect.user}\n    {shown}  [{turn.state}]")
            miss = _miss(expect, turn, private.scenarios)
            if miss is not None:
                result.failure = f"turn {expect.user!r}: {miss}"
                break
        results.append(result)
    return results
