"""Session stores: the memory store's expiry and LRU cap, and the Redis store against a real redis-server."""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time

import pytest

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from bot_standin import StandInParser, parse_result  # noqa: E402
from redis_server import redis_server  # noqa: E402,F401  (pytest fixture)

from nlukit.bot import Bot, MemoryStore, RedisStore, load_scenarios, open_store  # noqa: E402
from nlukit.bot.scenario import parse_scenarios  # noqa: E402
from nlukit.errors import SessionStoreError  # noqa: E402
from nlukit.types import Entity  # noqa: E402


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


# ------------------------------------------------------------------ memory

def test_should_expire_memory_sessions_after_their_ttl():
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    store.set("a", {"n": 1}, ttl=10)
    clock.t = 9.9
    assert store.get("a") == {"n": 1}
    clock.t = 10.0
    assert store.get("a") is None
    assert store.delete("a") is False


def test_should_evict_the_least_recently_used_session_when_full():
    store = MemoryStore(max_sessions=2)
    store.set("a", {"n": 1}, ttl=60)
    store.set("b", {"n": 2}, ttl=60)
    store.get("a")  # a is now more recent than b
    store.set("c", {"n": 3}, ttl=60)
    assert store.get("b") is None
    assert store.get("a") == {"n": 1} and store.get("c") == {"n": 3}
    assert len(store) == 2


def test_should_never_share_a_mutable_state_with_the_caller():
    store = MemoryStore()
    state = {"slots": {"origin": "서울"}}
    store.set("a", state, ttl=60)
    state["slots"]["origin"] = "부산"
    got = store.get("a")
    got["slots"]["destination"] = "광주"
    assert store.get("a") == {"slots": {"origin": "서울"}}


def test_should_refuse_a_state_that_is_not_json():
    with pytest.raises(SessionStoreError, match="JSON"):
        MemoryStore().set("a", {"x": object()}, ttl=60)


def test_should_update_a_memory_session_atomically_from_many_threads():
    store = MemoryStore()

    def add(i: int) -> None:
        for j in range(50):
            store.update("s", lambda st, j=j: {"items": [*(st or {"items": []})["items"], f"{i}-{j}"]}, ttl=60)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.get("s")["items"]) == 200


def test_should_open_stores_from_urls_and_refuse_unknown_schemes():
    assert isinstance(open_store(None), MemoryStore)
    assert open_store("memory://?max_sessions=5").max_sessions == 5
    with pytest.raises(SessionStoreError, match="unknown session store 'mongodb://x'.*memory://.*redis://"):
        open_store("mongodb://x")


def test_should_name_the_url_and_the_fix_when_redis_is_unreachable():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"redis://:secret@127.0.0.1:{port}/0"
    with pytest.raises(SessionStoreError) as err:
        open_store(url)
    msg = str(err.value)
    assert f"redis://:***@127.0.0.1:{port}/0" in msg and "secret" not in msg
    assert "start redis-server" in msg and "memory://" in msg


# ------------------------------------------------------------------ redis (a real server)

@pytest.fixture
def redis_store(redis_server, request):  # noqa: F811
    store = open_store(f"{redis_server.url}?prefix=test:{request.node.name}:")
    yield store
    for key in store._r.scan_iter(f"{store.prefix}*"):
        store._r.delete(key)


@pytest.mark.redis
def test_should_store_redis_sessions_as_json_under_the_prefix_with_a_ttl(redis_store):
    redis_store.set("u1", {"slots": {"origin": "서울"}}, ttl=30)
    raw = redis_store._r.get(redis_store.prefix + "u1")
    assert raw.decode("utf-8") == '{"slots":{"origin":"서울"}}'
    assert 29 < redis_store.ttl("u1") <= 30
    assert redis_store.get("u1") == {"slots": {"origin": "서울"}}
    assert redis_store.delete("u1") is True and redis_store.get("u1") is None


@pytest.mark.redis
def test_should_expire_redis_sessions(redis_store):
    redis_store.set("u1", {"n": 1}, ttl=0.1)
    time.sleep(0.25)
    assert redis_store.get("u1") is None


@pytest.mark.redis
def test_should_keep_prefixes_apart(redis_server):  # noqa: F811
    a = RedisStore(redis_server.url, prefix="app-a:")
    b = RedisStore(redis_server.url, prefix="app-b:")
    a.set("u1", {"n": 1}, ttl=30)
    assert b.get("u1") is None
    a.delete("u1")


def _append_many(url: str, prefix: str, worker: int, n: int) -> None:
    store = RedisStore(url, prefix=prefix)
    for j in range(n):
        store.update("s", lambda st, j=j: {"items": [*(st or {"items": []})["items"], f"{worker}-{j}"]}, ttl=60)


@pytest.mark.redis
def test_should_not_lose_updates_from_several_processes(redis_store, redis_server):  # noqa: F811
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(redis_server.url, redis_store.prefix, w, 30))
             for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    items = redis_store.get("s")["items"]
    assert sorted(items) == sorted(f"{w}-{j}" for w in range(4) for j in range(30))


def _form_bot(url: str, prefix: str, n: int) -> Bot:
    overrides = {"시작": parse_result("시작", "form", 0.9)}
    for i in range(n):
        text = f"r{i} 칸에는 서울을 넣어 주세요"
        at = text.index("서울")
        overrides[text] = parse_result(text, "fallback", 0.2,
                                       Entity("location", "서울", "서울", at, at + 2, 0.9, f"r{i}"))
    parser = StandInParser(overrides=overrides, intents=("form",))
    data = {"scenario": [{"intent": "form", "response": "끝",
                          "slot": [{"entity": "location", "role": f"r{i}", "prompt": f"r{i}?"}
                                   for i in range(n + 1)]}]}
    return Bot(parser, parse_scenarios(data), store=RedisStore(url, prefix=prefix))


@pytest.mark.redis
def test_should_not_lose_slots_when_two_bots_share_a_redis_session_concurrently(redis_store, redis_server):  # noqa: F811
    n = 8
    bots = [_form_bot(redis_server.url, redis_store.prefix, n) for _ in range(2)]  # two "server processes"
    assert bots[0].handle("s", "시작").state == "ask_slot"
    threads = [threading.Thread(target=bots[i % 2].handle, args=("s", f"r{i} 칸에는 서울을 넣어 주세요"))
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = bots[1].session("s")
    assert sorted(state["slots"]) == sorted(f"r{i}" for i in range(n))
    assert state["total_turns"] == n + 1


@pytest.mark.redis
def test_should_continue_a_conversation_on_another_process_through_redis(redis_store, redis_server):  # noqa: F811
    parser = StandInParser()
    scenarios = load_scenarios(os.path.join(HERE, "scenarios.toml"), parser.intents, parser.entity_types)
    a = Bot(parser, scenarios, store=RedisStore(redis_server.url, prefix=redis_store.prefix))
    b = Bot(parser, scenarios, store=RedisStore(redis_server.url, prefix=redis_store.prefix))
    assert a.handle("u1", "기차 예매해줘").reply == "어디에서 출발하세요?"
    assert b.handle("u1", "광주").reply == "광주에서 어디로 가세요?"
    assert a.handle("u1", "서울").reply == "언제 출발하세요?"
    turn = b.handle("u1", "내일")
    assert (turn.state, turn.reply) == ("complete", "내일 광주에서 서울로 가는 기차를 예매할게요.")
    assert 59 < redis_store.ttl("u1") <= 60
    assert a.forget("u1") is True and b.session("u1") is None


@pytest.mark.redis
def test_should_fail_with_a_clear_error_when_redis_goes_away_mid_session():
    from redis_server import require_redis_server, start_redis_server

    require_redis_server()
    with start_redis_server() as server:
        store = RedisStore(server.url)
        store.set("u1", {"n": 1}, ttl=30)
        server.process.terminate()
        server.process.wait(5)
        with pytest.raises(SessionStoreError, match=f"cannot reach Redis at {server.url}"):
            store.get("u1")


@pytest.mark.redis
def test_should_say_a_session_is_busy_when_its_lock_is_held_too_long(redis_store, redis_server):  # noqa: F811
    other = RedisStore(redis_server.url, prefix=redis_store.prefix, wait_timeout=0.2)
    with redis_store.lock("u1"):
        t0 = time.monotonic()
        with pytest.raises(SessionStoreError, match="session 'u1' is busy.*retry the request"):
            with other.lock("u1"):
                pass
        assert time.monotonic() - t0 < 2
    with other.lock("u1"):  # released: free again
        pass
