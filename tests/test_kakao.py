"""The KakaoTalk channel: Kakao i Open Builder skill requests in, skill answers out.

Given the real Bot over the keyword stand-in parser, when KakaoTalk users' utterances
arrive as skill payloads at ``POST /kakao/skill``, then each user has their own
conversation, answers keep Kakao's limits (1,000 characters a bubble, 3 bubbles, 10
quick replies, 14-character labels), a confirmation offers yes and no, relative dates
are read in the user's time zone, and bad or unauthorised requests get JSON errors.
"""
from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from nlukit import kakao
from nlukit.errors import InputError

pytest.importorskip("flask")

from test_server_fakes import SCENARIOS_TOML, FakeNLU  # noqa: E402

from nlukit.server import create_app  # noqa: E402

# the server tests' scenarios, with a confirmation and listed origins for the quick replies
SCENARIOS = SCENARIOS_TOML.replace(
    'response = "{origin}에서 {destination}(으)로 가는 기차를 예매할게요."',
    'confirm = "{origin}에서 {destination}(으)로 가는 기차를 예매할까요?"\n'
    'response = "{origin}에서 {destination}(으)로 가는 기차를 예매했어요."').replace(
    'prompt = "어디에서 출발하세요?"', 'prompt = "어디에서 출발하세요?"\nvalues = ["서울", "부산", "대구"]')


def payload(text: str, user: Any = "u1", timezone: str | None = "Asia/Seoul") -> dict[str, Any]:
    """A skill payload as Kakao i Open Builder sends it (the fields nlukit ignores included)."""
    request: dict[str, Any] = {
        "block": {"id": "blk", "name": "폴백 블록"}, "utterance": text, "lang": "ko",
        "params": {"ignoreMe": "true"},
        "user": {"id": user, "type": "botUserKey", "properties": {"plusfriendUserKey": "pk"}}}
    if timezone is not None:
        request["timezone"] = timezone
    return {"intent": {"id": "blk", "name": "폴백 블록"}, "userRequest": request,
            "bot": {"id": "bot", "name": "기차봇"},
            "action": {"id": "act", "name": "nlukit", "params": {}, "detailParams": {},
                       "clientExtra": {}}}


@pytest.fixture
def nlu() -> FakeNLU:
    return FakeNLU()


def app_client(tmp_path: Any, nlu: FakeNLU, **settings: Any) -> Any:
    path = tmp_path / "scenarios.toml"
    path.write_text(SCENARIOS, encoding="utf-8")
    return create_app(nlu=nlu, scenarios=str(path),
                      settings={"torch_threads": 0, "kakao_token_env": "", **settings}).test_client()


@pytest.fixture
def client(tmp_path: Any, nlu: FakeNLU) -> Any:
    return app_client(tmp_path, nlu)


def post(client: Any, body: Any, path: str = "/kakao/skill", **kw: Any) -> Any:
    return client.post(path, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                       content_type="application/json", **kw)


def say(client: Any, text: str, user: str = "u1") -> dict[str, Any]:
    resp = post(client, payload(text, user))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["version"] == "2.0"
    return body["template"]


def texts(template: dict[str, Any]) -> list[str]:
    return [o["simpleText"]["text"] for o in template["outputs"]]


def buttons(template: dict[str, Any]) -> list[tuple[str, str]]:
    assert all(q["action"] == "message" for q in template.get("quickReplies", []))
    return [(q["label"], q["messageText"]) for q in template.get("quickReplies", [])]


# -- a conversation through the skill route ---------------------------------------------------
def test_should_hold_a_kakao_users_conversation_through_the_confirmation(client: Any) -> None:
    first = say(client, "기차 예매해줘")
    assert texts(first) == ["어디에서 출발하세요?"]
    assert buttons(first) == [("서울", "서울"), ("부산", "부산"), ("대구", "대구")]
    second = say(client, "부산")
    assert texts(second) == ["어디로 가세요?"] and buttons(second) == []
    third = say(client, "광주")
    assert texts(third) == ["부산에서 광주로 가는 기차를 예매할까요?"]
    assert buttons(third) == [("네", "네"), ("아니요", "아니요")]
    done = say(client, "네")
    assert texts(done) == ["부산에서 광주로 가는 기차를 예매했어요."]
    assert "quickReplies" not in done


def test_should_keep_each_kakao_user_in_a_session_of_their_own(client: Any) -> None:
    assert texts(say(client, "기차 예매해줘", user="alice")) == ["어디에서 출발하세요?"]
    assert texts(say(client, "안녕", user="bob")) == ["안녕하세요! 무엇을 도와드릴까요?"]
    assert texts(say(client, "대구", user="alice")) == ["어디로 가세요?"]
    # and apart from /chat sessions of the same name
    resp = post(client, {"session_id": "alice", "text": "서울"}, path="/chat")
    assert resp.get_json()["state"] == "fallback"


def test_should_read_relative_dates_in_the_kakao_users_time_zone(client: Any, nlu: FakeNLU) -> None:
    from zoneinfo import ZoneInfo
    before = datetime.datetime.now(ZoneInfo("Asia/Seoul")).date()
    say(client, "내일 부산 날씨")
    after = datetime.datetime.now(ZoneInfo("Asia/Seoul")).date()
    assert nlu.todays[-1] in (before, after)
    resp = post(client, payload("내일 부산 날씨", timezone="America/Los_Angeles"))
    assert resp.status_code == 200
    la = datetime.datetime.now(ZoneInfo("America/Los_Angeles")).date()
    assert nlu.todays[-1] == la


# -- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("body, needle", [
    ({"text": "기차"}, '"userRequest" is missing'),
    ({"userRequest": {"user": {"id": "u"}}}, '"userRequest.utterance" is missing'),
    ({"userRequest": {"utterance": "기차"}}, '"userRequest.user" is missing'),
    ({"userRequest": {"utterance": 3, "user": {"id": "u"}}}, "must be a string"),
    ({"userRequest": {"utterance": "기차", "user": {"id": ""}}}, "botUserKey"),
    ({"userRequest": {"utterance": "기차", "user": {"id": "u"}, "timezone": 9}}, "Asia/Seoul"),
])
def test_should_name_the_missing_or_wrong_field_of_a_skill_request(client: Any, body: Any,
                                                                    needle: str) -> None:
    resp = post(client, body)
    assert resp.status_code == 422 and resp.mimetype == "application/json"
    assert resp.get_json()["error"]["code"] == "invalid_field"
    assert needle in resp.get_json()["error"]["message"]


def test_should_refuse_an_utterance_over_the_text_limit(tmp_path: Any, nlu: FakeNLU) -> None:
    client = app_client(tmp_path, nlu, max_text_length=20)
    resp = post(client, payload("기차" * 11))
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "text_too_long"
    assert resp.get_json()["error"]["message"] == '"userRequest.utterance" has 22 characters; the limit is 20'
    assert nlu.calls == 0


def test_should_answer_503_when_no_scenarios_are_loaded(nlu: FakeNLU) -> None:
    client = create_app(nlu=nlu, settings={"torch_threads": 0}).test_client()
    resp = post(client, payload("기차"))
    assert resp.status_code == 503 and resp.get_json()["error"]["code"] == "chat_not_configured"


def test_should_demand_the_skill_token_when_one_is_configured(tmp_path: Any, nlu: FakeNLU,
                                                              monkeypatch: Any) -> None:
    monkeypatch.setenv("NLUKIT_KAKAO_TOKEN", "s3cret")
    client = app_client(tmp_path, nlu, kakao_token_env="NLUKIT_KAKAO_TOKEN")
    for kw in ({}, {"query_string": {"token": "wrong"}}, {"headers": {"X-Nlukit-Token": "s3cre"}}):
        resp = post(client, payload("안녕"), **kw)
        assert resp.status_code == 401, kw
        assert "?token=" in resp.get_json()["error"]["message"]
    assert nlu.calls == 0
    assert post(client, payload("안녕"), query_string={"token": "s3cret"}).status_code == 200
    assert post(client, payload("안녕"), headers={"X-Nlukit-Token": "s3cret"}).status_code == 200


def test_should_describe_the_skill_route_in_openapi(client: Any) -> None:
    doc = client.get("/openapi.json").get_json()
    route = doc["paths"]["/kakao/skill"]["post"]
    assert {"200", "401", "422", "503"} <= set(route["responses"])
    assert doc["components"]["schemas"]["KakaoSkillResponse"]["properties"]["version"]["enum"] == ["2.0"]


# -- the request and answer in nlukit.kakao ------------------------------------------------
def test_should_take_the_users_date_in_seoul_when_the_request_names_no_zone() -> None:
    late_utc = datetime.datetime(2026, 11, 22, 16, 30, tzinfo=datetime.UTC)  # 01:30 KST
    body = payload("내일 날씨", timezone=None)
    assert kakao.read_request(body, now=late_utc).today == datetime.date(2026, 11, 23)
    body = payload("내일 날씨", timezone="Europe/London")
    assert kakao.read_request(body, now=late_utc).today == datetime.date(2026, 11, 22)
    body = payload("내일 날씨", timezone="Mars/Olympus")   # unknown here: Korea's date
    assert kakao.read_request(body, now=late_utc).today == datetime.date(2026, 11, 23)


def test_should_key_sessions_by_the_bot_user_key_and_hash_odd_keys() -> None:
    plain = kakao.read_request(payload("안녕", user="a1B2_c-3"))
    assert plain.session_id == "kakao:a1B2_c-3"
    odd = kakao.read_request(payload("안녕", user="키/../x y"))
    assert odd.session_id.startswith("kakao:") and len(odd.session_id) == 46
    assert odd.session_id[6:].isalnum()
    assert kakao.read_request(payload("안녕", user="키/../x y")).session_id == odd.session_id
    assert kakao.read_request(payload("안녕", user=12345)).session_id == "kakao:12345"
    with pytest.raises(InputError):
        kakao.read_request(payload("안녕", user=True))


class _Turn:
    def __init__(self, reply: str, state: str = "complete", choices: list[str] | None = None) -> None:
        self.reply, self.state, self.choices = reply, state, choices or []


def test_should_cut_a_long_reply_into_bubbles_of_at_most_1000_characters() -> None:
    lines = [f"{i}번 열차 " + "가" * 90 for i in range(25)]   # 25 lines of ~96 characters
    out = kakao.skill_response(_Turn("\n".join(lines)))["template"]["outputs"]
    pieces = [o["simpleText"]["text"] for o in out]
    assert 1 < len(pieces) <= 3 and all(len(p) <= 1000 for p in pieces)
    assert "\n".join(pieces) == "\n".join(lines)      # cut at line ends, nothing lost
    huge = kakao.skill_response(_Turn("나" * 5000))["template"]["outputs"]
    assert len(huge) == 3 and all(len(o["simpleText"]["text"]) <= 1000 for o in huge)
    assert huge[-1]["simpleText"]["text"].endswith("…")
    assert kakao.skill_response(_Turn(""))["template"]["outputs"] == [{"simpleText": {"text": "…"}}]


def test_should_keep_quick_replies_within_kakaos_limits() -> None:
    choices = [f"선택지{i}" for i in range(12)] + ["선택지0", "아주아주긴메뉴이름이라버튼에다안들어가요"]
    replies = kakao.skill_response(_Turn("골라 주세요", "ask_slot", choices))["template"]["quickReplies"]
    assert len(replies) == 10
    assert [r["messageText"] for r in replies] == [f"선택지{i}" for i in range(10)]
    long = kakao.quick_replies(_Turn("?", "ask_slot", ["아주아주긴메뉴이름이라버튼에다안들어가요"]))
    assert long == [{"label": "아주아주긴메뉴이름이라버튼…", "action": "message",
                     "messageText": "아주아주긴메뉴이름이라버튼에다안들어가요"}]
    assert len(long[0]["label"]) == 14
    confirm = kakao.quick_replies(_Turn("할까요?", "confirm"), affirm=("좋아요",), deny=("싫어요",))
    assert [r["messageText"] for r in confirm] == ["좋아요", "싫어요"]


def test_should_log_the_turns_of_kakao_and_chat_users_for_review(tmp_path: Any, nlu: FakeNLU) -> None:
    from nlukit.bot.turnlog import hash_session, read_turns
    path = tmp_path / "logs" / "turns.jsonl"
    client = app_client(tmp_path, nlu, turn_log=str(path))
    say(client, "기차 예매해줘", user="alice")
    say(client, "뭐라는 거야", user="alice")
    post(client, {"session_id": "web-1", "text": "안녕"}, path="/chat")
    records = [r for r in read_turns([str(path)]) if isinstance(r, dict)]
    assert [(r["text"], r["state"], r["fallback"]) for r in records] == [
        ("기차 예매해줘", "ask_slot", False), ("뭐라는 거야", "ask_slot", True), ("안녕", "complete", False)]
    assert records[0]["session"] == hash_session("kakao:alice") and "session_id" not in records[0]
    assert "alice" not in path.read_text(encoding="utf-8")
