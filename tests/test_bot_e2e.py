"""The bot over a real (tiny) trained model: bare answers the intent model cannot read still fill slots.

A tiny model is trained once from the 32-sentence fixture of tests/fixtures/model
(weather, train_ticket, greeting; location with origin/destination roles, date).
"""
from __future__ import annotations

import os
import shutil

import pytest

import nlukit
from nlukit.bot import Bot
from nlukit.bot.scenario import parse_scenarios

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "model")

pytestmark = pytest.mark.slow

SCENARIOS = {
    "bot": {"fallback": ["잘 모르겠어요."], "confidence_threshold": 0.5},
    "scenario": [
        {"intent": "greeting", "response": "안녕하세요!"},
        {"intent": "weather", "response": "{date} {location}의 날씨를 알려드릴게요.",
         "slot": [{"entity": "location", "prompt": "어느 지역이요?"}, {"entity": "date", "default": "오늘"}]},
        {"intent": "train_ticket", "response": "{date} {origin}에서 {destination}(으)로 가는 기차를 예매할게요.",
         "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서 출발하세요?"},
                  {"entity": "location", "role": "destination", "prompt": "{origin}에서 어디로 가세요?"},
                  {"entity": "date", "prompt": "언제 출발하세요?"}]},
    ],
}


@pytest.fixture(scope="module")
def nlu(tmp_path_factory: pytest.TempPathFactory):
    import torch

    torch.set_num_threads(1)
    data = tmp_path_factory.mktemp("data") / "fit"
    shutil.copytree(FIXTURE, data)
    shutil.copy(data / "train.jsonl", data / "valid.jsonl")
    out = tmp_path_factory.mktemp("models") / "tiny"
    nlukit.train(str(data), str(out), config=os.path.join(FIXTURE, "tiny.toml"), progress=False)
    return nlukit.load(str(out))


def test_should_hold_a_slot_filling_conversation_over_the_real_model(nlu):
    bot = Bot(nlu, parse_scenarios(SCENARIOS, intents=nlu.intents, entity_types=nlu.entity_types))
    table = [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("대전이요", "대전에서 어디로 가세요?", "ask_slot"),     # bare: fills the asked origin
        ("부산", "언제 출발하세요?", "ask_slot"),
        ("낼", "내일 대전에서 부산으로 가는 기차를 예매할게요.", "complete"),   # synonym → canonical
        ("서울에서 광주로 가는 기차 예매해줘", "언제 출발하세요?", "ask_slot"),
        ("광주 날씨 어때", "오늘 광주의 날씨를 알려드릴게요.", "complete"),      # confident switch
        ("음 글쎄", "잘 모르겠어요.", "fallback"),
    ]
    seen = []
    for text, reply, state in table:
        turn = bot.handle("u1", text)
        seen.append((text, turn.reply, turn.state))
        assert reply in turn.reply and turn.state == state, seen
