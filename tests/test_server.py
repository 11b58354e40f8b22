"""REST contract of nlukit.server: every route, every error status, JSON only.

Given an app over the keyword stand-in parser (tests/test_server_fakes.py), when a
client sends good or bad requests, then each answer has the documented status and
JSON shape, and no HTML error page or traceback ever leaks.
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any

import pytest

pytest.importorskip("flask")

from test_server_fakes import FakeNLU  # noqa: E402

from nlukit import __version__  # noqa: E402
from nlukit.errors import BundleError, InputError  # noqa: E402
from nlukit.server import create_app, openapi_spec, routes_of  # noqa: E402


@pytest.fixture
def nlu() -> FakeNLU:
    return FakeNLU()


@pytest.fixture
def client(nlu: FakeNLU) -> Any:
    return create_app(nlu=nlu, settings={"max_text_length": 50, "max_content_length": 4096}
                      ).test_client()


def post_json(client: Any, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                       content_type="application/json")


def assert_error(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


# -- /parse -------------------------------------------------------------------------------
def test_should_return_the_parse_json_of_the_text(client: Any, nlu: FakeNLU) -> None:
    resp = post_json(client, "/parse", {"text": "서울시에서 부산으로 가는 기차"})
    assert resp.status_code == 200
    assert resp.get_json() == nlu.parse("서울시에서 부산으로 가는 기차").to_dict()
    body = resp.get_json()
    assert body["intent"] == {"name": "train_ticket", "confidence": 0.95}
    assert [(e["value"], e["role"], e["start"], e["end"]) for e in body["entities"]] == [
        ("서울", "origin", 0, 3), ("부산", "destination", 6, 8)]
    # Korean is sent as UTF-8, not as \\u escapes
    assert "서울".encode() in resp.get_data()


def test_should_answer_at_rasas_path_too(client: Any, nlu: FakeNLU) -> None:
    resp = post_json(client, "/model/parse", {"text": "내일 부산 날씨"})
    assert resp.status_code == 200
    assert resp.get_json() == nlu.parse("내일 부산 날씨").to_dict()


def test_should_pass_the_users_date_on_to_the_parser(client: Any, nlu: FakeNLU) -> None:
    import datetime
    resp = post_json(client, "/parse", {"text": "내일 부산 날씨", "today": "2026-11-25"})
    assert resp.status_code == 200
    assert nlu.todays[-1] == datetime.date(2026, 11, 25)
    assert post_json(client, "/parse", {"text": "내일 부산 날씨", "today": None}).status_code == 200
    assert nlu.todays[-1] is None      # not given: the parser's own default (the server's date)


@pytest.mark.parametrize("today", ["2026/11/25", "2026-11-31", "내일", "2026-11-25T09:00", 20261125, [], {}])
def test_should_refuse_a_today_that_is_not_a_date(client: Any, nlu: FakeNLU, today: Any) -> None:
    error = assert_error(post_json(client, "/parse", {"text": "내일 부산 날씨", "today": today}),
                         422, "invalid_field")
    assert '"today"' in error["message"] and "YYYY-MM-DD" in error["message"]
    assert nlu.calls == 0


def test_should_accept_json_with_charset_and_ignore_extra_fields(client: Any) -> None:
    resp = client.post("/parse", data='{"text": "안녕", "message_id": 7}'.encode(),
                       content_type="application/json; charset=UTF-8")
    assert resp.status_code == 200
    assert resp.get_json()["intent"]["name"] == "greeting"


def test_should_answer_an_empty_text_with_an_empty_result(client: Any) -> None:
    resp = post_json(client, "/parse", {"text": "  "})
    assert resp.status_code == 200
    assert resp.get_json() == {"text": "  ", "intent": None, "entities": [], "intent_ranking": []}


# -- error statuses ------------------------------------------------------------------------
def test_should_answer_400_for_malformed_json(client: Any) -> None:
    err = assert_error(client.post("/parse", data=b'{"text": "a",', content_type="application/json"),
                       400, "bad_json")
    assert "not valid JSON" in err["message"]
    assert_error(client.post("/parse", data=b"", content_type="application/json"), 400, "bad_json")
    assert_error(client.post("/parse", data=b'{"text": NaN}', content_type="application/json"),
                 400, "bad_json")


def test_should_answer_400_for_a_number_too_long_to_read_without_pointing_at_python(nlu: FakeNLU) -> None:
    # the message was Python's: "...; use sys.set_int_max_str_digits() to increase the limit"
    client = create_app(nlu=nlu).test_client()
    resp = client.post("/parse", data=b'{"text": "a", "n": ' + b"9" * 5000 + b"}",
                       content_type="application/json")
    err = assert_error(resp, 400, "bad_json")
    assert "5000 digits" in err["message"] and "sys." not in err["message"]
    assert "send it as a string" in err["message"]


def test_should_answer_400_for_json_nested_too_deeply(nlu: FakeNLU) -> None:
    client = create_app(nlu=nlu).test_client()
    resp = client.post("/parse", data=b"[" * 30000 + b"]" * 30000, content_type="application/json")
    assert_error(resp, 400, "bad_json")


def test_should_answer_400_for_invalid_utf8(client: Any) -> None:
    err = assert_error(client.post("/parse", data=b'{"text": "\xff\xfe\xc3"}',
                                   content_type="application/json"), 400, "invalid_utf8")
    assert "UTF-8" in err["message"]


def test_should_answer_404_as_json_for_an_unknown_route(client: Any) -> None:
    err = assert_error(client.get("/nlu/parse"), 404, "not_found")
    assert "/openapi.json" in err["message"]
    assert_error(client.get("/static/../server.py"), 404, "not_found")
    assert_error(client.get("/static/server.py"), 404, "not_found")


def test_should_answer_405_with_allow_header_for_a_wrong_method(client: Any) -> None:
    resp = client.get("/parse")
    assert_error(resp, 405, "method_not_allowed")
    assert "POST" in resp.headers["Allow"]
    assert_error(client.put("/chat"), 405, "method_not_allowed")
    assert_error(client.post("/health"), 405, "method_not_allowed")


def test_should_answer_413_for_a_body_over_the_size_limit(client: Any) -> None:
    body = json.dumps({"text": "가" * 2000}).encode()  # 12 kB of \\u escapes > 4096 bytes
    err = assert_error(client.post("/parse", data=body, content_type="application/json"),
                       413, "body_too_large")
    assert "4096" in err["message"]


def test_should_answer_413_for_a_chunked_body_over_the_size_limit(client: Any) -> None:
    import io

    def chunked(body: bytes) -> Any:  # no Content-Length, as with Transfer-Encoding: chunked
        return client.post("/parse", input_stream=io.BytesIO(body),
                           content_type="application/json",
                           environ_overrides={"wsgi.input_terminated": True})

    big = b'{"text": "' + b"a" * 5000 + b'"}'
    err = assert_error(chunked(big), 413, "body_too_large")
    assert "4096" in err["message"]
    assert chunked(b'{"text": "\xec\x95\x88\xeb\x85\x95"}').status_code == 200


def test_should_answer_413_naming_the_limit_for_a_text_over_it(client: Any, nlu: FakeNLU) -> None:
    err = assert_error(post_json(client, "/parse", {"text": "가" * 51}), 413, "text_too_long")
    assert "51" in err["message"] and "50" in err["message"]
    assert nlu.calls == 0
    assert post_json(client, "/parse", {"text": "가" * 50}).status_code == 200


def test_should_answer_413_when_the_model_refuses_a_long_text() -> None:
    client = create_app(nlu=FakeNLU(max_text_length=10)).test_client()
    err = assert_error(post_json(client, "/parse", {"text": "가" * 11}), 413, "text_too_long")
    assert "limit is 10" in err["message"]


def test_should_answer_415_for_a_wrong_or_missing_content_type(client: Any) -> None:
    err = assert_error(client.post("/parse", data='{"text": "a"}', content_type="text/plain"),
                       415, "unsupported_media_type")
    assert "text/plain" in err["message"] and "application/json" in err["message"]
    assert_error(client.post("/parse", data='{"text": "a"}'), 415, "unsupported_media_type")
    assert_error(client.post("/parse", data={"text": "a"}), 415, "unsupported_media_type")
    assert_error(client.post("/parse", data='{"text": "a"}'.encode("utf-16"),
                             content_type="application/json; charset=utf-16"),
                 415, "unsupported_media_type")


@pytest.mark.parametrize("body, needle", [
    ([1, 2], "JSON object, not an array"),
    ("text", "JSON object, not a string"),
    ({}, '"text" is missing'),
    ({"txt": "안녕"}, '"text" is missing'),
    ({"text": 3}, '"text" must be a string, not a number'),
    ({"text": None}, '"text" must be a string, not null'),
    ({"text": ["안녕"]}, '"text" must be a string, not an array'),
])
def test_should_answer_422_for_a_body_of_the_wrong_shape(client: Any, body: Any, needle: str) -> None:
    err = assert_error(post_json(client, "/parse", body), 422, "invalid_field")
    assert needle in err["message"]


def test_should_answer_422_for_a_text_with_an_unpaired_surrogate(client: Any, nlu: FakeNLU) -> None:
    # valid JSON (a \\ud800 escape), but not Unicode text: it could never be answered in UTF-8
    resp = client.post("/parse", data='{"text": "\\ud800서울"}'.encode(),
                       content_type="application/json")
    err = assert_error(resp, 422, "invalid_field")
    assert "unpaired surrogate" in err["message"]
    assert nlu.calls == 0


def test_should_answer_valid_json_even_for_undecodable_paths(client: Any) -> None:
    resp = client.get("/%ED%A0%80%FF")
    assert_error(resp, 404, "not_found")
    resp.get_data().decode("utf-8")  # strict: the body is valid UTF-8


def test_should_answer_503_when_no_model_is_loaded() -> None:
    client = create_app().test_client()
    err = assert_error(post_json(client, "/parse", {"text": "안녕"}), 503, "model_not_loaded")
    assert "model" in err["message"]
    assert_error(post_json(client, "/chat", {"session_id": "s", "text": "안녕"}), 503,
                 "model_not_loaded")
    health = client.get("/health")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "model_loaded": False, "chat": False}


def test_should_answer_503_on_chat_when_no_scenarios_are_loaded(client: Any) -> None:
    err = assert_error(post_json(client, "/chat", {"session_id": "s1", "text": "안녕"}), 503,
                       "chat_not_configured")
    assert "--scenarios" in err["message"]


def test_should_answer_500_as_json_without_the_traceback_and_log_it(caplog: Any) -> None:
    client = create_app(nlu=FakeNLU(fail_on="폭탄")).test_client()
    with caplog.at_level(logging.ERROR):
        resp = post_json(client, "/parse", {"text": "폭탄"})
    err = assert_error(resp, 500, "internal_error")
    assert "secret" not in resp.get_data(as_text=True)
    assert "Traceback" not in resp.get_data(as_text=True)
    assert "boom: secret internal detail" in caplog.text
    assert err["message"]
    # the process keeps serving
    assert post_json(client, "/parse", {"text": "안녕"}).status_code == 200


def test_should_never_answer_with_html(client: Any) -> None:
    requests = [client.get("/x"), client.delete("/parse"), client.patch("/chat/abc"),
                client.post("/parse", data=b"\x00\x01", content_type="application/json"),
                client.post("/parse", data="x" * 10000, content_type="application/json"),
                client.get("/chat/abc"), client.post("/admin/reload")]
    for resp in requests:
        assert resp.status_code >= 400
        assert resp.mimetype == "application/json", (resp.status_code, resp.get_data()[:80])
        assert b"<html" not in resp.get_data().lower()


# -- /health /version ----------------------------------------------------------------------
def test_should_report_health_and_versions(client: Any, nlu: FakeNLU) -> None:
    assert client.get("/health").get_json() == {"status": "ok", "model_loaded": True,
                                                "chat": False}
    v = client.get("/version").get_json()
    assert v["nlukit_version"] == __version__
    assert v["model"] == nlu.meta
    assert v["loaded_at"].endswith("Z")


# -- settings and loading ------------------------------------------------------------------
def test_should_refuse_unknown_settings() -> None:
    with pytest.raises(InputError, match="max_text_lenght"):
        create_app(nlu=FakeNLU(), settings={"max_text_lenght": 5})


def test_should_load_the_model_once_not_per_request(monkeypatch: Any, tmp_path: Any) -> None:
    import nlukit

    loads: list[str] = []

    def fake_load(path: str, **kw: Any) -> FakeNLU:
        loads.append(path)
        return FakeNLU()

    monkeypatch.setattr(nlukit, "load", fake_load)
    client = create_app(str(tmp_path), settings={"torch_threads": 0}).test_client()
    for _ in range(5):
        assert post_json(client, "/parse", {"text": "안녕"}).status_code == 200
    assert loads == [str(tmp_path)]


def test_should_fail_at_startup_when_the_model_does_not_load(monkeypatch: Any, tmp_path: Any) -> None:
    import nlukit

    def broken(path: str, **kw: Any) -> None:
        raise BundleError(f"{path}: meta.json is missing")

    monkeypatch.setattr(nlukit, "load", broken)
    with pytest.raises(BundleError, match="meta.json"):
        create_app(str(tmp_path), settings={"torch_threads": 0})


# -- /admin/reload -------------------------------------------------------------------------
@pytest.fixture
def versioned(monkeypatch: Any, tmp_path: Any) -> Any:
    """A model dir whose ``current`` file names a version; 'broken' fails to load."""
    import nlukit

    (tmp_path / "current").write_text("1")

    def fake_load(path: str, **kw: Any) -> FakeNLU:
        version = (tmp_path / "current").read_text().strip()
        if version == "broken":
            raise BundleError(f"{path}/broken: bundle format 9 is newer than this nlukit (1)")
        return FakeNLU(version=version)

    monkeypatch.setattr(nlukit, "load", fake_load)
    return tmp_path


def test_should_disable_reload_with_404_when_no_token_is_configured(versioned: Any,
                                                                     monkeypatch: Any) -> None:
    monkeypatch.delenv("NLUKIT_ADMIN_TOKEN", raising=False)
    client = create_app(str(versioned), settings={"torch_threads": 0}).test_client()
    err = assert_error(client.post("/admin/reload", headers={"Authorization": "Bearer x"}), 404,
                       "not_found")
    assert "NLUKIT_ADMIN_TOKEN" in err["message"]


def test_should_refuse_reload_without_the_right_bearer_token(versioned: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("NLUKIT_ADMIN_TOKEN", "s3cret")
    client = create_app(str(versioned), settings={"torch_threads": 0}).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"},
                    {"Authorization": "s3cret"}):
        resp = client.post("/admin/reload", headers=headers)
        assert_error(resp, 401, "unauthorized")
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_should_reload_current_and_keep_the_old_model_when_the_new_one_fails(versioned: Any) -> None:
    client = create_app(str(versioned), settings={"admin_token": "tok", "torch_threads": 0}
                        ).test_client()
    auth = {"Authorization": "Bearer tok"}
    assert client.get("/version").get_json()["model"]["version"] == "1"

    (versioned / "current").write_text("2")
    resp = client.post("/admin/reload", headers=auth)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["model"]["version"] == "2" and body["previous"]["version"] == "1"
    assert body["workers_restarting"] is False  # not under gunicorn
    assert client.get("/version").get_json()["model"]["version"] == "2"

    (versioned / "current").write_text("broken")
    err = assert_error(client.post("/admin/reload", headers=auth), 503, "reload_failed")
    assert "old one keeps serving" in err["message"] and "bundle format 9" in err["message"]
    assert "--use previous" in err["message"]   # the fix named
    # the OpenAPI document says the same status
    spec = client.get("/openapi.json").get_json()["paths"]["/admin/reload"]["post"]["responses"]
    assert "reload_failed" in json.dumps(spec["503"]) and "reload_failed" not in json.dumps(spec.get("500"))
    assert client.get("/version").get_json()["model"]["version"] == "2"
    assert post_json(client, "/parse", {"text": "안녕"}).status_code == 200


def test_should_answer_409_on_reload_when_the_model_was_given_in_memory() -> None:
    client = create_app(nlu=FakeNLU(), settings={"admin_token": "tok"}).test_client()
    assert_error(client.post("/admin/reload", headers={"Authorization": "Bearer tok"}), 409,
                 "no_model_path")


# -- /openapi.json -------------------------------------------------------------------------
def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values()
                                                                for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def test_should_describe_every_route_and_method_in_openapi(client: Any) -> None:
    resp = client.get("/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.")
    app_routes = routes_of(client.application)
    documented = {path: set(ops) for path, ops in doc["paths"].items()}
    assert documented == app_routes
    for ref in _refs(doc):
        assert _resolve(doc, ref) is not None, ref
    post_parse = doc["paths"]["/parse"]["post"]["responses"]
    assert {"200", "400", "413", "415", "422", "500", "503"} <= set(post_parse)
    for name, response in doc["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}, name
    assert doc["components"]["schemas"]["ParseRequest"]["properties"]["text"]["maxLength"] == 50
    # every state a chat turn can be in, the confirmation question and a cancel included
    assert doc["components"]["schemas"]["Turn"]["properties"]["state"]["enum"] == [
        "complete", "ask_slot", "confirm", "fallback", "cancelled"]


def test_should_serve_a_valid_openapi_3_document(client: Any) -> None:
    from openapi_spec_validator import validate

    validate(client.get("/openapi.json").get_json())  # raises on any schema violation


def test_should_document_the_error_codes_the_server_answers() -> None:
    text = json.dumps(openapi_spec())
    for code in ("bad_json", "invalid_utf8", "body_too_large", "text_too_long",
                 "unsupported_media_type", "invalid_field", "model_not_loaded",
                 "chat_not_configured", "unauthorized", "reload_failed", "internal_error"):
        assert code in text, code


# -- the web page --------------------------------------------------------------------------
def test_should_serve_the_chat_page_and_its_assets_only(client: Any) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.get_data(as_text=True)
    assert 'lang="ko"' in html and "/static/chat.js" in html and "/static/chat.css" in html
    assert "http://" not in html and "https://" not in html  # no external assets
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    js = client.get("/static/chat.js")
    assert js.status_code == 200 and "sessionStorage" in js.get_data(as_text=True)
    assert client.get("/static/chat.css").status_code == 200
    static_dir = os.path.join(os.path.dirname(__import__("nlukit").__file__), "static")
    assert sorted(os.listdir(static_dir)) == ["chat.css", "chat.js", "index.html"]


# -- /chat with the real Bot over the stand-in parser ---------------------------------------
@pytest.fixture
def chat(tmp_path: Any) -> Any:
    from test_server_fakes import scenarios_file

    return create_app(nlu=FakeNLU(), scenarios=scenarios_file(str(tmp_path)),
                      settings={"torch_threads": 0}).test_client()


def say(client: Any, sid: str, text: str) -> dict[str, Any]:
    resp = post_json(client, "/chat", {"session_id": sid, "text": text})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_should_list_each_request_of_a_message_of_several(chat: Any) -> None:
    turn = say(chat, "user-r", "부산 날씨 알려주고 서울에서 광주로 가는 기차 예매해줘")
    assert turn["reply"] == "오늘 부산 날씨를 알려드릴게요.\n서울에서 광주로 가는 기차를 예매할게요."
    assert (turn["state"], turn["intent"]) == ("complete", "train_ticket")
    assert turn["requests"] == [
        {"text": "부산 날씨 알려주고", "intent": "weather", "state": "complete", "reply": "오늘 부산 날씨를 알려드릴게요."},
        {"text": "서울에서 광주로 가는 기차 예매해줘", "intent": "train_ticket", "state": "complete",
         "reply": "서울에서 광주로 가는 기차를 예매할게요."}]
    assert say(chat, "user-r", "기차 예매해줘")["requests"] == []


def test_should_ask_for_missing_slots_then_complete_the_turns_of_a_session(chat: Any) -> None:
    first = say(chat, "user-1", "기차 예매해줘")
    assert set(first) == {"reply", "state", "intent", "slots", "missing", "parse", "resolved", "choices", "multiple", "requests"}
    assert (first["state"], first["reply"], first["missing"]) == (
        "ask_slot", "어디에서 출발하세요?", ["origin", "destination"])
    assert first["parse"]["intent"]["name"] == "train_ticket"
    second = say(chat, "user-1", "서울시")
    assert (second["state"], second["slots"]) == ("ask_slot", {"origin": "서울"})
    third = say(chat, "user-1", "광주")
    assert third["state"] == "complete"
    assert third["slots"] == {"origin": "서울", "destination": "광주"}
    assert third["reply"] == "서울에서 광주로 가는 기차를 예매할게요."


def test_should_pass_the_users_date_of_a_chat_turn_to_the_parser(tmp_path: Any) -> None:
    import datetime

    from test_server_fakes import scenarios_file
    nlu = FakeNLU()
    client = create_app(nlu=nlu, scenarios=scenarios_file(str(tmp_path)),
                        settings={"torch_threads": 0}).test_client()
    resp = post_json(client, "/chat", {"session_id": "s", "text": "내일 부산 날씨", "today": "2026-11-25"})
    assert resp.status_code == 200 and nlu.todays[-1] == datetime.date(2026, 11, 25)
    error = assert_error(post_json(client, "/chat", {"session_id": "s", "text": "내일", "today": "11/25"}),
                         422, "invalid_field")
    assert "YYYY-MM-DD" in error["message"]


def test_should_keep_interleaved_sessions_apart(chat: Any) -> None:
    say(chat, "a", "기차 예매해줘")
    say(chat, "b", "기차 예매해줘")
    say(chat, "a", "부산")
    say(chat, "b", "대구")
    done_b = say(chat, "b", "울산")
    done_a = say(chat, "a", "인천")
    assert done_a["slots"] == {"origin": "부산", "destination": "인천"}
    assert done_b["slots"] == {"origin": "대구", "destination": "울산"}


def test_should_forget_a_session_on_delete(chat: Any) -> None:
    say(chat, "user-2", "기차 예매해줘")
    resp = chat.delete("/chat/user-2")
    assert resp.status_code == 200
    assert resp.get_json() == {"session_id": "user-2", "forgotten": True}
    assert chat.delete("/chat/user-2").get_json()["forgotten"] is False
    # the bare answer no longer fills the forgotten question
    assert say(chat, "user-2", "부산")["state"] == "fallback"


@pytest.mark.parametrize("sid, needle", [
    ("", "must not be empty"),
    ("x" * 129, "129 characters; the limit is 128"),
    ("../../etc/passwd", "may only hold"),
    ("a/b", "may only hold"),
    (".hidden", "must not start with a dot"),
    ("세션", "may only hold"),
    (7, "must be a string, not a number"),
    (None, "must be a string, not null"),
])
def test_should_answer_422_for_a_bad_session_id(chat: Any, sid: Any, needle: str) -> None:
    err = assert_error(post_json(chat, "/chat", {"session_id": sid, "text": "안녕"}), 422,
                       "invalid_field")
    assert needle in err["message"]


def test_should_answer_422_for_a_chat_without_session_id_or_text(chat: Any) -> None:
    err = assert_error(post_json(chat, "/chat", {"text": "안녕"}), 422, "invalid_field")
    assert '"session_id" is missing' in err["message"]
    err = assert_error(post_json(chat, "/chat", {"session_id": "s"}), 422, "invalid_field")
    assert '"text" is missing' in err["message"]


def test_should_validate_the_session_id_of_delete(chat: Any) -> None:
    assert_error(chat.delete("/chat/.hidden"), 422, "invalid_field")
    assert_error(chat.delete("/chat/" + "y" * 129), 422, "invalid_field")
    assert_error(chat.delete("/chat/a%2Fb"), 404, "not_found")  # never reaches a store key


class _DownStore:
    """A session store whose server went away after start-up."""

    def __getattr__(self, name: str) -> Any:
        from nlukit.errors import SessionStoreError

        def fail(*args: Any, **kwargs: Any) -> Any:
            raise SessionStoreError("cannot reach Redis at redis://127.0.0.1:6379/0 "
                                    "(connection refused); start redis-server")
        return fail


def test_should_answer_503_when_the_session_store_is_down(tmp_path: Any) -> None:
    from test_server_fakes import scenarios_file

    client = create_app(nlu=FakeNLU(), scenarios=scenarios_file(str(tmp_path)), store=_DownStore(),
                        settings={"torch_threads": 0}).test_client()
    err = assert_error(post_json(client, "/chat", {"session_id": "s", "text": "안녕"}), 503,
                       "store_unavailable")
    assert "redis-server" in err["message"]
    assert post_json(client, "/parse", {"text": "안녕"}).status_code == 200


def test_should_refuse_scenarios_naming_intents_the_model_lacks(tmp_path: Any) -> None:
    from nlukit.errors import ScenarioError

    path = tmp_path / "s.toml"
    path.write_text('[[scenario]]\nintent = "pizza_order"\nresponse = "네"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="pizza_order"):
        create_app(nlu=FakeNLU(), scenarios=str(path), settings={"torch_threads": 0})


# -- CORS ----------------------------------------------------------------------------------
def test_should_send_no_cors_headers_unless_origins_are_configured(client: Any) -> None:
    resp = client.post("/parse", json={"text": "안녕"}, headers={"Origin": "https://evil.example"})
    assert resp.status_code == 200
    assert "Access-Control-Allow-Origin" not in resp.headers


def test_should_let_configured_origins_call_the_api_from_a_browser() -> None:
    client = create_app(nlu=FakeNLU(), settings={
        "cors_origins": ("https://shop.example/",), "admin_token": "t"}).test_client()
    shop = {"Origin": "https://shop.example"}
    resp = client.post("/parse", json={"text": "안녕"}, headers=shop)
    assert resp.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "Origin" in resp.headers["Vary"]
    other = client.post("/parse", json={"text": "안녕"}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    pre = client.options("/chat", headers={**shop, "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert pre.headers["Access-Control-Allow-Headers"] == "Content-Type"
    admin = client.post("/admin/reload", headers={**shop, "Authorization": "Bearer t"})
    assert "Access-Control-Allow-Origin" not in admin.headers
    star = create_app(nlu=FakeNLU(), settings={"cors_origins": ("*",)}).test_client()
    assert star.get("/health", headers=shop).headers["Access-Control-Allow-Origin"] == "*"
