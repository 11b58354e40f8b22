#!/usr/bin/env python
"""REST benchmark of ``nlukit serve``: throughput, latency, and 10,000 malformed requests.

Starts ``nlukit serve`` (gunicorn, 2 workers, loopback) over the demo model and
measures, with a bounded number of requests from keep-alive HTTP clients (Python
processes × threads, http.client):

- ``POST /parse``: requests/s, p50/p99 latency, errors — with the server's
  micro-batching on (default) and off (``--max-batch 1``); also for a fixed
  duration with ``wrk`` when installed (apt-get install wrk): a C client takes far
  less of the machine than Python clients, so it measures the server better;
- ``POST /chat``: multi-turn sessions (Redis store when redis-server exists);
- 10,000 malformed requests (broken JSON, bodies over the limit, invalid UTF-8,
  wrong types, wrong content types, deep nesting, bad session ids, wrong methods):
  the count of 5xx answers, and whether ``/health`` still answers.

Baseline, measured in the same run: ``NLU.parse`` in this process, one thread, same
texts. REST throughput is reported as a ratio of it. Goals: /parse ≥ 1,000 req/s,
p99 ≤ 50 ms, zero errors; zero 5xx under malformed input.

    .venv/bin/python bench/bench_rest.py                 # builds the demo model in /tmp
    .venv/bin/python bench/bench_rest.py --model models/demo --requests 5000

Writes bench/results/rest.json and prints a table.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = "/tmp/nlukit-bench-rest"
CHAT_SCRIPT = ["내일 서울에서 부산으로 가는 기차 예매해줘", "기차 예매해줘", "대전", "광주",
               "내일 서울 날씨 어때", "날씨 알려줘", "부산", "안녕하세요", "강남역 근처 맛집 추천해줘",
               "내일 아침 7시에 깨워줘", "고마워"]


# -- model -------------------------------------------------------------------------------
def ensure_model(args: argparse.Namespace) -> tuple[str, str]:
    """The model directory and the texts file (a dataset's test.jsonl) to send."""
    if args.model:
        texts = args.texts or os.path.join(WORK, "data", "test.jsonl")
        return args.model, texts
    data, model = os.path.join(WORK, "data"), os.path.join(WORK, "model")
    nlukit = [sys.executable, "-m", "nlukit"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if not os.path.exists(os.path.join(data, "dataset.json")):
        subprocess.run([*nlukit, "generate", "patterns/", "dicts/", "-o", data, "--seed", "13",
                        "--force", "--quiet"], cwd=ROOT, env=env, check=True)
    if not os.path.exists(os.path.join(model, "current")):
        print(f"training the demo model into {model} (once; reused by later runs)...", flush=True)
        subprocess.run([*nlukit, "train", data, "-o", model, "--threads", "1", "--no-progress"],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return model, args.texts or os.path.join(data, "test.jsonl")


def read_texts(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


# -- server ------------------------------------------------------------------------------
class Server:
    def __init__(self, model: str, scenarios: str | None, workers: int, threads: int,
                 store: str | None, max_batch: int) -> None:
        cmd = [sys.executable, "-m", "nlukit", "serve", model, "--port", "0",
               "--workers", str(workers), "--threads", str(threads), "--max-batch", str(max_batch)]
        if scenarios:
            cmd += ["--scenarios", scenarios]
        if store:
            cmd += ["--store", store]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.url = ""
        ready = threading.Event()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line)
                m = re.search(r"chat page at (http://[^/\s]+)/", line)
                if m and not self.url:
                    self.url = m.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        ready.wait(120)
        if not self.url:
            raise SystemExit("server did not start:\n" + "".join(self.lines))
        self.host, port = self.url.removeprefix("http://").rsplit(":", 1)
        self.port = int(port)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # every worker has loaded the model
            if self.proc.poll() is not None:
                raise SystemExit("server exited:\n" + "".join(self.lines))
            if all(self._ping() for _ in range(2 * workers)):
                return
            time.sleep(0.2)
        raise SystemExit("server never became healthy:\n" + "".join(self.lines))

    def _ping(self) -> bool:
        try:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
            conn.request("POST", "/parse", body=b'{"text": "\xec\x95\x88\xeb\x85\x95"}',
                         headers={"Content-Type": "application/json"})
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def health(self) -> bool:
        try:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
            conn.request("GET", "/health")
            resp = conn.getresponse()
            body = json.loads(resp.read())
            conn.close()
            return resp.status == 200 and body.get("status") == "ok"
        except (OSError, ValueError):
            return False

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


# -- load generation ---------------------------------------------------------------------
def _client_thread(host: str, port: int, jobs: list[tuple[str, str, Any, dict[str, str]]],
                   out: list[tuple[float, int]]) -> None:
    conn: http.client.HTTPConnection | None = None
    for method, path, body, headers in jobs:
        t0 = time.perf_counter()
        status = -1
        for _attempt in range(2):  # a server that closed the keep-alive connection: reconnect once
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=60)
                if isinstance(body, tuple):  # ("chunked", data): no Content-Length
                    data = body[1]
                    conn.request(method, path, body=iter([data[i:i + 4096] for i in
                                                          range(0, len(data), 4096)]),
                                 headers=headers, encode_chunked=True)
                else:
                    conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
                break
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
        out.append((time.perf_counter() - t0, status))
    if conn is not None:
        conn.close()


def _client_process(host: str, port: int, per_thread: list[list[Any]], queue: Any) -> None:
    results: list[list[tuple[float, int]]] = [[] for _ in per_thread]
    threads = [threading.Thread(target=_client_thread, args=(host, port, jobs, res))
               for jobs, res in zip(per_thread, results, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put([r for res in results for r in res])


def run_load(server: Server, streams: list[list[Any]], processes: int) -> dict[str, Any]:
    """Each stream is one keep-alive connection's ordered requests; streams spread over processes."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    groups = [streams[i::processes] for i in range(processes)]
    procs = [ctx.Process(target=_client_process, args=(server.host, server.port, g, queue))
             for g in groups if g]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [r for _ in procs for r in queue.get()]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    return summarise(results, wall)


def summarise(results: list[tuple[float, int]], wall: float) -> dict[str, Any]:
    lat = sorted(r[0] for r in results)
    statuses = Counter(str(r[1]) for r in results)

    def pct(q: float) -> float:
        return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 2) if lat else 0.0

    return {"requests": len(results), "seconds": round(wall, 3),
            "req_per_s": round(len(results) / wall, 1) if wall else 0.0,
            "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
            "max_ms": round(lat[-1] * 1000, 2) if lat else 0.0,
            "statuses": dict(sorted(statuses.items())),
            "errors": sum(n for s, n in statuses.items() if not s.startswith("2")),
            "server_errors": sum(n for s, n in statuses.items() if s.startswith("5") or s == "-1")}


JSON = {"Content-Type": "application/json"}


def parse_streams(texts: list[str], n: int, clients: int) -> list[list[Any]]:
    jobs = [("POST", "/parse", json.dumps({"text": texts[i % len(texts)]}, ensure_ascii=False
                                          ).encode(), JSON) for i in range(n)]
    return [jobs[c::clients] for c in range(clients)]


def chat_streams(n: int, clients: int) -> list[list[Any]]:
    streams = []
    for c in range(clients):
        jobs = []
        for i in range(n // clients):
            sid = f"bench-{c}-{i // len(CHAT_SCRIPT)}"
            text = CHAT_SCRIPT[i % len(CHAT_SCRIPT)]
            jobs.append(("POST", "/chat", json.dumps({"session_id": sid, "text": text},
                                                     ensure_ascii=False).encode(), JSON))
        streams.append(jobs)
    return streams


def malformed_jobs(n: int) -> list[Any]:
    huge = json.dumps({"text": "가" * 40000}).encode()  # ~240 kB of \\u escapes
    kinds: list[tuple[str, str, Any, dict[str, str]]] = [
        ("POST", "/parse", b'{"text": "\xec\x84\x9c\xec\x9a\xb8', JSON),          # truncated
        ("POST", "/parse", b"{text: 1}", JSON),
        ("POST", "/parse", b"", JSON),
        ("POST", "/parse", b'{"text": "a"}}', JSON),
        ("POST", "/parse", b'{"text": NaN}', JSON),
        ("POST", "/parse", b"[" * 20000 + b"]" * 20000, JSON),                 # deep nesting
        ("POST", "/parse", huge, JSON),                                          # over 64 kB
        ("POST", "/chat", huge, JSON),
        ("POST", "/parse", ("chunked", huge), {**JSON, "Transfer-Encoding": "chunked"}),
        ("POST", "/parse", json.dumps({"text": "가" * 5000}, ensure_ascii=False).encode(), JSON),
        ("POST", "/parse", b'{"text": "\xff\xfe\xfd"}', JSON),                  # invalid UTF-8
        ("POST", "/parse", b'{"text": "\xc0\xaf"}', JSON),                      # overlong
        ("POST", "/parse", b'{"text": "\xed\xa0\x80"}', JSON),                  # encoded surrogate
        ("POST", "/parse", b'{"text": "\\ud800"}', JSON),                       # escaped surrogate
        ("POST", "/parse", b'{"text": 1}', JSON),
        ("POST", "/parse", b'{"text": null}', JSON),
        ("POST", "/parse", b'{"text": ["a"]}', JSON),
        ("POST", "/parse", b'{"text": {"a": 1}}', JSON),
        ("POST", "/parse", b"[]", JSON),
        ("POST", "/parse", b'"text"', JSON),
        ("POST", "/parse", b"123", JSON),
        ("POST", "/chat", b'{"session_id": 5, "text": "a"}', JSON),
        ("POST", "/chat", b'{"session_id": "../../etc/passwd", "text": "a"}', JSON),
        ("POST", "/chat", json.dumps({"session_id": "s" * 500, "text": "a"}).encode(), JSON),
        ("POST", "/chat", b'{"session_id": "", "text": "a"}', JSON),
        ("POST", "/chat", b'{"text": "a"}', JSON),
        ("POST", "/parse", b'{"text": "a"}', {"Content-Type": "text/plain"}),
        ("POST", "/parse", b"text=a", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("POST", "/parse", b'{"text": "a"}', {}),
        ("POST", "/parse", '{"text": "a"}'.encode("utf-16"),
         {"Content-Type": "application/json; charset=utf-16"}),
        ("POST", "/parse", b"--x\r\n\r\n--x--", {"Content-Type": "multipart/form-data; boundary=x"}),
        ("GET", "/parse", None, {}),
        ("PUT", "/chat", b"{}", JSON),
        ("DELETE", "/chat/..%2F..%2Fetc", None, {}),
        ("DELETE", "/chat/.hidden", None, {}),
        ("GET", "/../../etc/passwd", None, {}),
        ("GET", "/static/..%2Fserver.py", None, {}),
        ("POST", "/admin/reload", None, {"Authorization": "Bearer guess"}),
    ]
    return [kinds[i % len(kinds)] for i in range(n)]


def baseline(model: str, texts: list[str], n: int) -> dict[str, Any]:
    import torch

    import nlukit

    torch.set_num_threads(1)
    nlu = nlukit.load(model)
    for t in texts[:20]:
        nlu.parse(t)
    t0 = time.perf_counter()
    for i in range(n):
        nlu.parse(texts[i % len(texts)])
    wall = time.perf_counter() - t0
    t0 = time.perf_counter()
    for lo in range(0, n, 16):
        nlu.parse_batch([texts[i % len(texts)] for i in range(lo, min(n, lo + 16))])
    wall_b = time.perf_counter() - t0
    return {"requests": n, "parse_per_s": round(n / wall, 1),
            "parse_batch16_per_s": round(n / wall_b, 1)}


def run_wrk(server: Server, texts: list[str], seconds: int, connections: int) -> dict[str, Any] | None:
    """/parse load from wrk (C, keep-alive; costs the machine far less than Python clients)."""
    exe = shutil.which("wrk")
    if exe is None:
        return None
    bodies = ",\n".join("[==[" + json.dumps({"text": t}, ensure_ascii=False) + "]==]"
                         for t in texts)
    script = os.path.join(WORK, "wrk_parse.lua")
    os.makedirs(WORK, exist_ok=True)
    with open(script, "w", encoding="utf-8") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"local bodies = {{\n{bodies}\n}}\nlocal i = 0\n"
                "request = function()\n  i = i % #bodies + 1\n"
                '  return wrk.format(nil, "/parse", nil, bodies[i])\nend\n')
    out = subprocess.run([exe, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script,
                          f"http://{server.host}:{server.port}"],
                         capture_output=True, text=True, timeout=seconds + 60).stdout

    def ms(label: str) -> float | None:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        return round(float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)], 2)

    total = re.search(r"(\d+) requests in ([\d.]+)s", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"tool": "wrk -t2", "connections": connections, "seconds": seconds,
            "requests": int(total.group(1)) if total else None,
            "req_per_s": float(m.group(1)) if (m := re.search(r"Requests/sec:\s+([\d.]+)", out))
            else None,
            "p50_ms": ms("50%"), "p90_ms": ms("90%"), "p99_ms": ms("99%"),
            "errors": (int(non2xx.group(1)) if non2xx else 0)
            + (sum(int(x) for x in sock.groups()) if sock else 0)}


def maybe_redis() -> tuple[Any, str | None]:
    if shutil.which("redis-server") is None:
        return None, None
    sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures", "bot"))
    try:
        from redis_server import start_redis_server
    except ImportError:
        return None, None
    ctx = start_redis_server()
    server = ctx.__enter__()
    return ctx, server.url


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="model directory (default: build the demo model in /tmp)")
    ap.add_argument("--texts", help="JSONL with a text field per line (default: the demo test split)")
    ap.add_argument("--scenarios", default=os.path.join(ROOT, "scenarios", "demo.toml"))
    ap.add_argument("--requests", type=int, default=4000, help="/parse requests per run")
    ap.add_argument("--chat-requests", type=int, default=2000)
    ap.add_argument("--malformed", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=16, help="keep-alive connections")
    ap.add_argument("--processes", type=int, default=2, help="load generator processes")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    ap.add_argument("--wrk-seconds", type=int, default=10,
                    help="duration of the wrk /parse runs (when wrk is installed)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "rest.json"))
    args = ap.parse_args()

    model, texts_path = ensure_model(args)
    texts = read_texts(texts_path)
    redis_ctx, redis_url = maybe_redis()
    result: dict[str, Any] = {
        "command": " ".join([os.path.relpath(sys.executable, ROOT), *sys.argv]),
        "model": os.path.realpath(os.path.join(model, "current")) if os.path.exists(
            os.path.join(model, "current")) else model,
        "texts": f"{texts_path} ({len(texts)} distinct texts, cycled)",
        "server": {"workers": args.workers, "threads": args.threads, "store": redis_url or "memory"},
        "load": {"clients": args.clients, "processes": args.processes},
        "git_commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                     capture_output=True, text=True).stdout.strip(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "loadavg_before": os.getloadavg()},
    }
    scenarios = args.scenarios if os.path.exists(args.scenarios) else None
    try:
        for label, max_batch in (("parse_batched", 16), ("parse_unbatched", 1)):
            server = Server(model, scenarios, args.workers, args.threads, redis_url, max_batch)
            try:
                run_load(server, parse_streams(texts, min(400, args.requests), args.clients),
                         args.processes)  # warm-up
                result[label] = run_load(server, parse_streams(texts, args.requests, args.clients),
                                         args.processes)
                result[label]["max_batch"] = max_batch
                wrk = run_wrk(server, texts, args.wrk_seconds, args.clients)
                if wrk is not None:
                    wrk["max_batch"] = max_batch
                    result[label + "_wrk"] = wrk
                if max_batch > 1:
                    # the HTTP stack alone (no model): the ceiling this machine allows right now
                    result["health"] = run_load(
                        server, [[("GET", "/health", None, {})] * (args.requests // args.clients)
                                 for _ in range(args.clients)], args.processes)
                    if scenarios:
                        result["chat"] = run_load(server, chat_streams(args.chat_requests,
                                                                       args.clients),
                                                  args.processes)
                    bad = run_load(server, [malformed_jobs(args.malformed)[c::args.clients]
                                            for c in range(args.clients)], args.processes)
                    bad["health_after"] = server.health()
                    result["malformed"] = bad
            finally:
                result.setdefault("exit_codes", {})[label] = server.stop()
        result["baseline_inprocess"] = baseline(model, texts, min(2000, args.requests))
    finally:
        if redis_ctx is not None:
            redis_ctx.__exit__(None, None, None)
    base = result["baseline_inprocess"]["parse_per_s"]
    pb = result["parse_batched"]
    result["ratios"] = {
        "rest_batched_vs_inprocess_parse": round(pb["req_per_s"] / base, 2),
        "rest_unbatched_vs_inprocess_parse": round(result["parse_unbatched"]["req_per_s"] / base, 2),
        "rest_batched_vs_rest_unbatched": round(pb["req_per_s"]
                                                / result["parse_unbatched"]["req_per_s"], 2),
        "rest_batched_vs_http_only_health": round(pb["req_per_s"] / result["health"]["req_per_s"], 2),
    }
    wb = result.get("parse_batched_wrk")
    if wb and wb.get("req_per_s"):
        result["ratios"]["rest_batched_wrk_vs_inprocess_parse"] = round(wb["req_per_s"] / base, 2)
        if result.get("parse_unbatched_wrk", {}).get("req_per_s"):
            result["ratios"]["wrk_batched_vs_wrk_unbatched"] = round(
                wb["req_per_s"] / result["parse_unbatched_wrk"]["req_per_s"], 2)
    best = wb if wb and wb.get("req_per_s") else pb
    result["goals"] = {
        "measured_by": "wrk" if best is wb else "python clients",
        "parse_1000_req_per_s": best["req_per_s"] >= 1000,
        "parse_p99_50ms": best["p99_ms"] is not None and best["p99_ms"] <= 50,
        "parse_zero_errors": pb["errors"] == 0 and (not wb or wb["errors"] == 0),
        "malformed_zero_5xx": result["malformed"]["server_errors"] == 0,
        "health_after_malformed": result["malformed"]["health_after"],
    }
    result["machine"]["loadavg_after"] = os.getloadavg()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=2)
    os.replace(tmp, args.out)
    print_table(result)
    print(f"\nwrote {os.path.relpath(args.out, ROOT)}")
    return 0


def print_table(r: dict[str, Any]) -> None:
    print(f"\nnlukit REST  model={os.path.basename(r['model'])}  workers={r['server']['workers']}x"
          f"{r['server']['threads']} threads  clients={r['load']['clients']}  "
          f"store={r['server']['store']}  loadavg before={r['machine']['loadavg_before'][0]:.1f}")
    print(f"{'run':<22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'5xx':>6}")
    for key in ("health", "parse_batched", "parse_unbatched", "chat", "malformed"):
        if key in r:
            s = r[key]
            print(f"{key:<22}{s['requests']:>9}{s['req_per_s']:>9.1f}{s['p50_ms']:>9.2f}"
                  f"{s['p99_ms']:>9.2f}{s['errors']:>8}{s['server_errors']:>6}")
    for key in ("parse_batched_wrk", "parse_unbatched_wrk"):
        if key in r:
            s = r[key]
            print(f"{key:<22}{s['requests']:>9}{s['req_per_s']:>9.1f}{s['p50_ms']:>9.2f}"
                  f"{s['p99_ms']:>9.2f}{s['errors']:>8}{'':>6}")
    b = r["baseline_inprocess"]
    print(f"{'baseline in-process':<22}{b['requests']:>9}{b['parse_per_s']:>9.1f}   "
          f"(parse_batch of 16: {b['parse_batch16_per_s']:.1f}/s)")
    print(f"ratios: {r['ratios']}")
    print(f"malformed statuses: {r['malformed']['statuses']}  /health after: "
          f"{r['malformed']['health_after']}")
    print(f"goals: {r['goals']}")


if __name__ == "__main__":
    sys.exit(main())
