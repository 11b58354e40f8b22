"""The chatbot runtime: scenarios (TOML), the slot-filling :class:`Bot`, session stores.

Usage::

    import nlukit
    from nlukit.bot import Bot, load_scenarios, open_store

    nlu = nlukit.load("models/demo")
    scenarios = load_scenarios("scenarios/demo.toml", nlu.intents, nlu.entity_types)
    bot = Bot(nlu, scenarios, store=open_store("redis://localhost:6379/0"))
    bot.handle("user-1", "기차 예매해줘").to_dict()   # {"reply": "어디에서 출발하세요?", "state": "ask_slot", ...}

    # one JSON line per turn, for `nlukit review` (session ids hashed; TurnLog(path, raw_session_ids=True))
    bot = Bot(nlu, scenarios, log="logs/turns.jsonl")
"""
from __future__ import annotations

from .dialogue import STATES, Bot, Parser, Turn
from .scenario import BotSettings, Scenario, Scenarios, Slot, load_scenarios, render_template
from .store import MemoryStore, RedisStore, SessionStore, open_store
from .stories import Story, StoryResult, load_stories, run_stories
from .turnlog import TurnLog, read_turns

__all__ = ["STATES", "Bot", "BotSettings", "MemoryStore", "Parser", "RedisStore", "Scenario",
           "Scenarios", "SessionStore", "Slot", "Story", "StoryResult", "Turn", "TurnLog", "load_scenarios",
           "load_stories", "open_store", "read_turns", "render_template", "run_stories"]
