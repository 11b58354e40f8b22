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
    try:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: sent as JSON's \ud800 escape
        data = json.dumps(body).encode("ascii")
    return client.post(path, data=data, content_type="application/json", **kw)


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


def test_should_offer_the_values_said_together_for_a_one_value_slot_as_quick_replies(client: Any) -> None:
    asked = say(client, "서울이랑 부산 날씨 알려줘")
    assert texts(asked) == ["어느 지역 날씨를 알려드릴까요? 서울과 부산 중 하나만 말씀해 주세요."]
    assert buttons(asked) == [("서울", "서울"), ("부산", "부산")]
    assert texts(say(client, "부산")) == ["오늘 부산 날씨를 알려드릴게요."]


def test_should_send_one_answer_per_value_of_a_multiple_slot_in_one_bubble(tmp_path: Any, nlu: FakeNLU) -> None:
    path = tmp_path / "scenarios.toml"
    path.write_text(SCENARIOS.replace('prompt = "어느 지역 날씨를 알려드릴까요?"',
                                      'prompt = "어느 지역 날씨를 알려드릴까요?"\nmultiple = true'), encoding="utf-8")
    client = create_app(nlu=nlu, scenarios=str(path),
                        settings={"torch_threads": 0, "kakao_token_env": ""}).test_client()
    assert texts(say(client, "서울, 부산 날씨")) == ["오늘 서울 날씨를 알려드릴게요.\n오늘 부산 날씨를 알려드릴게요."]
    chat = client.post("/chat", json={"session_id": "web", "text": "서울이랑 부산 날씨"}).get_json()
    assert chat["multiple"] == {"location": ["서울", "부산"]} and chat["slots"]["location"] == "서울, 부산"


def test_should_answer_each_request_of_a_message_in_one_bubble_with_the_question_last(client: Any) -> None:
    turn = say(client, "부산 날씨 알려주고 서울에서 광주로 가는 기차 예매해줘")
    assert texts(turn) == ["오늘 부산 날씨를 알려드릴게요.\n서울에서 광주로 가는 기차를 예매할까요?"]
    assert buttons(turn) == [("네", "네"), ("아니요", "아니요")]   # the booking's question is open
    assert texts(say(client, "네")) == ["서울에서 광주로 가는 기차를 예매했어요."]


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
    # an unpaired surrogate (valid JSON: "\ud800") in the botUserKey failed hashing it: a 500
    ({"userRequest": {"utterance": "기차", "user": {"id": "k\ud800"}}}, "unpaired surrogate"),
])
def test_should_name_the_missing_or_wrong_field_of_a_skill_request(client: Any, body: Any,
                                                                    needle: str) -> None:
    resp = post(client, body)
    assert resp.status_code == 422 and resp.mimetype == "application/json"
    assert resp.get_json()["error"]["code"] == "invalid_field"
    assert needle in resp.get_json()["error"]["message"]


def test_should_answer_an_utterance_over_the_text_limit_with_a_reply_the_user_can_read(
        tmp_path: Any, nlu: FakeNLU) -> None:
    """KakaoTalk shows its users no HTTP error: a too long message gets a skill answer asking for less."""
    client = app_client(tmp_path, nlu, max_text_length=1200)
    resp = post(client, payload("기차" * 601))
    assert resp.status_code == 200
    assert resp.get_json()["template"]["outputs"] == [
        {"simpleText": {"text": "메시지가 너무 길어요. 1,200자 이내로 나눠서 보내 주세요."}}]
    assert nlu.calls == 0
    client = app_client(tmp_path, nlu, max_text_length=20, kakao_too_long_text="{limit}자까지만요.")
    assert post(client, payload("기차" * 11)).get_json()["template"]["outputs"][0]["simpleText"]["text"] == \
        "20자까지만요."


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


def test_should_give_the_bot_the_users_time_in_their_zone() -> None:
    late_utc = datetime.datetime(2026, 11, 22, 16, 30, tzinfo=datetime.UTC)  # 01:30 KST
    skill = kakao.read_request(payload("알람", timezone=None), now=late_utc)
    assert (skill.now.date(), skill.now.hour, skill.now.minute) == (datetime.date(2026, 11, 23), 1, 30)
    assert skill.now.date() == skill.today


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


# -- callbacks: a turn longer than Kakao's wait is answered through the callback URL -------------
class _CallbackServer:
    """A local HTTP server standing in for Kakao's callback URL: records what is posted."""

    def __init__(self) -> None:
        import http.server
        import threading
        self.posts: list[dict[str, Any]] = []
        self.got = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.posts.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                outer.got.set()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/callback/abc"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def callback_server():
    server = _CallbackServer()
    yield server
    server.close()


SLOW = """
[[scenario]]
intent = "train_ticket"
action = "bot_actions:slow_booking"
[[scenario.slot]]
entity = "location"
role = "origin"
prompt = "어디에서 출발하세요?"
[[scenario.slot]]
entity = "location"
role = "destination"
prompt = "어디로 가세요?"

[[scenario]]
intent = "greeting"
response = "안녕하세요!"
"""


def slow_client(tmp_path: Any, nlu: FakeNLU, **settings: Any) -> Any:
    import os
    import sys
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "bot")
    if here not in sys.path:
        sys.path.insert(0, here)
    path = tmp_path / "slow.toml"
    path.write_text(SLOW, encoding="utf-8")
    return create_app(nlu=nlu, scenarios=str(path), settings={
        "torch_threads": 0, "kakao_token_env": "", "kakao_wait": 0.15,
        "kakao_callback_hosts": ("127.0.0.1",), **settings}).test_client()


def with_callback(text: str, url: str, user: str = "u1") -> dict[str, Any]:
    body = payload(text, user)
    body["userRequest"]["callbackUrl"] = url
    return body


def test_should_answer_a_slow_turn_through_the_callback_url(tmp_path: Any, nlu: FakeNLU,
                                                           callback_server: _CallbackServer) -> None:
    client = slow_client(tmp_path, nlu)
    resp = post(client, with_callback("서울에서 부산으로 가는 기차 예매", callback_server.url))
    # Then Kakao hears at once that the answer comes later, with a text to show meanwhile
    assert resp.status_code == 200
    assert resp.get_json() == {"version": "2.0", "useCallback": True, "data": {"text": "잠시만 기다려 주세요."}}
    # and the answer is posted to the callback URL once the action is done
    assert callback_server.got.wait(5)
    assert callback_server.posts == [{"version": "2.0", "template": {"outputs": [
        {"simpleText": {"text": "서울에서 부산까지 예매했어요."}}]}}]


def test_should_answer_a_quick_turn_directly_even_with_callbacks_on(tmp_path: Any, nlu: FakeNLU,
                                                                   callback_server: _CallbackServer) -> None:
    client = slow_client(tmp_path, nlu, kakao_wait=3.0)
    resp = post(client, with_callback("안녕", callback_server.url))
    assert texts(resp.get_json()["template"]) == ["안녕하세요!"]
    assert not callback_server.got.wait(0.3) and callback_server.posts == []


def test_should_never_post_to_a_callback_url_off_kakaos_hosts(tmp_path: Any, nlu: FakeNLU,
                                                              callback_server: _CallbackServer) -> None:
    client = slow_client(tmp_path, nlu, kakao_callback_hosts=(".kakao.com",))
    resp = post(client, with_callback("서울에서 부산으로 가는 기차 예매", callback_server.url))
    # the request waits for the turn instead, and the local address gets nothing
    assert texts(resp.get_json()["template"]) == ["서울에서 부산까지 예매했어요."]
    assert callback_server.posts == []


def test_should_post_an_apology_when_a_slow_turn_fails(tmp_path: Any, nlu: FakeNLU,
                                                      callback_server: _CallbackServer) -> None:
    import time

    class FailingBot:
        settings = type("S", (), {"affirm": ("네",), "deny": ("아니요",),
                                  "action_error": "예매 시스템에 문제가 생겼어요."})()

        def handle(self, session_id: str, text: str, today: Any = None, now: Any = None) -> Any:
            time.sleep(0.4)
            raise RuntimeError("the session store went away")

    client = create_app(nlu=nlu, bot=FailingBot(), settings={
        "torch_threads": 0, "kakao_token_env": "", "kakao_wait": 0.1,
        "kakao_callback_hosts": ("127.0.0.1",)}).test_client()
    assert post(client, with_callback("기차", callback_server.url)).get_json()["useCallback"] is True
    assert callback_server.got.wait(5)
    assert texts(callback_server.posts[0]["template"]) == ["예매 시스템에 문제가 생겼어요."]


@pytest.mark.parametrize("url, ok", [
    ("https://bot-api.kakao.com/v1/callback/abc", True),
    ("https://kakaoenterprise.com/cb", True),
    ("http://bot-api.kakao.com/v1/callback/abc", False),      # https only on Kakao's hosts
    ("https://kakao.com.evil.example/cb", False),
    ("https://evilkakao.com/cb", False),
    ("https://127.0.0.1/cb", False),
    ("file:///etc/passwd", False),
    ("not a url", False),
])
def test_should_post_callbacks_to_kakaos_https_hosts_only(url: str, ok: bool) -> None:
    assert kakao.callback_allowed(url, (".kakao.com", ".kakaoenterprise.com")) is ok


class _UnsureNLU(FakeNLU):
    """Reads 부산 가는 표 as a trip, but not surely (0.4, below the bot's 0.5)."""

    def parse(self, text: str, today: Any = None) -> Any:
        got = super().parse(text, today)
        if "가는 표" not in text:
            return got
        from nlukit.types import IntentScore, ParseResult
        unsure = IntentScore("train_ticket", 0.4)
        return ParseResult(text=got.text, intent=unsure, entities=got.entities, ranking=(unsure,))


def test_should_offer_yes_and_no_under_a_clarifying_question_and_keep_the_values_said(tmp_path: Any) -> None:
    path = tmp_path / "scenarios.toml"
    path.write_text(SCENARIOS.replace('intent = "train_ticket"\n', 'intent = "train_ticket"\ntitle = "기차 예매"\n'),
                    encoding="utf-8")
    client = create_app(nlu=_UnsureNLU(), scenarios=str(path),
                        settings={"torch_threads": 0, "kakao_token_env": ""}).test_client()
    asked = say(client, "부산으로 가는 표")
    assert texts(asked) == ["혹시 '기차 예매'를 원하세요?"]
    assert buttons(asked) == [("네", "네"), ("아니요", "아니요")]
    origin = say(client, "네")
    assert texts(origin) == ["어디에서 출발하세요?"]
    assert texts(say(client, "서울")) == ["서울에서 부산으로 가는 기차를 예매할까요?"]
    # the REST turn says the same: state confirm, the intent asked about
    turn = client.post("/chat", json={"session_id": "r1", "text": "부산으로 가는 표"}).get_json()
    assert (turn["state"], turn["intent"], turn["slots"]) == ("confirm", "train_ticket", {})
    assert client.post("/chat", json={"session_id": "r1", "text": "아니요"}).get_json()["state"] == "fallback"
