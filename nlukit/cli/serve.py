"""``nlukit serve``: the REST API and the web chat page, served by gunicorn."""
from __future__ import annotations

import argparse
import os
import sys

HELP = "serve a model over REST with the web chat page (gunicorn; --dev for Flask's server)"
EXAMPLES = """examples:
  nlukit serve models/demo --scenarios scenarios/demo.toml
  nlukit serve models/demo --scenarios scenarios/demo.toml --workers 4 --store redis://localhost:6379/0
  NLUKIT_ADMIN_TOKEN=s3cret nlukit serve models/demo --port 8080   # enables POST /admin/reload
  NLUKIT_KAKAO_TOKEN=s3cret nlukit serve models/demo --scenarios scenarios/demo.toml
      # KakaoTalk: register https://HOST/kakao/skill?token=s3cret as the skill in Kakao i Open Builder
  nlukit serve models/demo --scenarios scenarios/demo.toml --dev    # Flask's server, one process
  nlukit serve models/demo --scenarios scenarios/demo.toml --log logs/turns.jsonl   # then: nlukit review logs/turns.jsonl

With more than one worker, sessions must live in Redis (--store redis://...): with the
in-memory store each worker keeps its own sessions, so a bot served with the in-memory store
gets one worker unless --workers says otherwise. SIGTERM stops cleanly (exit 0).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="model directory (a version, or a folder with `current`)")
    parser.add_argument("--scenarios", metavar="FILE",
                        help="scenario TOML for POST /chat (without it /chat answers 503)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks one)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn worker processes (default 2; 1 with --scenarios and the in-memory "
                             "session store, which a worker does not share)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per worker (default from nlukit/gunicorn_conf.py: 8)")
    parser.add_argument("--store", metavar="URL", default=None,
                        help="session store: memory:// (default) or redis://host:port/db")
    parser.add_argument("--admin-token-env", metavar="NAME", default="NLUKIT_ADMIN_TOKEN",
                        help="env var holding the bearer token of POST /admin/reload "
                             "(default NLUKIT_ADMIN_TOKEN; unset: the route is disabled)")
    parser.add_argument("--max-text-length", type=int, default=None, metavar="N",
                        help="longest text accepted, in characters (default 1000)")
    parser.add_argument("--max-batch", type=int, default=None, metavar="N",
                        help="concurrent parses a worker answers with one model call "
                             "(default 16; 1 turns micro-batching off)")
    parser.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                        help="let pages of ORIGIN (e.g. https://shop.example) call the API from a "
                             "browser; repeatable; '*' allows any")
    parser.add_argument("--kakao-wait", type=float, default=None, metavar="SECONDS",
                        help="with Kakao callbacks on, how long a turn may take before the callback "
                             "answers it (default 3.5; Kakao waits 5)")
    parser.add_argument("--kakao-callback-host", action="append", default=[], metavar="HOST",
                        help="a host (.suffix for its subdomains) Kakao callback answers may be posted to "
                             "over https; repeatable (default .kakao.com and .kakaoenterprise.com)")
    parser.add_argument("--log", metavar="FILE", default=None,
                        help="append one JSON line per chat turn to FILE (session ids hashed), "
                             "for `nlukit review FILE`")
    parser.add_argument("--access-log", action="store_true",
                        help="log every request (gunicorn's access log, to stdout)")
    parser.add_argument("--dev", action="store_true",
                        help="run Flask's development server in this process instead of gunicorn")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..server import serve

    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be at least 1, not {args.workers}")
    most = max(8, 4 * (os.cpu_count() or 1))  # each worker is a process holding the model
    if args.workers is not None and args.workers > most:
        raise InputError(f"--workers must be at most {most} (4 per core of this machine; each worker "
                         f"loads the model), not {args.workers}; 2 per core is plenty, add --threads instead")
    if args.threads is not None and args.threads < 1:
        raise InputError(f"--threads must be at least 1, not {args.threads}")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port must be within 0-65535, not {args.port}")
    settings: dict[str, object] = {"store_url": args.store,
                                   "admin_token_env": args.admin_token_env,
                                   "cors_origins": tuple(args.cors_origin)}
    if args.kakao_wait is not None:
        if not 0 < args.kakao_wait < 5:
            raise InputError(f"--kakao-wait must be above 0 and under Kakao's 5 seconds, not {args.kakao_wait}")
        settings["kakao_wait"] = args.kakao_wait
    if args.kakao_callback_host:
        settings["kakao_callback_hosts"] = tuple(args.kakao_callback_host)
    if args.log:
        if not args.scenarios:
            raise InputError(f"--log {args.log} records chat turns, but without --scenarios there is no "
                             "/chat; add --scenarios FILE or drop --log")
        settings["turn_log"] = os.path.abspath(args.log)
    if args.max_text_length is not None:
        if args.max_text_length < 1:
            raise InputError(f"--max-text-length must be positive, not {args.max_text_length}")
        settings["max_text_length"] = args.max_text_length
    if args.max_batch is not None:
        if args.max_batch < 1:
            raise InputError(f"--max-batch must be at least 1, not {args.max_batch}")
        settings["max_batch"] = args.max_batch
    if args.admin_token_env and not os.environ.get(args.admin_token_env):
        print(f"nlukit: POST /admin/reload is disabled (env {args.admin_token_env} is not set)",
              file=sys.stderr)
    if args.scenarios and not os.environ.get("NLUKIT_KAKAO_TOKEN"):
        print("nlukit: POST /kakao/skill takes requests without a token (set NLUKIT_KAKAO_TOKEN "
              "and end the skill URL with ?token=...)", file=sys.stderr)
    if args.store and not args.scenarios:
        raise InputError(f"--store {args.store} keeps chat sessions, but without --scenarios there is no "
                         "/chat to keep them for; add --scenarios FILE or drop --store")
    memory = not args.store or args.store.startswith("memory:")
    if args.workers is None:
        # a conversation's turns go to any worker: with sessions in one worker's memory, the
        # next turn may land in the other and the slots said so far are gone
        args.workers = 1 if memory and args.scenarios else 2
        if args.workers == 1 and not args.dev:
            print("nlukit: 1 worker: chat sessions live in this process's memory (for more workers "
                  "share them: --store redis://... --workers N)", file=sys.stderr)
    elif memory and args.workers > 1 and not args.dev and args.scenarios:
        print(f"nlukit: warning: {args.workers} workers with the in-memory session store: each "
              "worker keeps its own sessions, so a conversation may lose its slots; use "
              "--store redis://... or --workers 1", file=sys.stderr)
    return serve(args.model, scenarios=args.scenarios, host=args.host, port=args.port,
                 workers=args.workers, threads=args.threads, settings=settings, dev=args.dev,
                 access_log=args.access_log)
