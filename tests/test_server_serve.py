"""`nlukit serve` as a user runs it: a subprocess over a tiny real model.

Given a model trained in seconds from tests/fixtures/model, when ``nlukit serve``
runs (gunicorn with 2 workers, or ``--dev``), then it answers REST with the real
model, ``/admin/reload`` moves every worker to the new ``current`` version, and
SIGTERM stops it promptly with exit status 0.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

pytest.importorskip("flask")
pytest.importorskip("gunicorn")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TINY = ["intent.epochs=3", "tagger.epochs=3", "train.threads=1"]


@pytest.fixture(scope="module")
def model_store(tmp_path_factory: Any) -> dict[str, str]:
    """A model store with two versions; ``current`` points at the first."""
    from nlukit import bundle
    from nlukit.train import train  # nlukit.train is shadowed by the submodule once imported

    store = str(tmp_path_factory.mktemp("served") / "demo")
    fixture = os.path.join(HERE, "fixtures", "model")
    v1 = train(fixture, store, overrides=TINY, progress=False)
    v2 = train(fixture, store, overrides=[*TINY, "train.seed=7"], progress=False,
                      force=True, switch=False)
    assert bundle.current_version(store) == os.path.basename(v1)
    return {"store": store, "v1": os.path.basename(v1), "v2": os.path.basename(v2)}


class Served:
    """A running ``nlukit serve`` subprocess and its base URL."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        full_env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "nlukit", "serve", *args],
                                     cwd=ROOT, env=full_env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._url: str | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            m = re.search(r"chat page at (http://[^/\s]+)/", line)
            if m and self._url is None:
                self._url = m.group(1)
                self._ready.set()
        self._ready.set()

    def url(self, timeout: float = 60) -> str:
        self._ready.wait(timeout)
        assert self._url, "server did not start:\n" + "".join(self.lines)
        return self._url

    def output(self) -> str:
        return "".join(self.lines)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def request(base: str, method: str, path: str, body: Any = None,
            headers: dict[str, str] | None = None) -> tuple[int, Any]:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def raw_request(base: str, data: bytes) -> bytes:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def wait_ready(base: str, timeout: float = 60) -> None:
    """Both workers have built the app once /health answers (gunicorn accepts early)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if request(base, "GET", "/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("server never answered /health")


@pytest.fixture
def scenarios(tmp_path: Any) -> str:
    from test_server_fakes import scenarios_file

    return scenarios_file(str(tmp_path))


@pytest.mark.slow
def test_should_answer_real_parses_in_the_original_offsets_and_equal_to_the_library(
        model_store: dict[str, str], scenarios: str) -> None:
    import nlukit
    from nlukit.server import create_app

    nlu = nlukit.load(model_store["store"])
    client = create_app(model_store["store"], scenarios=scenarios).test_client()
    text = "서울에서\u200b 부산으로 가는 기차 예매해줘"  # a zero-width space the model never sees
    resp = client.post("/parse", json={"text": text})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body == json.loads(json.dumps(nlu.parse(text).to_dict()))
    assert body["text"] == text
    for e in body["entities"]:
        assert text[e["start"]:e["end"]] == e["text"]
    ranking = body["intent_ranking"]
    assert sorted(r["name"] for r in ranking) == sorted(nlu.intents)
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking),
                                                        reverse=True)
    v = client.get("/version").get_json()
    assert v["model"]["version"] == model_store["v1"]
    assert v["model"]["intents"] == list(nlu.intents)
    turn = client.post("/chat", json={"session_id": "t1", "text": "안녕하세요"}).get_json()
    assert turn["intent"] == "greeting" and turn["parse"]["text"] == "안녕하세요"


@pytest.mark.slow
def test_should_serve_a_real_model_with_gunicorn_and_exit_0_on_sigterm(
        model_store: dict[str, str], scenarios: str) -> None:
    served = Served([model_store["store"], "--scenarios", scenarios, "--port", "0",
                     "--workers", "2", "--threads", "2"])
    try:
        base = served.url()
        wait_ready(base)
        status, body = request(base, "POST", "/parse", {"text": "서울에서 부산으로 가는 기차 예매해줘"})
        assert status == 200
        assert body["intent"]["name"] == "train_ticket"
        assert body["text"] == "서울에서 부산으로 가는 기차 예매해줘"
        status, version = request(base, "GET", "/version")
        assert version["model"]["version"] == model_store["v1"]
        status, turn = request(base, "POST", "/chat", {"session_id": "s1", "text": "안녕하세요"})
        assert status == 200 and turn["intent"] == "greeting" and turn["state"] == "complete"
        assert "warning: 2 workers with the in-memory session store" in served.output()
        # a request gunicorn itself cannot parse is answered in the same JSON error shape
        raw = raw_request(base, b"GARBAGE\r\n\r\n")
        head, _, payload = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), raw[:200]
        assert b"Content-Type: application/json" in head
        assert json.loads(payload)["error"]["code"] == "bad_request"
    finally:
        t0 = time.monotonic()
        code = served.stop()
    assert code == 0, served.output()
    assert time.monotonic() - t0 < 15
    assert "Traceback" not in served.output()


@pytest.mark.slow
def test_should_exit_0_on_sigterm_in_dev_mode(model_store: dict[str, str]) -> None:
    served = Served([model_store["store"], "--port", "0", "--dev"])
    try:
        base = served.url()
        assert request(base, "POST", "/parse", {"text": "안녕"})[0] == 200
        status, body = request(base, "POST", "/chat", {"session_id": "s", "text": "안녕"})
        assert (status, body["error"]["code"]) == (503, "chat_not_configured")
    finally:
        t0 = time.monotonic()
        code = served.stop()
    assert code == 0, served.output()
    assert time.monotonic() - t0 < 10


@pytest.mark.slow
def test_should_fail_in_one_line_when_the_model_directory_is_missing(tmp_path: Any) -> None:
    proc = subprocess.run([sys.executable, "-m", "nlukit", "serve", str(tmp_path / "nope"),
                           "--port", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "does not exist" in proc.stderr and "nlukit train" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_should_refuse_a_session_store_without_scenarios_to_keep_sessions_for(tmp_path: Any, capsys: Any) -> None:
    from nlukit.cli import main
    assert main(["serve", str(tmp_path / "m"), "--store", "foo://x", "--port", "0"]) == 1
    assert "without --scenarios there is no /chat to keep them for; add --scenarios FILE or drop --store" \
        in capsys.readouterr().err
    assert main(["serve", str(tmp_path / "m"), "--log", str(tmp_path / "t.jsonl"), "--port", "0"]) == 1
    assert "add --scenarios FILE or drop --log" in capsys.readouterr().err
    assert not (tmp_path / "t.jsonl").exists()
    for wait in ("0", "5", "-1"):
        assert main(["serve", str(tmp_path / "m"), "--kakao-wait", wait, "--port", "0"]) == 1
        assert "--kakao-wait must be above 0 and under Kakao's 5 seconds" in capsys.readouterr().err


def test_should_pass_the_kakao_settings_of_the_command_line_to_the_app(tmp_path: Any, monkeypatch: Any) -> None:
    from nlukit import server
    from nlukit.cli import main
    seen: dict[str, Any] = {}
    monkeypatch.setattr(server, "serve", lambda model, **kw: seen.update(kw) or 0)
    assert main(["serve", str(tmp_path / "m"), "--scenarios", "s.toml", "--kakao-wait", "2.5",
                 "--kakao-callback-host", ".example.kr", "--kakao-callback-host", "cb.example.com"]) == 0
    assert seen["settings"]["kakao_wait"] == 2.5
    assert seen["settings"]["kakao_callback_hosts"] == (".example.kr", "cb.example.com")


@pytest.mark.slow
def test_should_refuse_in_one_line_a_damaged_model_a_dead_store_or_scenarios_it_lacks(
        model_store: dict[str, str], scenarios: str, tmp_path: Any) -> None:
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(os.path.join(model_store["store"], model_store["v1"]), damaged)
    with open(sorted((damaged / "intent").rglob("weights.pt"))[0], "ab") as f:
        f.write(b"tampered")
    proc = subprocess.run([sys.executable, "-m", "nlukit", "serve", str(damaged), "--port", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "weights.pt" in proc.stderr and "Traceback" not in proc.stderr
    assert "Booting worker" not in proc.stderr  # refused before any worker started

    proc = subprocess.run([sys.executable, "-m", "nlukit", "serve", model_store["store"],
                           "--scenarios", scenarios, "--store", "redis://127.0.0.1:1/0",
                           "--port", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "cannot reach Redis" in proc.stderr and "Traceback" not in proc.stderr
    assert "Booting worker" not in proc.stderr

    scen = tmp_path / "pizza.toml"
    scen.write_text('[[scenario]]\nintent = "pizza_order"\nresponse = "네"\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "nlukit", "serve", model_store["store"],
                           "--scenarios", str(scen), "--port", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "pizza_order" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_should_move_every_worker_to_the_new_current_on_reload(model_store: dict[str, str]) -> None:
    from nlukit import bundle

    store = model_store["store"]
    served = Served([store, "--port", "0", "--workers", "2", "--threads", "1"],
                    env={"NLUKIT_ADMIN_TOKEN": "tok-123"})
    try:
        base = served.url()
        wait_ready(base)
        assert request(base, "POST", "/admin/reload",
                       headers={"Authorization": "Bearer nope"})[0] == 401
        bundle.set_current(store, model_store["v2"])
        status, body = request(base, "POST", "/admin/reload",
                               headers={"Authorization": "Bearer tok-123"})
        assert status == 200, body
        assert body["model"]["version"] == model_store["v2"]
        assert body["previous"]["version"] == model_store["v1"]
        assert body["workers_restarting"] is True
        # every worker answers with the new version soon; none fails meanwhile
        deadline = time.monotonic() + 30
        recent: list[str] = []
        while time.monotonic() < deadline:
            status, v = request(base, "GET", "/version")
            assert status == 200
            recent = (recent + [v["model"]["version"]])[-20:]
            if len(recent) == 20 and set(recent) == {model_store["v2"]}:
                break
            time.sleep(0.05)
        assert set(recent) == {model_store["v2"]}, recent
        assert request(base, "POST", "/parse", {"text": "내일 서울 날씨 어때"})[0] == 200
    finally:
        bundle.set_current(store, model_store["v1"])
        code = served.stop()
    assert code == 0, served.output()


@pytest.mark.slow
def test_should_answer_the_same_parses_batched_under_load_as_one_by_one(
        model_store: dict[str, str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import nlukit
    from nlukit.dataset import read_jsonl
    from nlukit.server import create_app

    nlu = nlukit.load(model_store["store"])
    app = create_app(model_store["store"], settings={"max_batch": 8})
    texts = [ex.text for split in ("train", "test") for ex in
             read_jsonl(os.path.join(HERE, "fixtures", "model", f"{split}.jsonl"))]

    def post(text: str) -> dict[str, Any]:
        resp = app.test_client().post("/parse", json={"text": text})
        assert resp.status_code == 200
        return resp.get_json()

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(post, texts))
    batcher = app.extensions["nlukit"].runtime.nlu
    assert batcher.batches < len(texts)  # some requests did share a model call

    def labels(d: dict[str, Any]) -> Any:
        return (d["intent"]["name"], [(e["start"], e["end"], e["entity"], e["role"], e["value"])
                                      for e in d["entities"]])

    for text, answer in zip(texts, answers, strict=True):
        alone = nlu.parse(text).to_dict()
        assert labels(answer) == labels(alone), text
        assert answer["intent"]["confidence"] == pytest.approx(alone["intent"]["confidence"],
                                                               abs=1e-5)


@pytest.mark.slow
def test_should_keep_serving_the_last_good_version_when_a_worker_restarts_on_a_broken_current(
        model_store: dict[str, str], tmp_path: Any) -> None:
    """A worker that dies (OOM, timeout) comes back on the version the server serves, not on a
    ``current`` that /admin/reload refused: gunicorn would stop the whole server otherwise."""
    import shutil

    store = str(tmp_path / "store")
    shutil.copytree(model_store["store"], store, symlinks=True)
    broken = os.path.join(store, "29991231T000000Z")
    shutil.copytree(os.path.join(store, model_store["v2"]), broken)
    served = Served([store, "--port", "0", "--workers", "1", "--threads", "2"],
                    env={"NLUKIT_ADMIN_TOKEN": "tok-123"})
    try:
        base = served.url()
        wait_ready(base)
        with open(os.path.join(broken, "meta.json"), "w") as f:
            f.write("{")
        tmp_link = os.path.join(store, "current.tmp")
        os.symlink(os.path.basename(broken), tmp_link)
        os.replace(tmp_link, os.path.join(store, "current"))
        status, body = request(base, "POST", "/admin/reload",
                               headers={"Authorization": "Bearer tok-123"})
        assert status == 503 and body["error"]["code"] == "reload_failed", body
        pids = [int(p) for p in re.findall(r"Booting worker with pid: (\d+)", served.output())]
        os.kill(pids[-1], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and served.proc.poll() is None:
            try:
                status, v = request(base, "GET", "/version")
                if status == 200 and len(re.findall(r"Booting worker", served.output())) > len(pids):
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert served.proc.poll() is None, served.output()
        assert request(base, "GET", "/version")[1]["model"]["version"] == model_store["v1"]
        assert request(base, "POST", "/parse", {"text": "내일 서울 날씨 어때"})[0] == 200
        assert "29991231T000000Z" in served.output()  # the log says why the old one serves
    finally:
        code = served.stop()
    assert code == 0, served.output()


@pytest.mark.slow
def test_should_fail_in_one_line_on_a_port_in_use_or_a_host_that_is_not_here(
        model_store: dict[str, str]) -> None:
    # gunicorn tried five times, logging each, then "Can't connect to ('127.0.0.1', port)"
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = held.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "nlukit", "serve", model_store["store"],
                               "--port", str(port)], cwd=ROOT, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "NLUKIT_ADMIN_TOKEN": "t"})
    assert proc.returncode == 1
    assert f"nlukit: error: port {port} on 127.0.0.1 is in use" in proc.stderr, proc.stderr
    assert "--port" in proc.stderr and "Can't connect" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "nlukit", "serve", model_store["store"],
                           "--host", "999.1.1.1", "--port", "8000"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NLUKIT_ADMIN_TOKEN": "t"})
    assert proc.returncode == 1
    assert "nlukit: error: --host '999.1.1.1'" in proc.stderr and proc.stderr.count("\n") == 1, \
        proc.stderr


def test_should_say_a_scenarios_path_is_a_folder_rather_than_missing(tmp_path: Any, capsys: Any) -> None:
    from nlukit.cli import main
    assert main(["serve", str(tmp_path / "m"), "--scenarios", str(tmp_path), "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "is a folder" in err and "does not exist" not in err and "scenarios/demo.toml" in err
