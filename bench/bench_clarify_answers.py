"""Answers to the demo bot's clarifying question (``혹시 '날씨 확인'을 원하세요?``) that hold a value.

    python bench/bench_clarify_answers.py MODEL [MODEL ...] [--scenarios scenarios/demo.toml] [--out FILE]

Per model, each titled scenario is asked about by the first request of bench_clarify's lists (the
natural and out-of-scope ones, in order) that gets the question for it and holds no value; then:

* ``fill``: answers that should start the scenario asked about with their value (``부산 가는데``,
  ``나 부산 살아``, ``강남역에 있어``): how many do;
* ``keep_out``: answers that must not (a request of their own, ``부산 가고 싶다``, ``부산 맛집 알려줘``,
  or talk about something else, ``부산 갔다 왔어``): how many do all the same (wrong);
* ``wide``: every out-of-scope request and every in-scope request of another intent said as the
  answer: how many start the scenario asked about with a value (wrong).

Written for the answers taken by the model's ranking (clarify14); the lists were written before
that change. An answer counts as filling when its turn is the scenario asked about, started
(``complete``, ``ask_slot`` or ``confirm``, the question closed) with a value.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from bench_clarify import save  # noqa: E402
from bench_natural import LISTS, OOS, read_list  # noqa: E402

NOW = datetime.datetime(2026, 11, 23, 10, 0)   # a Monday morning, as bench_clarify's
#: (scenario asked about, answer)
FILL = [
    ("weather", "부산 가는데"), ("weather", "나 부산 살아"), ("weather", "부산에 있어"),
    ("weather", "지금 부산이야"), ("weather", "부산 쪽이요"), ("weather", "부산 사는데"),
    ("weather", "여기 부산인데"), ("weather", "부산 가요"), ("weather", "내일 부산 가"),
    ("weather", "부산에 살아요"), ("weather", "부산 가려고"), ("weather", "저 대구에 있어요"),
    ("weather", "내일 서울 가는데"), ("weather", "광주 갈 거야"), ("weather", "내일 나가는데"),
    ("weather", "주말에 놀러 가"), ("weather", "부산 출장 가"), ("weather", "지금 제주도에 있는데"),
    ("restaurant", "강남역에 있어"), ("restaurant", "지금 홍대인데"), ("restaurant", "나 강남 살아"),
    ("restaurant", "강남 쪽이에요"), ("restaurant", "홍대에 있어요"), ("restaurant", "강남역에서 모여"),
    ("restaurant", "홍대 가는데"), ("restaurant", "회사가 강남이야"), ("restaurant", "종로에서 만나"),
    ("alarm", "7시에 일어나야 돼"), ("alarm", "6시 반에 일어나"), ("alarm", "7시에 일어날래"),
    ("alarm", "내일 6시에 나가야 돼"),
    ("music", "아이유 좋아해"), ("music", "아이유 듣고 싶어"),
]
KEEP_OUT = [
    ("weather", "부산 가고 싶다"), ("weather", "부산 갔다 왔어"), ("weather", "부산 가는 기차 있어?"),
    ("weather", "부산 맛집 알려줘"), ("weather", "비트코인 시세 어때"), ("weather", "부산 여행 가고 싶어"),
    ("weather", "부산 가는 버스 있어?"), ("weather", "부산 호텔 예약해줘"), ("weather", "부산 집값 어때"),
    ("weather", "부산 가는 기차 예매해줘"), ("weather", "부산 국밥 먹고 싶다"), ("weather", "부산 인구 몇 명이야"),
    ("weather", "부산 다녀왔어"), ("weather", "부산 가봤어?"), ("weather", "어제 부산 갔었어"),
    ("weather", "부산 가기 싫어"), ("weather", "부산 살고 싶다"), ("weather", "내일 뭐 하지"),
    ("restaurant", "강남역 가는 길 알려줘"), ("restaurant", "강남 집값 어때"), ("restaurant", "홍대 날씨 어때"),
    ("restaurant", "강남역 가는 기차"), ("restaurant", "강남에 주차할 데 있어?"), ("restaurant", "강남 가봤어?"),
    ("restaurant", "홍대 가고 싶다"),
    ("alarm", "7시에 밥 먹었어"), ("alarm", "7시 뉴스 틀어줘"), ("alarm", "7시에 서울 가는 기차"),
    ("alarm", "7시에 날씨 어때"),
    ("music", "아이유 콘서트 예매해줘"), ("music", "아이유 나이 몇 살이야"), ("music", "아이유 결혼했어?"),
]


def filled(bot: Any, sid: str, asked: str, answer: str) -> tuple[bool, str]:
    turn = bot.handle(sid, answer, now=NOW)
    done = turn.intent == asked and turn.state in ("complete", "ask_slot", "confirm") and bool(turn.slots) \
        and not (bot.session(sid) or {}).get("clarify")
    return done, turn.reply


def run(nlu: Any, scenarios: Any, requests: list[tuple[str | None, str]]) -> dict[str, Any]:
    from nlukit.bot import Bot
    bot = Bot(nlu, scenarios)
    asking: dict[str, str] = {}   # scenario → a request it is asked about by, holding no value
    for k, (_, text) in enumerate(requests):
        bot.handle(f"q{k}", text, now=NOW)
        asked = (bot.session(f"q{k}") or {}).get("clarify")
        if asked and asked["intent"] not in asking and not nlu.parse(text).entities:
            asking[asked["intent"]] = text
    out: dict[str, Any] = {"asking": asking}
    n = 0
    for name, rows in (("fill", FILL), ("keep_out", KEEP_OUT)):
        got = {"n": 0, "filled": 0, "answers": []}
        for intent, answer in rows:
            if intent not in asking:
                continue
            n += 1
            bot.handle(f"a{n}", asking[intent], now=NOW)
            done, reply = filled(bot, f"a{n}", intent, answer)
            got["n"] += 1
            got["filled"] += done
            got["answers"].append({"asked": intent, "answer": answer, "filled": done, "reply": reply})
        out[name] = got
    wide = {"n": 0, "filled": 0, "wrong": []}
    for intent, request in asking.items():
        for want, answer in requests:
            if want == intent:
                continue
            n += 1
            bot.handle(f"w{n}", request, now=NOW)
            done, reply = filled(bot, f"w{n}", intent, answer)
            wide["n"] += 1
            wide["filled"] += done
            if done:
                wide["wrong"].append({"asked": intent, "answer": answer, "reply": reply})
    out["wide"] = wide
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", metavar="MODEL")
    ap.add_argument("--scenarios", default=os.path.join(ROOT, "scenarios", "demo.toml"))
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)

    import nlukit
    from nlukit.bot import load_scenarios
    requests: list[tuple[str | None, str]] = [row for p in LISTS.values() for row in read_list(p)]
    for path in OOS.values():
        with open(path, encoding="utf-8") as fh:
            requests += [(None, x.strip()) for x in fh if x.strip() and not x.startswith("#")]
    runs: dict[str, Any] = {}
    total = {k: {"n": 0, "filled": 0} for k in ("fill", "keep_out", "wide")}
    for path in args.models:
        nlu = nlukit.load(path)
        runs[path] = r = run(nlu, load_scenarios(args.scenarios, nlu.intents, nlu.entity_types), requests)
        for k in total:
            total[k]["n"] += r[k]["n"]
            total[k]["filled"] += r[k]["filled"]
        print(f"{path} asked by {r['asking']}: fill {r['fill']['filled']} of {r['fill']['n']}, keep_out wrongly "
              f"filled {r['keep_out']['filled']} of {r['keep_out']['n']}, wide {r['wide']['filled']} of {r['wide']['n']}")
    print("total", json.dumps(total))
    if args.out:
        save(args.out, "bench_clarify_answers.py", argv, args.scenarios, total, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
