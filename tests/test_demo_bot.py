"""The shipped demo bot, trained as `make demo` trains it, holds the conversations of
stories/demo.toml (the ones README shows): confirmation, follow-ups, number words."""
from __future__ import annotations

import os

import pytest

import nlukit
from nlukit.bot import Bot, load_scenarios, load_stories, run_stories

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.slow


def test_should_hold_every_demo_story_when_trained_as_make_demo_trains(tmp_path) -> None:
    # Given the demo bot made as the Makefile makes it (300 sentences per intent, seed 13,
    # the test split taught too)
    data, model = tmp_path / "data", tmp_path / "model"
    nlukit.generate(os.path.join(ROOT, "patterns"), os.path.join(ROOT, "dicts"), str(data), seed=13,
                    progress=False)
    nlukit.train(str(data), str(model), overrides=["train.include_test=true", "train.threads=2"], progress=False)
    nlu = nlukit.load(str(model))
    bot = Bot(nlu, load_scenarios(os.path.join(ROOT, "scenarios", "demo.toml"), nlu.intents, nlu.entity_types))
    # Then every story passes
    results = run_stories(bot, load_stories(os.path.join(ROOT, "stories", "demo.toml")))
    failed = [f"{r.story.name}: {r.failure}\n" + "\n".join(r.transcript) for r in results if not r.passed]
    assert len(results) >= 5 and failed == []
    # And a KakaoTalk user books through the skill route with the same model and scenarios
    from nlukit.server import create_app
    client = create_app(nlu=nlu, scenarios=os.path.join(ROOT, "scenarios", "demo.toml"),
                        settings={"torch_threads": 0, "kakao_token_env": ""}).test_client()

    def kakao(text: str) -> dict:
        body = {"userRequest": {"utterance": text, "timezone": "Asia/Seoul",
                                "user": {"id": "demo-user", "type": "botUserKey"}}}
        resp = client.post("/kakao/skill", json=body)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()["template"]

    asked = kakao("내일 서울에서 부산으로 가는 기차 예매해줘")
    assert [o["simpleText"]["text"] for o in asked["outputs"]] == ["내일 서울에서 부산으로 가는 기차를 예매할까요?"]
    assert [q["messageText"] for q in asked["quickReplies"]] == ["네", "아니요"]
    booked = kakao(asked["quickReplies"][0]["messageText"])
    assert [o["simpleText"]["text"] for o in booked["outputs"]] == ["내일 서울에서 부산으로 가는 기차를 예매했어요."]
