"""Multi-turn conversations with the scenario bot, written as tables.

Each table row is (user text, a substring the reply must contain, the turn's state).
The parser is a deterministic stand-in (tests/fixtures/bot/bot_standin.py), so each
table says exactly what the bot does with a given parse.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time

import pytest

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import bot_actions  # noqa: E402
from bot_standin import StandInParser, parse_result  # noqa: E402

from nlukit.bot import Bot, MemoryStore, Turn, load_scenarios  # noqa: E402
from nlukit.bot.scenario import parse_scenarios  # noqa: E402
from nlukit.errors import InputError, ScenarioError  # noqa: E402
from nlukit.types import Entity, ParseResult  # noqa: E402

SCENARIOS = os.path.join(HERE, "scenarios.toml")
Table = list[tuple[str, str, str]]


class FakeClock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def make_bot(overrides=None, clock=None, **kw) -> Bot:
    parser = StandInParser(overrides=overrides)
    scenarios = load_scenarios(SCENARIOS, parser.intents, parser.entity_types)
    if clock is not None:
        kw["clock"] = clock
    return Bot(parser, scenarios, **kw)


def talk(bot: Bot, session: str, table: Table) -> list[Turn]:
    """Play a table; on the first mismatch fail with the whole transcript so far."""
    turns: list[Turn] = []
    transcript: list[str] = []
    for text, want_reply, want_state in table:
        turn = bot.handle(session, text)
        turns.append(turn)
        transcript.append(f"  user: {text!r} -> bot: {turn.reply!r} [{turn.state}]")
        assert want_reply in turn.reply and turn.state == want_state, (
            f"expected reply containing {want_reply!r} [{want_state}]\n" + "\n".join(transcript))
    return turns


# ------------------------------------------------------------------ asking and filling

def test_should_ask_each_missing_slot_and_fill_bare_answers_into_the_asked_role():
    bot = make_bot()
    turns = talk(bot, "u1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서울", "서울에서 어디로 가세요?", "ask_slot"),
        ("부산", "언제 출발하세요?", "ask_slot"),
        ("내일", "내일 서울에서 부산으로 가는 기차를 예매할게요.", "complete"),
    ])
    assert turns[1].slots == {"origin": "서울"}
    assert turns[1].missing == ["destination", "date"]
    assert turns[-1].to_dict()["slots"] == {"origin": "서울", "destination": "부산", "date": "내일"}
    assert turns[-1].to_dict()["intent"] == "train_ticket"
    assert turns[-1].missing == []


def test_should_fill_the_asked_slot_from_a_bare_value_even_when_the_model_guesses_another_role_and_intent():
    # the model reads a lone "부산" as weather with an origin role: the bot knows it asked for the destination
    wrong = parse_result("부산", "weather", 0.95, Entity("location", "부산", "부산", 0, 2, 0.9, "origin"))
    bot = make_bot({"부산": wrong})
    turns = talk(bot, "u1", [
        ("서울에서 출발하는 기차 예매해줘", "어디로 가세요?", "ask_slot"),
        ("부산", "언제 출발하세요?", "ask_slot"),
    ])
    assert turns[-1].slots == {"origin": "서울", "destination": "부산"}
    assert turns[-1].intent == "train_ticket"


def test_should_fill_a_bare_value_the_parser_missed_from_the_dictionary_with_its_canonical_value():
    nothing = parse_result("서울특별시요", "fallback", 0.2)
    bot = make_bot({"서울특별시요": nothing})
    turns = talk(bot, "u1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서울특별시요", "서울에서 어디로 가세요?", "ask_slot"),
    ])
    assert turns[-1].slots == {"origin": "서울"}


def test_should_fill_roles_from_one_sentence_and_the_first_empty_slot_for_entities_without_role():
    no_roles = parse_result("서울 부산 기차", "train_ticket", 0.9,
                            Entity("location", "서울", "서울", 0, 2, 0.9),
                            Entity("location", "부산", "부산", 3, 5, 0.9))
    bot = make_bot({"서울 부산 기차": no_roles})
    talk(bot, "a", [
        ("부산으로 가는 기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서울에서요", "언제 출발하세요?", "ask_slot"),
        ("모레", "모레 서울에서 부산으로 가는", "complete"),
    ])
    turns = talk(bot, "b", [
        ("서울 부산 기차", "언제 출발하세요?", "ask_slot"),
    ])
    assert turns[0].slots == {"origin": "서울", "destination": "부산"}
    talk(bot, "c", [
        ("낼 서울에서 광주로 가는 기차 예매해줘", "내일 서울에서 광주로 가는 기차를 예매할게요.", "complete"),
    ])


def test_should_apply_defaults_to_optional_slots_without_asking():
    bot = make_bot()
    turns = talk(bot, "u1", [
        ("날씨 알려줘", "어느 지역 날씨를 알려드릴까요?", "ask_slot"),
        ("제주도", "오늘 제주의 날씨를 알려드릴게요.", "complete"),
        ("낼 서울시 날씨", "내일 서울의 날씨를 알려드릴게요.", "complete"),
    ])
    assert turns[1].slots == {"location": "제주", "date": "오늘"}
    assert turns[1].missing == []


def test_should_fill_a_slot_from_its_regex_pattern_and_refuse_a_value_that_does_not_match():
    dawn = parse_result("알람 새벽에 맞춰줘", "alarm", 0.9, Entity("time", "새벽", "새벽", 3, 5, 0.8))
    bot = make_bot({"알람 새벽에 맞춰줘": dawn})
    talk(bot, "u1", [
        ("알람 맞춰줘", "몇 시에 울릴까요?", "ask_slot"),
        ("오전 7시 30분에 깨워줘", "내일 오전 7시 30분에 알람을 맞췄어요.", "complete"),
        ("알람 오후 3시에 맞춰줘", "내일 오후 3시에 알람을 맞췄어요.", "complete"),
        ("알람 새벽에 맞춰줘", "'새벽'은 시간으로 읽을 수 없어요. 몇 시에 울릴까요?", "ask_slot"),
        ("6시", "내일 6시에 알람을 맞췄어요.", "complete"),
    ])


def test_should_read_number_words_as_digits_when_checking_a_slot_pattern():
    # the parser gives 세 시 (not in its dictionary) as typed; the \d{1,2}시 pattern takes it as 3시
    three = parse_result("오후 세 시에 깨워줘", "alarm", 0.9, Entity("time", "오후 세 시", "오후 세 시", 0, 6, 0.8))
    noon = parse_result("열두시 삼십분 알람", "alarm", 0.9, Entity("time", "열두시 삼십분", "열두시 삼십분", 0, 7, 0.8))
    word = parse_result("알람 세종시에 맞춰줘", "alarm", 0.9, Entity("time", "세종시", "세종시", 3, 6, 0.8))
    bot = make_bot({"오후 세 시에 깨워줘": three, "열두시 삼십분 알람": noon, "알람 세종시에 맞춰줘": word})
    turns = talk(bot, "u1", [
        ("오후 세 시에 깨워줘", "내일 오후 3시에 알람을 맞췄어요.", "complete"),
        ("열두시 삼십분 알람", "내일 12시 30분에 알람을 맞췄어요.", "complete"),
        ("알람 세종시에 맞춰줘", "'세종시'는 시간으로 읽을 수 없어요.", "ask_slot"),
    ])
    assert turns[0].slots["time"] == "오후 3시"


def test_should_refuse_values_outside_the_dictionary_or_the_allowed_list_and_ask_again():
    daejeon = parse_result("대전 맛집 알려줘", "restaurant", 0.9, Entity("location", "대전", "대전", 0, 2, 0.7))
    gimbap = parse_result("김밥", "fallback", 0.2, Entity("food", "김밥", "김밥", 0, 2, 0.7))
    bot = make_bot({"대전 맛집 알려줘": daejeon, "김밥": gimbap})
    turns = talk(bot, "u1", [
        ("대전 맛집 알려줘", "'대전'은 처리할 수 없어요. 어느 동네에서 찾을까요?", "ask_slot"),
        ("부산", "어떤 음식이 좋으세요?", "ask_slot"),
        ("김밥", "'김밥'은 처리할 수 없어요. 어떤 음식이 좋으세요?", "ask_slot"),
        ("짜장", "부산 짜장면 맛집을 찾아볼게요.", "complete"),
    ])
    assert turns[-1].slots == {"location": "부산", "food": "짜장면"}


# ------------------------------------------------------------------ switching, cancelling, fallback

def test_should_switch_scenario_when_a_different_intent_is_confident_mid_fill():
    unsure = parse_result("날씨는 좀 그렇고", "weather", 0.4)
    bot = make_bot({"날씨는 좀 그렇고": unsure})
    talk(bot, "u1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("날씨는 좀 그렇고", "잘 이해하지 못했어요. 어디에서 출발하세요?", "ask_slot"),
        ("내일 제주 날씨 어때", "내일 제주의 날씨를 알려드릴게요.", "complete"),
        # the trip was dropped: a bare 부산 now follows up the weather, not the ticket
        ("부산", "내일 부산의 날씨를 알려드릴게요.", "complete"),
    ])


def test_should_reset_on_a_cancel_phrase():
    bot = make_bot()
    turns = talk(bot, "u1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서울", "어디로 가세요?", "ask_slot"),
        ("됐어요", "취소했어요.", "cancelled"),
        ("부산", "잘 이해하지 못했어요.", "fallback"),
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("그만 할래", "취소했어요.", "cancelled"),
    ])
    assert turns[2].intent == "train_ticket" and turns[2].slots == {}
    assert bot.session("u1")["intent"] is None


def test_should_let_a_confident_intent_win_over_a_cancel_phrase_when_nothing_is_under_way():
    hello = parse_result("그만 안녕", "greeting", 0.95)
    bot = make_bot({"그만 안녕": hello})
    talk(bot, "u1", [
        ("그만 안녕", "안녕하세요!", "complete"),          # idle: the greeting, not a cancel
        ("그만", "취소했어요.", "cancelled"),              # idle and unclear: still a cancel
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("그만 안녕", "취소했어요.", "cancelled"),         # under way: the cancel wins
    ])


def test_should_answer_fallback_and_a_different_reply_after_repeated_misunderstanding():
    bot = make_bot()
    talk(bot, "u1", [
        ("음...", "잘 이해하지 못했어요.", "fallback"),
        ("ㅋㅋ", "다시 한 번 말씀해 주세요.", "fallback"),
        ("???", "계속 이해하지 못해 죄송해요.", "fallback"),
        ("", "계속 이해하지 못해 죄송해요.", "fallback"),
        ("안녕", "안녕하세요!", "complete"),
        ("음", "잘 이해하지 못했어요.", "fallback"),
    ])


def test_should_give_up_a_scenario_after_max_turns():
    bot = make_bot()
    rows: Table = [("기차 예매해줘", "어디에서 출발하세요?", "ask_slot")]
    rows += [("글쎄", "어디에서 출발하세요?", "ask_slot")] * 4
    rows += [("글쎄", "처음부터 다시 시작할게요", "fallback"),
             ("서울", "잘 이해하지 못했어요.", "fallback")]
    talk(bot, "u1", rows)


# ------------------------------------------------------------------ actions

def test_should_pass_canonical_slots_and_session_info_to_an_action_and_reply_with_its_result():
    bot_actions.CALLS.clear()
    bot = make_bot()
    talk(bot, "u1", [
        ("BTS 봄날 틀어줘", "방탄소년단의 봄날 재생할게요.", "complete"),
        ("아이유 노래 틀어줘", "아이유 노래를 재생할게요.", "complete"),
        ("노래 틀어줘", "인기 차트를 재생할게요.", "complete"),
    ])
    slots, context = bot_actions.CALLS[0]
    assert slots == {"artist": "방탄소년단", "song": "봄날"}
    assert context["session_id"] == "u1" and context["intent"] == "music"
    assert context["text"] == "BTS 봄날 틀어줘"


def test_should_give_an_action_every_message_of_its_request():
    # author14: a complaint bot asked the kind of a complaint (민원 넣을게요 윗집에서 밤마다 쿵쿵거려요 →
    # 어떤 민원인가요? → 층간소음) and its action, seeing only context["text"], recorded 층간소음 without
    # the description said first
    bot_actions.CALLS.clear()
    parser = StandInParser()
    music = {"intent": "music", "action": "bot_actions:play_music",
             "slot": [{"entity": "artist", "prompt": "누구 노래요?"}]}
    bot = Bot(parser, parse_scenarios({"scenario": [music]}, intents=parser.intents,
                                      entity_types=parser.entity_types))
    talk(bot, "u1", [("노래 틀어줘 요즘 너무 우울해", "누구 노래요?", "ask_slot"), ("음", "누구 노래요?", "ask_slot"),
                     ("아이유", "아이유 노래를 재생할게요.", "complete")])
    _, context = bot_actions.CALLS[-1]
    assert context["texts"] == ["노래 틀어줘 요즘 너무 우울해", "음", "아이유"] and context["text"] == "아이유"
    # a request made at once: its one message; the next request starts anew
    talk(bot, "u1", [("아이유 노래 틀어줘", "아이유 노래를 재생할게요.", "complete")])
    assert bot_actions.CALLS[-1][1]["texts"] == ["아이유 노래 틀어줘"]


def test_should_give_the_users_date_to_the_parser_and_the_action():
    import datetime
    bot_actions.CALLS.clear()
    parser = StandInParser()
    bot = Bot(parser, load_scenarios(SCENARIOS, parser.intents, parser.entity_types))
    day = datetime.date(2026, 11, 25)
    assert bot.handle("u1", "BTS 봄날 틀어줘", today=day).state == "complete"
    assert parser.todays[-1] == day and bot_actions.CALLS[-1][1]["today"] == day
    bot.handle("u1", "BTS 봄날 틀어줘")         # not given: the parser's default, this machine's date
    assert parser.todays[-1] is None and bot_actions.CALLS[-1][1]["today"] == datetime.date.today()


def test_should_turn_an_action_error_into_a_polite_reply_and_log_it(caplog):
    bot = make_bot()
    with caplog.at_level(logging.ERROR, logger="nlukit.bot"):
        talk(bot, "u1", [
            ("고장난 기능 실행해줘", "문제가 생겼어요", "fallback"),
            ("안녕", "안녕하세요!", "complete"),
        ])
    assert any("bot_actions:broken" in r.getMessage() and r.exc_info for r in caplog.records)


# ------------------------------------------------------------------ sessions

def test_should_keep_interleaved_sessions_apart():
    bot = make_bot()
    steps = [
        ("a", "기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("b", "날씨 알려줘", "어느 지역 날씨를", "ask_slot"),
        ("a", "광주", "광주에서 어디로 가세요?", "ask_slot"),
        ("b", "부산", "오늘 부산의 날씨를 알려드릴게요.", "complete"),
        ("b", "서울", "오늘 서울의 날씨를 알려드릴게요.", "complete"),  # b's follow-up, not a's answer
        ("a", "서울역", "언제 출발하세요?", "ask_slot"),
        ("b", "기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("a", "오늘", "오늘 광주에서 서울역으로 가는 기차를 예매할게요.", "complete"),
        ("b", "대구", "대구에서 어디로 가세요?", "ask_slot"),
    ]
    for sid, text, reply, state in steps:
        turn = bot.handle(sid, text)
        assert reply in turn.reply and turn.state == state, (sid, text, turn.reply, turn.state)
    assert bot.session("a")["slots"] == {}
    assert bot.session("b")["slots"] == {"origin": "대구"}


def test_should_forget_a_session():
    bot = make_bot()
    talk(bot, "u1", [("기차 예매해줘", "어디에서 출발하세요?", "ask_slot")])
    assert bot.forget("u1") is True
    assert bot.forget("u1") is False
    talk(bot, "u1", [("서울", "잘 이해하지 못했어요.", "fallback")])


def test_should_expire_a_session_after_the_configured_seconds():
    clock = FakeClock()
    bot = make_bot(clock=clock)
    talk(bot, "u1", [("기차 예매해줘", "어디에서 출발하세요?", "ask_slot")])
    clock.t += 59
    talk(bot, "u1", [("서울", "서울에서 어디로 가세요?", "ask_slot")])
    clock.t += 61  # session_expiry = 60 in the fixture
    talk(bot, "u1", [("부산", "잘 이해하지 못했어요.", "fallback")])


class SlowStore(MemoryStore):
    """A memory store with a network-like delay on reads, so that racing turns would interleave."""

    def get(self, session_id):
        state = super().get(session_id)
        time.sleep(0.005)
        return state


def test_should_not_lose_slots_when_turns_of_one_session_arrive_concurrently():
    n = 8
    overrides = {"시작": parse_result("시작", "form", 0.9)}
    for i in range(n):
        text = f"r{i} 칸에는 서울을 넣어 주세요"
        at = text.index("서울")
        overrides[text] = parse_result(text, "fallback", 0.2,
                                       Entity("location", "서울", "서울", at, at + 2, 0.9, f"r{i}"))
    parser = StandInParser(overrides=overrides, intents=("form",), delay=0.01)
    data = {"scenario": [{"intent": "form", "response": "끝",
                          "slot": [{"entity": "location", "role": f"r{i}", "prompt": f"r{i}?"}
                                   for i in range(n + 1)]}]}
    bot = Bot(parser, parse_scenarios(data), store=SlowStore())
    assert bot.handle("s", "시작").state == "ask_slot"
    threads = [threading.Thread(target=bot.handle, args=("s", f"r{i} 칸에는 서울을 넣어 주세요"))
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = bot.session("s")
    assert sorted(state["slots"]) == sorted(f"r{i}" for i in range(n))
    assert state["total_turns"] == n + 1


def test_should_return_the_chat_json_shape():
    bot = make_bot()
    d = bot.handle("u1", "서울에서 부산으로 가는 기차 예매해줘").to_dict()
    assert set(d) == {"reply", "state", "intent", "slots", "missing", "parse", "resolved", "choices", "multiple", "requests"}
    assert d["missing"] == ["date"] and d["state"] == "ask_slot"
    assert d["parse"]["intent"]["name"] == "train_ticket"
    assert [e["role"] for e in d["parse"]["entities"]] == ["origin", "destination"]


def test_should_refuse_bad_session_ids_and_texts_with_a_clear_error():
    bot = make_bot()
    for bad in ("", None, "x" * 201):
        with pytest.raises(InputError, match="session_id"):
            bot.handle(bad, "안녕")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="text must be a str"):
        bot.handle("u1", 42)  # type: ignore[arg-type]


def test_should_refuse_scenarios_that_do_not_fit_the_model():
    parser = StandInParser(intents=("greeting", "weather"))
    scenarios = load_scenarios(SCENARIOS)
    with pytest.raises(ScenarioError, match=r"scenarios\.toml: scenario\[2\]\.intent: unknown intent 'train_ticket'"):
        Bot(parser, scenarios)


def test_should_render_particles_to_fit_the_filled_value():
    bot = make_bot()
    talk(bot, "u1", [
        ("서울에서 부산으로 가는 기차 오늘", "오늘 서울에서 부산으로 가는 기차", "complete"),
        ("부산에서 광주로 가는 기차 오늘", "오늘 부산에서 광주로 가는 기차", "complete"),
        ("부산에서 서울역으로 가는 기차 오늘", "오늘 부산에서 서울역으로 가는 기차", "complete"),
        ("광주에서 서울로 가는 기차 오늘", "오늘 광주에서 서울로 가는 기차", "complete"),
    ])


def test_should_refuse_a_dictionary_slot_when_the_model_has_no_such_dictionary():
    parser = StandInParser()
    data = {"scenario": [{"intent": "alarm", "response": "{time}",
                          "slot": [{"entity": "time", "prompt": "몇 시?", "values": "dictionary"}]}]}
    with pytest.raises(ScenarioError, match=r"scenario\[0\]\.slot\[0\]\.values: \"dictionary\" but the "
                                            r"model's dictionary has no 'time' values"):
        Bot(parser, parse_scenarios(data, source="x.toml"))


NAUGHTY = ["", " ", "\n\t", "\u200b", "부\u200b산", "ㅂㅜㅅㅏㄴ", "{origin}", "{{}}", "%s%s%n", "\x00",
           "😀🚄", "\u202e부산", "'; DROP TABLE sessions; --", "서울" * 500, "취소" * 3, "에서으로",
           "\ud7a3", "부산\u0301", "NaN", "None"]


@pytest.mark.parametrize("opening", ["", "기차 예매해줘", "알람 맞춰줘", "대전 맛집 알려줘"])
def test_should_never_crash_on_naughty_strings_in_any_state(opening):
    daejeon = parse_result("대전 맛집 알려줘", "restaurant", 0.9, Entity("location", "대전", "대전", 0, 2, 0.7))
    bot = make_bot({"대전 맛집 알려줘": daejeon})
    for text in NAUGHTY:
        if opening:
            bot.handle("n", opening)
        turn = bot.handle("n", text)
        assert isinstance(turn.reply, str) and turn.reply
        assert turn.state in ("complete", "ask_slot", "fallback", "cancelled")
        assert all(isinstance(v, str) for v in turn.slots.values())


def test_should_fill_a_bare_answer_typed_with_a_zero_width_space():
    nothing = parse_result("부\u200b산", "fallback", 0.2)
    bot = make_bot({"부\u200b산": nothing})
    turns = talk(bot, "u1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("부\u200b산", "부산에서 어디로 가세요?", "ask_slot"),
    ])
    assert turns[-1].slots == {"origin": "부산"}


# ------------------------------------------------------------------ confirmation

def confirm_bot(overrides=None, **settings) -> Bot:
    parser = StandInParser(overrides=overrides)
    data = {"bot": {"cancel": ["취소", "됐어"], "cancel_reply": "취소했어요.", **settings}, "scenario": [
        {"intent": "train_ticket", "response": "{date} {origin}에서 {destination}(으)로 가는 기차를 예매했어요.",
         "confirm": "{date} {origin}에서 {destination}(으)로 가는 기차를 예매할까요?",
         "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서 출발하세요?"},
                  {"entity": "location", "role": "destination", "prompt": "어디로 가세요?"},
                  {"entity": "date", "default": "오늘"}]},
        {"intent": "weather", "response": "{date} {location} 날씨예요.",
         "slot": [{"entity": "location", "prompt": "어디요?"}, {"entity": "date", "default": "오늘"}]}]}
    return Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))


def test_should_read_the_request_back_and_act_only_on_a_yes():
    bot = confirm_bot()
    turns = talk(bot, "c1", [
        ("서울에서 부산으로 가는 기차", "오늘 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),  # default shown
        ("네 좋아요!", "오늘 서울에서 부산으로 가는 기차를 예매했어요.", "complete"),
    ])
    assert turns[0].slots == {"origin": "서울", "destination": "부산", "date": "오늘"} and turns[0].missing == []
    assert bot.session("c1")["intent"] is None  # done: the next turn starts afresh
    talk(bot, "c2", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("광주", "어디로 가세요?", "ask_slot"),
        ("서울", "광주에서 서울로 가는 기차를 예매할까요?", "confirm"),   # asked only once all is there
        ("응응", "광주에서 서울로 가는 기차를 예매했어요.", "complete"),
    ])


def test_should_take_a_new_value_after_a_no_and_ask_again():
    bot = confirm_bot()
    turns = talk(bot, "c3", [
        ("내일 서울에서 부산으로 가는 기차", "내일 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),
        ("아니 대구로", "내일 서울에서 대구로 가는 기차를 예매할까요?", "confirm"),   # a no with the fix
        ("모레", "모레 서울에서 대구로 가는 기차를 예매할까요?", "confirm"),          # a fix alone
        ("아니요", "무엇을 바꿀까요?", "confirm"),                                   # a plain no: what to change
        ("광주에서", "모레 광주에서 대구로 가는 기차를 예매할까요?", "confirm"),
        ("음...", "잘 이해하지 못했어요", "confirm"),                                # not understood: asked again
    ])
    assert "모레 광주에서 대구로 가는 기차를 예매할까요?" in turns[-1].reply
    talk(bot, "c3", [("넵 부탁해요", "모레 광주에서 대구로 가는 기차를 예매했어요.", "complete")])


def test_should_leave_a_confirmation_on_cancel_or_another_request():
    bot = confirm_bot(deny=["아니", "싫어"], affirm=["예"], confirm_denied="바꿀 것을 말해 주세요.")
    talk(bot, "c4", [
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        ("아니 됐어", "취소했어요.", "cancelled"),                  # a no, then a cancel phrase
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        ("부산 날씨 어때", "오늘 부산 날씨예요.", "complete"),        # a confident other intent switches
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        ("네", "잘 이해하지 못했어요", "confirm"),                   # the [bot] affirm list replaced the defaults
        ("싫어", "바꿀 것을 말해 주세요.", "confirm"),
        ("예", "예매했어요.", "complete"),
    ])


def test_should_take_a_bare_new_value_to_a_confirmation_whatever_intent_the_model_guesses():
    # Given a model that reads a date alone, or after a no, as a confident weather request
    bot = confirm_bot({
        "모레": parse_result("모레", "weather", 0.9, Entity("date", "모레", "모레", 0, 2, 0.9)),
        "아니 글피로": parse_result("아니 글피로", "weather", 0.9, Entity("date", "글피", "글피", 3, 5, 0.9)),
        "모레로 바꿔줘": parse_result("모레로 바꿔줘", "weather", 0.9, Entity("date", "모레", "모레", 0, 2, 0.9))})
    talk(bot, "c8", [
        ("서울에서 부산으로 가는 기차", "오늘 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),
        ("모레", "모레 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),          # a fix, not weather
        ("아니 글피로", "글피 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),
        ("모레로 바꿔줘", "모레 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),
        ("부산 날씨 어때", "오늘 부산 날씨예요.", "complete"),                        # a request still switches
    ])


def test_should_keep_what_the_dates_mean_on_a_plain_no():
    import datetime
    bot = confirm_bot()
    bot.parser.resolve = {"date": "date"}
    first = bot.handle("c7", "서울에서 부산으로 가는 기차", today=datetime.date(2026, 11, 22))
    turn = bot.handle("c7", "아니요", today=datetime.date(2026, 11, 22))
    assert "무엇을 바꿀까요?" in turn.reply and turn.slots["date"] == "오늘"
    assert turn.resolved == first.resolved and turn.resolved["date"]["value"] == "2026-11-22"


@pytest.mark.parametrize(("reply", "state"), [("네 ㅎㅎ", "complete"), ("ㅋㅋ 응응", "complete"),
                                           ("ｏｋ", "complete"), ("ＯＫ!", "complete"),
                                           ("아뇨 ㅠㅠ", "confirm"), ("ㅇㅋ", "complete")])
def test_should_read_a_yes_or_no_with_laughter_crying_or_full_width_letters(reply, state):
    bot = confirm_bot()
    bot.handle("c6", "서울에서 부산으로 가는 기차")
    turn = bot.handle("c6", reply)
    assert turn.state == state and "잘 이해하지 못했어요" not in turn.reply


@pytest.mark.parametrize("reply", ["어디로 가는 거야", "네가 해", "아니 근데", "응급실"])
def test_should_not_read_a_sentence_that_only_starts_like_yes_or_no_as_one(reply):
    bot = confirm_bot()
    bot.handle("c5", "서울에서 부산으로 가는 기차")
    turn = bot.handle("c5", reply)
    assert turn.state == "confirm" and "예매할까요?" in turn.reply and "잘 이해하지 못했어요" in turn.reply


def test_should_name_the_key_of_a_confirm_question_with_an_unknown_slot():
    data = {"scenario": [{"intent": "weather", "response": "{location} 날씨예요.", "confirm": "{city} 날씨요?",
                          "slot": [{"entity": "location", "prompt": "어디요?"}]}]}
    with pytest.raises(ScenarioError, match=r"scenario\[0\]\.confirm: names slot \{city\}"):
        parse_scenarios(data)
    with pytest.raises(ScenarioError, match=r"bot\.affirm: must be a non-empty string or list"):
        parse_scenarios({"bot": {"affirm": []}, "scenario": data["scenario"][:0] + [
            {"intent": "weather", "response": "날씨예요."}]})


# ------------------------------------------------------------------ follow-ups

def test_should_follow_up_the_last_answer_with_new_values_alone():
    bot = make_bot()
    turns = talk(bot, "f1", [
        ("내일 서울 날씨 알려줘", "내일 서울의 날씨를 알려드릴게요.", "complete"),
        ("부산은?", "내일 부산의 날씨를 알려드릴게요.", "complete"),      # the date carried over
        ("모레는요", "모레 부산의 날씨를 알려드릴게요.", "complete"),
        ("광주 모레", "모레 광주의 날씨를 알려드릴게요.", "complete"),
    ])
    assert turns[1].intent == "weather" and turns[1].slots == {"location": "부산", "date": "내일"}
    # a value the slot refuses is no follow-up (짜장면 is a food: the restaurant asks for 김치찌개 or 짜장면)
    talk(bot, "f2", [
        ("서울역 근처 김치찌개 맛집", "서울역 김치찌개 맛집을 찾아볼게요.", "complete"),
        ("짜장면은?", "서울역 짜장면 맛집을 찾아볼게요.", "complete"),
        ("제주도는", "제주 짜장면 맛집을 찾아볼게요.", "complete"),       # synonym → canonical
    ])


def test_should_follow_up_values_the_model_reads_as_the_same_request_again():
    # Given a model sure that 내일은? is a weather request, with no location in it
    bot = make_bot({"내일은?": parse_result("내일은?", "weather", 0.9, Entity("date", "내일", "내일", 0, 2, 0.9))})
    talk(bot, "f6", [
        ("부산 날씨 알려줘", "오늘 부산의 날씨를 알려드릴게요.", "complete"),
        ("내일은?", "내일 부산의 날씨를 알려드릴게요.", "complete"),   # not "어느 지역?": 부산 carried over
    ])
    # a full new request of the same intent starts afresh
    talk(bot, "f6", [("날씨 알려줘", "어느 지역 날씨를 알려드릴까요?", "ask_slot")])


def test_should_not_take_a_sentence_a_missing_role_or_a_cancel_for_a_follow_up():
    bot = make_bot()
    talk(bot, "f3", [
        ("내일 서울에서 부산으로 가는 기차 예매해줘", "내일 서울에서 부산으로 가는 기차를 예매할게요.", "complete"),
        ("대구", "잘 이해하지 못했어요.", "fallback"),          # from or to? not guessed
        ("대구로", "내일 서울에서 대구로 가는 기차를 예매할게요.", "complete"),   # the role says it
        ("부산에서 살다가 서울로 이사 왔어", "잘 이해하지 못했어요.", "fallback"),  # more than values
        ("취소", "취소했어요.", "cancelled"),
        ("모레", "잘 이해하지 못했어요.", "fallback"),          # a cancel forgets the last answer
    ])


def test_should_follow_up_only_where_the_scenarios_allow_it():
    parser = StandInParser()
    weather = {"intent": "weather", "response": "{date} {location} 날씨예요.",
               "slot": [{"entity": "location", "prompt": "어디요?"}, {"entity": "date", "default": "오늘"}]}
    for data in ({"bot": {"follow_up": False}, "scenario": [weather]},
                 {"scenario": [{**weather, "follow_up": False}]}):
        bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
        talk(bot, "f4", [("서울 날씨", "오늘 서울 날씨예요.", "complete"),
                         ("부산은?", "죄송해요, 잘 이해하지 못했어요", "fallback")])
    with pytest.raises(ScenarioError, match=r"scenario\[0\]\.follow_up: must be true or false"):
        parse_scenarios({"scenario": [{**weather, "follow_up": "yes"}]})
    with pytest.raises(ScenarioError, match=r"bot\.follow_up: must be true or false"):
        parse_scenarios({"bot": {"follow_up": 1}, "scenario": [weather]})


def test_should_ask_a_follow_up_of_a_confirmed_scenario_again():
    bot = confirm_bot()
    talk(bot, "f5", [
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        ("네", "오늘 서울에서 부산으로 가는 기차를 예매했어요.", "complete"),
        ("내일은?", "내일 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),
        ("응", "내일 서울에서 부산으로 가는 기차를 예매했어요.", "complete"),
    ])


def test_should_place_a_value_without_a_role_by_the_particle_after_it():
    # Given a model that tags 대구 in 아니 대구로 without a role (the demo model does)
    def roleless(text: str, at: int) -> ParseResult:
        return parse_result(text, "fallback", 0.3, Entity("location", "대구", text[at:at + 2], at, at + 2, 0.7))
    parser = StandInParser(overrides={"아니 대구로": roleless("아니 대구로", 3), "대구에서 출발": roleless("대구에서 출발", 0),
                                      "대구는?": roleless("대구는?", 0)})
    data = {"scenario": [
        {"intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
         "confirm": "{origin}에서 {destination}(으)로 예매할까요?",
         "slot": [{"entity": "location", "role": "origin", "prompt": "어디서요?", "particles": ["에서", "부터"]},
                  {"entity": "location", "role": "destination", "prompt": "어디로요?",
                   "particles": ["(으)로", "까지"]}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "p1", [
        ("서울에서 부산으로 가는 기차", "서울에서 부산으로 예매할까요?", "confirm"),
        ("아니 대구로", "서울에서 대구로 예매할까요?", "confirm"),       # 로 marks the destination
        ("대구에서 출발", "대구에서 대구로 예매할까요?", "confirm"),     # 에서 the origin
        ("네", "대구에서 대구로 예매했어요.", "complete"),
        ("대구는?", "잘 이해하지 못했어요", "fallback"),                # no particle: not guessed
    ])
    sc = parse_scenarios(data)["train_ticket"]
    assert sc.slot("destination").particles == ("으로", "로", "까지")


@pytest.mark.parametrize("text", ["아니 부산 말고 대구로", "부산 말고 대구로", "부산은 말고 대구로 가는 걸로"])
def test_should_drop_a_value_the_user_rules_out(text):
    bot = confirm_bot()
    bot.handle("n1", "내일 서울에서 광주로 가는 기차")
    turn = bot.handle("n1", text)
    assert turn.state == "confirm" and turn.slots["destination"] == "대구", turn.reply


def test_should_fill_the_other_value_when_one_is_ruled_out_while_asking():
    bot = make_bot()
    talk(bot, "n2", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서울 말고 대구", "대구에서 어디로 가세요?", "ask_slot"),
        ("내일 아니고 모레", "", "ask_slot"),   # a date, not the asked slot: kept for later
    ])
    assert bot.session("n2")["slots"] == {"origin": "대구", "date": "모레"}


def test_should_put_the_value_after_a_ruled_out_one_into_the_slot_that_held_it():
    # Given a model that tags both places in 아니 부산 말고 대구 without a role (the demo model does)
    def roleless(text: str, *places: str) -> ParseResult:
        return parse_result(text, "weather", 0.36, *(Entity("location", p, p, text.index(p), text.index(p) + len(p),
                                                            0.8) for p in places))
    said = ("아니 부산 말고 대구", "대구가 아니라 광주야", "광주 말고 서울역은?")
    bot = confirm_bot({t: roleless(t, *[p for p in ("부산", "대구", "광주", "서울역") if p in t]) for t in said})
    talk(bot, "n3", [
        ("내일 서울에서 부산으로 가는 기차", "내일 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),
        ("아니 부산 말고 대구", "내일 서울에서 대구로 가는 기차를 예매할까요?", "confirm"),   # 부산 was the destination
        ("대구가 아니라 광주야", "내일 서울에서 광주로 가는 기차를 예매할까요?", "confirm"),
        ("네", "내일 서울에서 광주로 가는 기차를 예매했어요.", "complete"),
        ("광주 말고 서울역은?", "내일 서울에서 서울역으로 가는 기차를 예매할까요?", "confirm"),   # a follow-up
    ])
    # and while another slot is asked
    talk(make_bot({"아니 부산 말고 대구": roleless("아니 부산 말고 대구", "부산", "대구")}), "n4", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서울", "서울에서 어디로 가세요?", "ask_slot"),
        ("부산", "언제 출발하세요?", "ask_slot"),
        ("아니 부산 말고 대구", "언제 출발하세요?", "ask_slot"),
        ("내일", "내일 서울에서 대구로 가는 기차를 예매할게요.", "complete"),
    ])



# ------------------------------------------------------------------ resolved values

def test_should_say_what_each_time_and_date_slot_means_for_the_program_behind_the_bot():
    import datetime
    today = datetime.date(2026, 11, 22)
    # Given a parser that names its time and date types (nlukit.load does: resolve={"time": .., "date": ..})
    at_three = parse_result("오후 세 시에 알람", "alarm", 0.9, Entity(
        "time", "3시", "세 시", 3, 6, 0.9, resolved={"kind": "time", "hour": 15, "minute": 0, "value": "15:00"}))
    bot = make_bot({"오후 세 시에 알람": at_three})
    bot.parser.resolve = {"date": "date", "time": "time"}
    # a default read for the day the user is in; a value the parser read with its context kept
    weather = bot.handle("r1", "부산 날씨", today=today)
    assert weather.resolved == {"date": {"kind": "date", "value": "2026-11-22"}}
    alarm = bot.handle("r2", "오후 세 시에 알람", today=today)
    assert alarm.slots == {"time": "3시", "date": "내일"}
    assert alarm.resolved == {"time": {"kind": "time", "hour": 15, "minute": 0, "value": "15:00"},
                              "date": {"kind": "date", "value": "2026-11-23"}}
    assert alarm.to_dict()["resolved"] == alarm.resolved
    # asked slot by slot, each answer's meaning kept; a follow-up replaces only what it names
    talk(bot, "r3", [("기차 예매해줘", "어디에서", "ask_slot"), ("서울", "", "ask_slot"), ("부산", "", "ask_slot")])
    done = bot.handle("r3", "모레", today=today)
    assert done.state == "complete" and done.resolved == {"date": {"kind": "date", "value": "2026-11-24"}}
    again = bot.handle("r3", "내일은?", today=today)
    assert again.resolved == {"date": {"kind": "date", "value": "2026-11-23"}}
    # a parser that names no types gets nothing resolved
    assert make_bot().handle("r4", "부산 날씨", today=today).resolved == {}


def test_should_hand_the_resolved_values_to_an_action():
    import datetime
    seen = {}

    def action(slots, context):
        seen.update(context["resolved"])
        return "ok"

    parser = StandInParser()
    parser.resolve = {"date": "date"}
    data = {"scenario": [{"intent": "weather", "action": "bot_actions:play_music",
                          "slot": [{"entity": "location", "prompt": "어디요?"}, {"entity": "date", "default": "오늘"}]}]}
    scenarios = parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types)
    sc = scenarios["weather"]
    object.__setattr__(sc, "action_fn", action)
    Bot(parser, scenarios).handle("r5", "내일 부산 날씨", today=datetime.date(2026, 12, 31))
    assert seen == {"date": {"kind": "date", "value": "2027-01-01"}}


# ------------------------------------------------------------------ misspelled answers

def test_should_take_a_misspelled_answer_to_the_question_asked_for_its_dictionary_value():
    bot = make_bot()
    talk(bot, "m1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서을", "서울에서 어디로 가세요?", "ask_slot"),       # 을 for 울: one jamo
        ("부샨으로요", "언제 출발하세요?", "ask_slot"),          # 샨 for 산, a particle and an ending after it
    ])
    assert bot.session("m1")["slots"] == {"origin": "서울", "destination": "부산"}


@pytest.mark.parametrize("opening,answer", [
    ("대기 날씨 알려줘", None),                    # 대기 (air) is a word, no typo of 대구 (tests/test_bot_typos.py)
    ("날씨 알려줘", "대기 상태 어때요"),           # nor in more than an answer
    ("날씨 알려줘", "몰라요"),                     # close to no value
    ("날씨 알려줘", "대기는"),                     # a bare answer that is a word in its own right (was 대구)
])
def test_should_not_guess_a_misspelling_from_a_word_in_its_own_right_or_close_to_no_value(opening, answer):
    bot = make_bot()
    turn = bot.handle("m2", opening)
    if answer is not None:
        turn = bot.handle("m2", answer)
    assert "location" not in turn.slots


def test_should_refuse_a_misspelling_two_values_are_equally_close_to():
    from nlukit.bot.dialogue import _SurfaceIndex
    index = _SurfaceIndex({"가나": [], "가다": [], "대한민국": ["한국"]})
    assert index.closest("가라") is None            # 가나 or 가다?
    assert index.closest("대한민곡") == "대한민국" and index.closest("대환민곡") == "대한민국"  # two off at 4
    assert index.closest("한굮") == "대한민국"         # a synonym's spelling gives its value
    assert index.closest("가") is None


def test_should_offer_the_values_a_slot_lists_as_choices_when_asking_for_it():
    bot = make_bot()
    first = bot.handle("c1", "맛집 알려줘")           # location: any dictionary value, not listed
    assert first.state == "ask_slot" and first.choices == []
    second = bot.handle("c1", "서울")                 # food: values = ["짜장면", "김치찌개"]
    assert second.state == "ask_slot" and second.choices == ["짜장면", "김치찌개"]
    assert second.to_dict()["choices"] == ["짜장면", "김치찌개"]
    assert bot.handle("c1", "김치찌개").choices == []   # answered: nothing to offer


def test_should_give_up_a_confirmation_after_max_turns_of_no():
    bot = confirm_bot(max_turns=4)
    turns = [bot.handle("x1", "서울에서 부산으로 가는 기차")] + [bot.handle("x1", t) for t in ("아니", "뭐라고", "아니")]
    assert [t.state for t in turns] == ["confirm", "confirm", "confirm", "fallback"]
    assert "처음부터" in turns[-1].reply and bot.session("x1")["intent"] is None


def test_should_take_a_yes_followed_by_the_request_being_confirmed_as_a_yes():
    bot = confirm_bot()
    talk(bot, "x2", [
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        ("네, 기차 예매해 주세요", "오늘 서울에서 부산으로 가는 기차를 예매했어요.", "complete"),
    ])


def test_should_follow_up_an_hour_in_the_half_of_the_day_it_follows():
    three_pm = parse_result("오후 3시에 알람", "alarm", 0.9, Entity(
        "time", "오후 3시", "오후 3시", 0, 5, 0.9, resolved={"kind": "time", "hour": 15, "minute": 0, "value": "15:00"}))
    four = parse_result("4시는?", "fallback", 0.3, Entity(
        "time", "4시", "4시", 0, 2, 0.9, resolved={"kind": "time", "hour": 4, "minute": 0, "value": "04:00",
                                               "ambiguous": True, "candidates": ["04:00", "16:00"]}))
    bot = make_bot({"오후 3시에 알람": three_pm, "4시는?": four})
    bot.parser.resolve = {"time": "time", "date": "date"}
    assert bot.handle("x3", "오후 3시에 알람").resolved["time"]["value"] == "15:00"
    follow = bot.handle("x3", "4시는?")
    # read back as understood: 오후 4시, the 16:00 the resolved value says (it read 4시)
    assert follow.state == "complete" and follow.slots["time"] == "오후 4시"
    assert follow.resolved["time"] == {"kind": "time", "hour": 16, "minute": 0, "value": "16:00"}


def test_should_refuse_a_value_the_slot_must_differ_from():
    parser = StandInParser()
    data = {"scenario": [{"intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매할게요.",
                          "slot": [{"entity": "location", "role": "origin", "prompt": "어디서요?"},
                                   {"entity": "location", "role": "destination", "prompt": "{origin}에서 어디로요?",
                                    "differs_from": "origin", "invalid": "출발지와 같은 곳이에요."}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "d1", [
        ("서울에서 서울로 가는 기차", "출발지와 같은 곳이에요. 서울에서 어디로요?", "ask_slot"),
        ("서울", "출발지와 같은 곳이에요. 서울에서 어디로요?", "ask_slot"),
        ("부산", "서울에서 부산으로 예매할게요.", "complete"),
        # a follow-up to 서울, but not from 서울 to 서울: where from is asked again
        ("서울로", "어디서요?", "ask_slot"),
    ])
    bad = {"scenario": [{**data["scenario"][0], "slot": [{**data["scenario"][0]["slot"][1], "differs_from": "from"},
                                                          data["scenario"][0]["slot"][0]]}]}
    with pytest.raises(ScenarioError, match=r"slot\[0\]\.differs_from: names slot 'from'"):
        parse_scenarios(bad)


def test_should_not_leave_a_question_for_a_yes_or_no_the_model_reads_as_another_request():
    # Given a model that reads 네 as a greeting, confidently
    bot = make_bot({"네": parse_result("네", "greeting", 0.9)})
    talk(bot, "y1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("네", "잘 이해하지 못했어요. 어디에서 출발하세요?", "ask_slot"),   # the trip stays, asked again
        ("서울", "서울에서 어디로 가세요?", "ask_slot"),
    ])
    # with nothing under way it is what the model says
    assert make_bot({"네": parse_result("네", "greeting", 0.9)}).handle("y2", "네").intent == "greeting"



# -- text typed with the Korean keyboard left in English mode ---------------------------------
def test_should_read_a_request_and_answers_typed_in_english_mode_as_the_hangul_meant():
    talk(make_bot(), "k1", [
        ("rlck dPao", "어디에서 출발하세요?", "ask_slot"),           # 기차 예매
        ("tjdnf", "서울에서 어디로 가세요?", "ask_slot"),            # 서울: a bare answer
        ("qntksdmfh", "언제 출발하세요?", "ask_slot"),                # 부산으로
        ("sodlf", "내일 서울에서 부산으로 가는 기차를 예매할게요.", "complete"),
    ])


def test_should_read_a_value_typed_in_english_mode_before_the_keyboard_was_switched():
    # tjdnf 날씨: the first word typed in English mode, the rest in Hangul
    turn = make_bot().handle("k6", "tjdnf 날씨")
    assert turn.state == "complete" and turn.slots["location"] == "서울"
    turn = make_bot().handle("k7", "tjdnfdptj 부산으로 가는 기차 내일")   # 서울에서, with its particle
    assert turn.state == "complete" and (turn.slots["origin"], turn.slots["destination"]) == ("서울", "부산")
    # English words among Hangul stay (BTS: no Hangul reading; a word no value reads as)
    assert make_bot().handle("k8", "rock 날씨").state == "ask_slot"


def test_should_take_yes_typed_in_english_mode_to_a_confirmation():
    bot = confirm_bot()
    bot.handle("k2", "서울에서 부산으로 가는 기차")
    turn = bot.handle("k2", "dd")           # ㅇㅇ
    assert turn.state == "complete"


def test_should_leave_english_and_what_no_reading_makes_understood_as_typed():
    bot = make_bot()
    turn = bot.handle("k3", "hello")        # no Hangul reading at all
    assert turn.state == "fallback"
    turn = bot.handle("k4", "rock")         # 개차: a reading nothing understands either
    assert turn.state == "fallback" and turn.parse is not None and turn.parse.text == "rock"


def test_should_keep_text_typed_in_english_mode_unread_when_keyboard_fix_is_off():
    assert confirm_bot(keyboard_fix=False).handle("k5", "rlck dPao").state == "fallback"
    assert confirm_bot().handle("k5", "rlck dPao").state == "ask_slot"


def test_should_not_fill_a_slot_with_a_yes_or_lone_jamo_the_model_tagged():
    # Given a model that tags ㅇㅇ and 응 as locations when the bot asks where from
    bot = make_bot({"ㅇㅇ": parse_result("ㅇㅇ", "fallback", 0.3, Entity("location", "ㅇㅇ", "ㅇㅇ", 0, 2, 0.8)),
                    "응": parse_result("응", "fallback", 0.3, Entity("location", "응", "응", 0, 1, 0.8))})
    talk(bot, "j1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("ㅇㅇ", "어디에서 출발하세요?", "ask_slot"),
        ("응", "어디에서 출발하세요?", "ask_slot"),
        ("대구", "대구에서 어디로 가세요?", "ask_slot"),
    ])


def test_should_cancel_on_a_cancel_phrase_after_a_no_or_an_interjection_in_any_state():
    # Given answers to the question asked that start with 아, 아니 or 아냐 before the cancel phrase
    bot = make_bot()
    talk(bot, "q1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("아 됐어", "취소했어요.", "cancelled"),
        ("알람 맞춰줘", "몇 시에 울릴까요?", "ask_slot"),
        ("아니 그만", "취소했어요.", "cancelled"),
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("아냐 취소해줘", "취소했어요.", "cancelled"),
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("잘 됐어", "어디에서 출발하세요?", "ask_slot"),      # not a no or an interjection before it
        ("ㅠㅠ 됐어", "취소했어요.", "cancelled"),
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("아니 그리고 취소", "취소했어요.", "cancelled"),    # 그리고 between the no and the cancel
    ])


@pytest.mark.parametrize("text", ["ㄱㄱ", "고고", "ㅇㅇ ㄱㄱ", "ㅇ"])
def test_should_take_go_go_and_its_initials_as_a_yes_to_a_confirmation(text):
    # Given a model that reads ㄱㄱ (고고, "go go") as another intent (the demo model: thanks 0.64)
    bot = confirm_bot({text: parse_result(text, "greeting", 0.64)})
    talk(bot, "g1", [
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        (text, "오늘 서울에서 부산으로 가는 기차를 예매했어요.", "complete"),
    ])


def test_should_take_a_correction_after_an_interjection_whatever_intent_the_model_guesses():
    # Given a model sure that 음 모레로 바꿔줘 is another request (the demo model: an alarm, 0.60)
    said = {t: parse_result(t, "weather", 0.9, Entity("date", "모레", "모레", t.index("모레"), t.index("모레") + 2, 0.9))
            for t in ("음 모레로 바꿔줘", "아 모레로 해줘")}
    for text in said:
        talk(confirm_bot(said), "i1", [
            ("내일 서울에서 부산으로 가는 기차", "내일 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),
            (text, "모레 서울에서 부산으로 가는 기차를 예매할까요?", "confirm"),
        ])


def test_should_take_a_yes_followed_by_thanks_as_a_yes_to_a_confirmation():
    # Given a model that reads 네 감사합니다 and 그래 고마워 as thanks, confidently (the demo model does)
    said = {"네 감사합니다": parse_result("네 감사합니다", "thanks", 1.0),
            "그래 고마워": parse_result("그래 고마워", "thanks", 0.67)}
    parser = StandInParser(overrides=said, intents=("train_ticket", "thanks"))
    data = {"scenario": [
        {"intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
         "confirm": "{origin}에서 {destination}(으)로 예매할까요?",
         "slot": [{"entity": "location", "role": "origin", "prompt": "어디서요?"},
                  {"entity": "location", "role": "destination", "prompt": "어디로요?"}]},
        {"intent": "thanks", "response": "천만에요."}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    for text in said:
        talk(bot, "t1", [
            ("서울에서 부산으로 가는 기차", "서울에서 부산으로 예매할까요?", "confirm"),
            (text, "서울에서 부산으로 예매했어요.", "complete"),    # not 천만에요 with the booking dropped
        ])
    talk(bot, "t1", [("그래 고마워", "천만에요.", "complete")])     # nothing to say yes to: thanks


def test_should_take_a_yes_or_a_no_after_an_interjection_as_one_but_not_an_interjection_alone():
    # Given a model that reads 그럼 고고 as another request (the demo model: goodbye 0.50)
    bot = confirm_bot({t: parse_result(t, "greeting", 0.9) for t in ("그럼 고고", "아 네", "음 아니요", "음")})
    talk(bot, "y3", [
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        ("음", "잘 이해하지 못했어요", "confirm"),                 # an interjection alone says nothing
        ("음 아니요", "무엇을 바꿀까요?", "confirm"),
        ("그럼 고고", "오늘 서울에서 부산으로 가는 기차를 예매했어요.", "complete"),
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        ("아 네", "예매했어요.", "complete"),
    ])


def resume_bot(overrides, *more) -> Bot:
    """Thanks (the greeting intent) answered in passing, a trip read back before booking, and ``more``."""
    parser = StandInParser(overrides=overrides)
    data = {"scenario": [
        {"intent": "greeting", "response": "천만에요. 또 필요한 게 있으면 말씀해 주세요.", "resume": "천만에요."},
        {"intent": "train_ticket", "response": "{date} {origin}에서 {destination}(으)로 예매했어요.",
         "confirm": "{date} {origin}에서 {destination}(으)로 예매할까요?",
         "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서 출발하세요?"},
                  {"entity": "location", "role": "destination", "prompt": "어디로 가세요?"},
                  {"entity": "date", "prompt": "언제 출발하세요?"}]}, *more]}
    return Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))


def test_should_answer_thanks_in_passing_and_ask_again_when_the_scenario_resumes():
    bot = resume_bot({"고마워": parse_result("고마워", "greeting", 0.9),
                      "고마워요": parse_result("고마워요", "greeting", 0.9)})
    talk(bot, "r1", [
        ("서울에서 부산으로 가는 기차", "언제 출발하세요?", "ask_slot"),
        ("고마워", "천만에요. 언제 출발하세요?", "ask_slot"),          # kept, asked again
        ("내일", "내일 서울에서 부산으로 예매할까요?", "confirm"),
        ("고마워요", "천만에요. 내일 서울에서 부산으로 예매할까요?", "confirm"),
        ("네", "예매했어요", "complete"),
        ("고마워", "천만에요. 또 필요한 게 있으면 말씀해 주세요.", "complete"),   # nothing under way: the response
    ])


def test_should_drop_what_was_under_way_for_a_scenario_that_does_not_resume():
    parser = StandInParser(overrides={"고마워": parse_result("고마워", "greeting", 0.9)})
    data = {"scenario": [
        {"intent": "greeting", "response": "안녕히 가세요."},
        {"intent": "weather", "response": "{location} 날씨예요.",
         "slot": [{"entity": "location", "prompt": "어디요?"}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "r2", [("날씨 어때", "어디요?", "ask_slot"), ("고마워", "안녕히 가세요.", "complete"),
                     ("부산", "", "fallback")])


@pytest.mark.parametrize("resume, needle", [
    (1, "must be true, false or the text"), ("", "must be true, false or the text")])
def test_should_refuse_a_resume_that_is_no_flag_or_text(resume, needle):
    parser = StandInParser()
    data = {"scenario": [{"intent": "greeting", "response": "안녕", "resume": resume}]}
    with pytest.raises(ScenarioError, match=needle):
        parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types)


@pytest.mark.parametrize("extra, needle", [
    ({"resume": True, "confirm": "{location} 알려드릴까요?"}, "with confirm cannot answer in passing"),
    ({"resume": "그렇군요."}, "set resume = true instead of a text")])
def test_should_refuse_resume_on_a_scenario_that_reads_back_or_a_resume_text_with_slots(extra, needle):
    parser = StandInParser()
    data = {"scenario": [{"intent": "weather", "response": "{location}",
                          "slot": [{"entity": "location", "prompt": "어디요?"}], **extra}]}
    with pytest.raises(ScenarioError, match=needle):
        parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types)


WEATHER_RESUMES = {"intent": "weather", "response": "{date} {location} 날씨는 맑아요.", "resume": True,
                   "slot": [{"entity": "location", "prompt": "어느 지역이요?"}, {"entity": "date", "default": "오늘"}]}


def test_should_answer_a_question_with_slots_in_passing_and_go_on_with_the_booking():
    # the weather asked mid-booking took over: the booking and its origin were lost, 부산으로 then no answer
    bot = resume_bot({}, WEATHER_RESUMES)
    talk(bot, "w1", [
        ("서울에서 출발하는 기차 예매해줘", "어디로 가세요?", "ask_slot"),
        ("부산 날씨 알려줘", "오늘 부산 날씨는 맑아요. 어디로 가세요?", "ask_slot"),
        ("부산으로", "언제 출발하세요?", "ask_slot"),      # the weather's 부산 was not taken for the booking
        ("내일", "내일 서울에서 부산으로 예매할까요?", "confirm"),
        ("내일 대구 날씨는?", "내일 대구 날씨는 맑아요. 내일 서울에서 부산으로 예매할까요?", "confirm"),
        ("네", "내일 서울에서 부산으로 예매했어요.", "complete"),
    ])
    assert bot.session("w1")["intent"] is None


def test_should_let_a_resume_question_that_must_ask_take_over():
    # 날씨 알려줘 without a place: the weather asks where, and the booking gives way as to any new request
    bot = resume_bot({}, WEATHER_RESUMES)
    talk(bot, "w2", [
        ("서울에서 출발하는 기차 예매해줘", "어디로 가세요?", "ask_slot"),
        ("날씨 알려줘", "어느 지역이요?", "ask_slot"),
        ("부산", "오늘 부산 날씨는 맑아요.", "complete"),
    ])
    # without resume the weather takes over even when it answers at once
    bot = resume_bot({}, {k: v for k, v in WEATHER_RESUMES.items() if k != "resume"})
    talk(bot, "w3", [
        ("서울에서 출발하는 기차 예매해줘", "어디로 가세요?", "ask_slot"),
        ("부산 날씨 알려줘", "오늘 부산 날씨는 맑아요.", "complete"),
    ])
    assert bot.session("w3")["intent"] is None


def test_should_take_the_value_after_a_bare_no_as_the_one_meant():
    talk(make_bot(), "n1", [("서울 아니 부산 날씨 알려줘", "부산", "complete")])
    turn = make_bot().handle("n2", "서울 아니 부산 날씨 알려줘")
    assert turn.slots["location"] == "부산"
    # an or is no correction: both stay, and the one-value slot asks which
    assert make_bot().handle("n3", "서울 아니면 부산 날씨 알려줘").choices == ["서울", "부산"]


# ------------------------------------------------------------------ several wordings of a reply

def wordings_bot(store=None) -> Bot:
    parser = StandInParser()
    data = {"scenario": [
        {"intent": "weather", "response": ["{date} {location} 날씨는 맑아요.", "{location}은/는 {date} 맑대요.",
                                           "{date} {location}: 맑음"],
         "slot": [{"entity": "location", "prompt": ["어디요?", "어느 지역이요?"]}, {"entity": "date", "default": "오늘"}]},
        {"intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
         "confirm": ["{origin}에서 {destination}(으)로 예매할까요?", "{origin} → {destination}, 맞나요?"],
         "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서요?"},
                  {"entity": "location", "role": "destination", "prompt": "어디로요?"}]}]}
    return Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types),
               **({"store": store} if store is not None else {}))


def test_should_vary_a_reply_given_several_wordings_never_repeating_one_in_a_row():
    bot = wordings_bot()
    said = [bot.handle("w1", "서울 날씨 어때").reply for _ in range(6)]
    assert set(said) == {"오늘 서울 날씨는 맑아요.", "서울은 오늘 맑대요.", "오늘 서울: 맑음"}   # slots and particles fitted
    assert all(a != b for a, b in zip(said, said[1:], strict=False))
    assert said[3:] == said[:3]                                                    # in turn


def test_should_give_one_session_id_the_same_wordings_and_users_different_ones():
    first = {sid: wordings_bot().handle(sid, "서울 날씨 어때").reply for sid in [f"user{i}" for i in range(12)]}
    again = {sid: wordings_bot().handle(sid, "서울 날씨 어때").reply for sid in first}
    assert again == first                      # a story, replayed, reads the same
    assert len(set(first.values())) == 3       # different users start at different wordings


def test_should_vary_prompts_and_confirm_questions_and_keep_the_turn_in_the_session_store():
    from nlukit.bot import MemoryStore
    bot = wordings_bot(store=MemoryStore())
    asked = [bot.handle("w2", "날씨 알려줘").reply for _ in range(2)]
    assert sorted(asked) == ["어느 지역이요?", "어디요?"]
    confirm = [bot.handle(f"w3-{i}", "서울에서 부산으로 가는 기차").reply for i in range(8)]
    assert set(confirm) == {"서울에서 부산으로 예매할까요?", "서울 → 부산, 맞나요?"}
    assert isinstance(bot.session("w2")["said"], dict)       # JSON-safe state: Redis keeps it too


def test_should_name_the_wording_that_uses_an_unknown_slot():
    data = {"scenario": [{"intent": "weather", "response": ["{location} 날씨예요.", "{city} 날씨예요."],
                          "slot": [{"entity": "location", "prompt": ["어디요?", "{town}?"]}]}]}
    with pytest.raises(ScenarioError) as exc:
        parse_scenarios(data)
    assert r"scenario[0].response[1]: names slot {city}" in str(exc.value)
    assert r"scenario[0].slot[0].prompt[1]: names slot {town}" in str(exc.value)
    with pytest.raises(ScenarioError, match=r"response: must be a non-empty string or a list"):
        parse_scenarios({"scenario": [{"intent": "weather", "response": ["맑아요", ""]}]})


# ------------------------------------------------------------------ words that point back (거기, 그날)

def refer_bot(refer=None, store=None) -> Bot:
    import tomllib
    with open(SCENARIOS, "rb") as fh:
        data = tomllib.load(fh)
    data["bot"]["refer"] = refer if refer is not None else {"location": ["거기", "그곳", "그 동네"],
                                                             "date": ["그날"]}
    parser = StandInParser()
    return Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types),
               **({"store": store} if store is not None else {}))


def test_should_read_a_word_that_points_back_as_the_last_value_of_its_type():
    bot = refer_bot()
    talk(bot, "r1", [
        ("내일 부산 날씨 어때", "내일 부산의 날씨", "complete"),
        ("거기 짜장면 맛집", "부산 짜장면 맛집을 찾아볼게요.", "complete"),     # another scenario: 거기 is 부산
        ("그날 서울에서 거기로 가는 기차", "내일 서울에서 부산으로 가는 기차를 예매할게요.", "complete"),   # 거기로: destination
    ])
    turn = bot.handle("r1", "그 동네 김치찌개 맛집")
    assert turn.reply == "부산 김치찌개 맛집을 찾아볼게요."       # the longest word: 그 동네, not 그
    e = next(e for e in turn.parse.entities if e.entity == "location")
    assert (e.text, e.value, e.start, e.end) == ("그 동네", "부산", 0, 4)


def test_should_answer_a_question_with_a_word_that_points_back():
    bot = refer_bot()
    talk(bot, "r2", [
        ("광주 날씨 알려줘", "광주의 날씨", "complete"),
        ("맛집 찾아줘", "어느 동네에서 찾을까요?", "ask_slot"),
        ("거기서요", "어떤 음식이 좋으세요?", "ask_slot"),
        ("짜장면", "광주 짜장면 맛집을 찾아볼게요.", "complete"),
    ])


def test_should_leave_a_word_that_points_to_nothing_and_keep_sessions_apart():
    bot = refer_bot()
    talk(bot, "r3", [("거기 맛집", "어느 동네에서 찾을까요?", "ask_slot")])   # nothing said before: asked
    bot.handle("r4", "대구 날씨")
    talk(bot, "r5", [("거기 짜장면 맛집", "어느 동네에서 찾을까요?", "ask_slot")])   # r4's 대구 is not r5's
    # and without [bot] refer, 거기 is just a word
    plain = refer_bot(refer={})
    plain.handle("r6", "대구 날씨")
    talk(plain, "r6", [("거기 짜장면 맛집", "어느 동네에서 찾을까요?", "ask_slot")])


def test_should_not_fill_a_slot_with_a_word_that_points_to_nothing():
    # a model that tags 거기 as a food: with no place said before (or only a list, 서울이랑 부산),
    # 거기 is no value of any type and the location is asked, the food left empty
    parser = StandInParser()
    parser.overrides["거기 맛집"] = parse_result("거기 맛집", "restaurant", 0.9, Entity("food", "거기", "거기", 0, 2, 0.9))
    data = {"bot": {"refer": {"location": ["거기"]}},
            "scenario": [{"intent": "restaurant", "response": "{location} {food} 맛집",
                          "slot": [{"entity": "location", "prompt": "어느 동네요?"},
                                   {"entity": "food", "required": False}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    turn = bot.handle("r7", "거기 맛집")
    assert (turn.state, turn.slots, turn.reply) == ("ask_slot", {}, "어느 동네요?")
    # and a word that points to a value still fills its own type's slot
    parser.overrides["거기 맛집"] = parse_result("거기 맛집", "restaurant", 0.9, Entity("food", "거기", "거기", 0, 2, 0.9))
    bot.handle("r8", "부산 맛집")
    assert bot.handle("r8", "거기 맛집").slots == {"location": "부산"}


def test_should_point_back_to_the_value_said_last_not_the_last_slot():
    # 출발지 대구로 바꿔줘 changes the origin; the destination 부산 was said before it: 거기 is 대구
    parser = StandInParser()
    data = {"bot": {"refer": {"location": ["거기"]}},
            "scenario": [{"intent": "train_ticket", "confirm": "{origin}에서 {destination}(으)로 갈까요?",
                          "response": "{origin}에서 {destination}(으)로 예매했어요.",
                          "slot": [{"entity": "location", "role": "origin", "prompt": "어디서요?",
                                    "names": ["출발지"]},
                                   {"entity": "location", "role": "destination", "prompt": "어디로요?"}]},
                         {"intent": "weather", "response": "{location} 날씨",
                          "slot": [{"entity": "location", "prompt": "어디요?"}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    assert bot.handle("r9", "서울에서 부산으로 가는 기차").state == "confirm"
    assert bot.handle("r9", "출발지 대구로 바꿔줘").reply == "대구에서 부산으로 갈까요?"
    assert bot.handle("r9", "거기 날씨 알려줘").reply == "대구 날씨"
    # and in a follow-up of the last answer: 출발지 광주는? after 서울 → 부산 (광주 last said, not 부산)
    bot.handle("r10", "서울에서 부산으로 가는 기차")
    bot.handle("r10", "네")
    assert bot.handle("r10", "출발지 광주는?").reply == "광주에서 부산으로 갈까요?"
    assert bot.handle("r10", "거기 날씨 알려줘").reply == "광주 날씨"
    # a yes that books it changes no value: 거기 stays the value said last (광주, not 부산)
    bot.handle("r11", "서울에서 부산으로 가는 기차")
    bot.handle("r11", "네")
    bot.handle("r11", "출발지 광주는?")
    assert bot.handle("r11", "네").reply == "광주에서 부산으로 예매했어요."
    assert bot.handle("r11", "거기 날씨 알려줘").reply == "광주 날씨"


def test_should_refuse_refer_for_an_unknown_entity_type_or_a_bad_shape():
    with pytest.raises(ScenarioError, match=r"bot\.refer\.city: unknown entity type 'city'"):
        refer_bot(refer={"city": ["거기"]})
    with pytest.raises(ScenarioError, match=r"bot\.refer: must be a table of entity type = \[words\]"):
        refer_bot(refer=["거기"])


@pytest.mark.parametrize("text", ["괜찮아요 안 할래요", "됐어요 안 해요", "그냥 안 살래", "아니요 안 갈래요",
                                  "괜찮습니다 안 해도 돼요", "됐어요 안 할게요", "음 안 먹을래", "아뇨 괜찮아요 안 살게요",
                                  "괜찮아요 안 사요", "아니요 안 가요"])
def test_should_cancel_on_a_polite_decline_or_a_said_wont_after_it(text):
    # Given a question under way, a refusal made of a polite decline (괜찮아요, 됐어요) and a
    # "won't" (안 + a verb: 안 할래요, 안 해요, 안 살래), none of them in the cancel list as typed
    bot = make_bot()
    talk(bot, "d1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        (text, "취소했어요.", "cancelled"),
    ])


@pytest.mark.parametrize("text", ["아니에요 괜찮아요", "아니 괜찮아", "아뇨 괜찮습니다 ㅎㅎ"])
def test_should_cancel_on_a_no_then_a_polite_decline(text):
    # 아니 괜찮아: no, thanks
    bot = make_bot()
    talk(bot, "d3", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        (text, "취소했어요.", "cancelled"),
    ])


@pytest.mark.parametrize("text", ["괜찮아요", "부산 안 갈래", "안녕", "안 가요?", "잘 안 할래", "음 괜찮아요",
                                  "음 안 가요"])
def test_should_not_cancel_on_a_decline_alone_or_a_wont_about_a_value(text):
    # 괜찮아요 alone may be a yes; 부산 안 갈래 says what not to choose; 안녕 is no refusal
    bot = make_bot()
    turn = talk(bot, "d2", [("기차 예매해줘", "어디에서 출발하세요?", "ask_slot")])[0]
    assert turn.state == "ask_slot"
    assert bot.handle("d2", text).state != "cancelled"


@pytest.mark.parametrize("text, date", [
    ("오늘 바쁜데 내일은 서울 날씨 어때?", "내일"),
    ("오늘은 됐고 모레 서울 날씨", "모레"),
    ("오늘 비 왔는데 내일 서울 날씨 알려줘", "내일"),
    ("오늘은 출근이라서 모레 서울 날씨 좀", "모레"),
    ("오늘은 바빠서 내일 서울 날씨", "내일"),
    ("오늘 아파서 모레 서울 날씨", "모레"),
    ("내일 출근인데 서울 날씨 어때", "내일"),    # one date: kept, whatever clause it is in
    ("오늘 내일 바빠서 모레 서울 날씨", "모레"),  # every value of the clause before, not only the last
])
def test_should_take_the_value_of_the_request_over_one_in_a_clause_before_it(text, date):
    # Given two dates for one slot, one of them in a clause that ends in a connective
    # (바쁜데, 됐고, 왔는데, 출근이라서): that one is what the user tells about, not asks for
    bot = make_bot()
    turn = bot.handle("c1", text)
    assert turn.state == "complete" and turn.slots == {"location": "서울", "date": date}


def test_should_take_the_values_of_the_request_over_one_in_a_clause_before_it_for_every_slot_type():
    bot = make_bot()
    # three places for a trip's two: the one said in passing (서울 사는데) is left out
    turn = bot.handle("c2", "서울 사는데 내일 부산에서 대구 가는 기차 예매해줘")
    assert turn.slots == {"origin": "부산", "destination": "대구", "date": "내일"}
    # two places in the clause before: both left out
    turn = bot.handle("c4", "서울에서 부산 가는데 대구 날씨 어때")
    assert turn.slots == {"location": "대구", "date": "오늘"}
    # a time found by the slot's pattern: every match is a candidate, the one in passing left out
    turn = bot.handle("c3", "오전 7시에 출근인데 오전 6시에 알람 맞춰줘")
    assert turn.slots == {"time": "오전 6시", "date": "내일"}


def test_should_not_fill_a_slot_with_an_emoji_or_punctuation_the_model_tagged():
    # Given a model that tags the emoji in front of a request as a place
    text = "☀️ 내일 서울 날씨?"
    sunny = parse_result(text, "weather", 0.95, Entity("location", "☀️", "☀️", 0, 2, 0.8),
                         Entity("date", "내일", "내일", 3, 5, 0.9), Entity("location", "서울", "서울", 6, 8, 0.9))
    bot = make_bot({text: sunny, "^^": parse_result("^^", "fallback", 0.3, Entity("location", "^^", "^^", 0, 2, 0.7))})
    # Then the place is the one typed in letters
    turn = bot.handle("e1", text)
    assert turn.state == "complete" and turn.slots == {"location": "서울", "date": "내일"}
    # And a smiley answering the question fills nothing
    talk(bot, "e2", [("날씨 알려줘", "어느 지역", "ask_slot"), ("^^", "어느 지역", "ask_slot")])


def test_should_follow_up_values_after_a_no_or_an_interjection():
    # Given an answer, then its value corrected with a no and a polite ending
    bot = make_bot()
    talk(bot, "f1", [
        ("서울 날씨 알려줘", "오늘 서울의 날씨", "complete"),
        ("아 아니 부산이요", "오늘 부산의 날씨", "complete"),
        ("음 그럼 내일은요?", "내일 부산의 날씨", "complete"),
        ("아니 근데 광주 가려고", "잘 이해하지 못했어요", "fallback"),   # more than values: no follow-up
    ])


def test_should_take_a_value_with_another_request_word_for_that_request_not_an_answer():
    # Given the destination asked, a text with a place and a word of another request (날씨):
    # a new question, not the destination
    bot = make_bot()
    talk(bot, "b1", [
        ("서울에서 출발하는 기차 예매해줘", "어디로 가세요?", "ask_slot"),
        ("부산 날씨는?", "오늘 부산의 날씨를 알려드릴게요.", "complete"),
    ])
    # And a place with a polite ending, laughter or a yes in words of their own is still the answer
    for i, answer in enumerate(["부산 이요 ㅎㅎ", "부산 입니다", "부산 네"]):
        wrong = parse_result(answer, "weather", 0.95, Entity("location", "부산", "부산", 0, 2, 0.9))
        bot = make_bot({answer: wrong})
        turns = talk(bot, f"b2{i}", [
            ("서울에서 출발하는 기차 예매해줘", "어디로 가세요?", "ask_slot"),
            (answer, "언제 출발하세요?", "ask_slot"),
        ])
        assert turns[-1].slots == {"origin": "서울", "destination": "부산"}


def _hour(text: str, start: int, hour: int | None = None) -> Entity:
    """A time entity the model read from ``text`` at ``start``: ``오후 2시`` (``hour`` 14), or an hour
    alone (``3시``: 03:00 or 15:00)."""
    if hour is not None:
        return Entity("time", text, text, start, start + len(text), 0.9,
                      resolved={"kind": "time", "hour": hour, "minute": 0, "value": f"{hour:02d}:00"})
    h = int(text.rstrip("시"))
    return Entity("time", text, text, start, start + len(text), 0.9, resolved={
        "kind": "time", "hour": h, "minute": 0, "value": f"{h:02d}:00", "ambiguous": True,
        "candidates": [f"{h:02d}:00", f"{h + 12:02d}:00"]})


def _trip_bot(*said: ParseResult) -> Bot:
    """A trip with an optional time, read back by its confirmation; ``said``: how the model reads texts."""
    parser = StandInParser(overrides={p.text: p for p in said})
    parser.resolve = {"time": "time", "date": "date"}
    data = {"scenario": [{
        "intent": "train_ticket", "response": "{time} {origin}에서 {destination}(으)로 예매했어요.",
        "confirm": "{time} {origin}에서 {destination}(으)로 예매할까요?",
        "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서 출발하세요?"},
                 {"entity": "location", "role": "destination", "prompt": "어디로 가세요?"},
                 {"entity": "time", "required": False}]}, {"intent": "alarm", "response": "알람",
                                                            "slot": [{"entity": "time", "prompt": "몇 시?"}]}]}
    return Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))


def _trip_at(time: Entity) -> ParseResult:
    """서울에서 부산 가는 {time} 기차, the time as the model read it."""
    text = f"서울에서 부산 가는 {time.text} 기차"
    return parse_result(text, "train_ticket", 0.9, Entity("location", "서울", "서울", 0, 2, 0.9, "origin"),
                        Entity("location", "부산", "부산", 5, 7, 0.9, "destination"), time)


def test_should_take_an_hour_corrected_at_the_confirmation_in_the_half_of_the_day_it_replaces():
    # Given a trip at 오후 2시 read back, then 아니 3시로: the hour without 오후 is 15:00, not 03:00
    bot = _trip_bot(_trip_at(_hour("오후 2시", 11, 14)), parse_result("아니 3시로", "alarm", 0.9, _hour("3시", 3)))
    talk(bot, "h1", [("서울에서 부산 가는 오후 2시 기차", "예매할까요?", "confirm")])
    turn = talk(bot, "h1", [("아니 3시로", "3시 서울에서 부산으로 예매할까요?", "confirm")])[0]
    assert turn.resolved["time"] == {"kind": "time", "hour": 15, "minute": 0, "value": "15:00"}
    assert talk(bot, "h1", [("네", "예매했어요", "complete")])[0].resolved["time"]["value"] == "15:00"


@pytest.mark.parametrize("first,hour,value,read", [("오전 11시", 11, "12:00", "오후 12시"), ("오후 11시", 23, "00:00", "밤 12시")])
def test_should_take_12_corrected_after_11_as_the_nearer_noon_or_midnight(first, hour, value, read):
    # 오전 11시 → 아니 12시로 was midnight (12시 in the morning half), 오후 11시 → 12시 noon
    twelve = Entity("time", "12시", "12시", 3, 6, 0.9, resolved={
        "kind": "time", "hour": 12, "minute": 0, "value": "12:00", "ambiguous": True, "candidates": ["12:00", "00:00"]})
    bot = _trip_bot(_trip_at(_hour(first, 11, hour)), parse_result("아니 12시로", "alarm", 0.9, twelve))
    talk(bot, "h12", [(f"서울에서 부산 가는 {first} 기차", "예매할까요?", "confirm")])
    turn = talk(bot, "h12", [("아니 12시로", f"{read} 서울에서 부산으로 예매할까요?", "confirm")])[0]
    assert turn.resolved["time"]["value"] == value


def test_should_read_back_an_hour_corrected_at_the_confirmation_with_the_half_of_the_day_understood():
    # Given a trip at 오후 2시 read back, then 아니 4시로 (16:00): the read-back says 오후 4시, as it would
    # for 오후 4시 said first, not 4시, which reads as 04:00
    said = (_trip_at(_hour("오후 2시", 11, 14)), _trip_at(_hour("4시", 11)),
            parse_result("아니 4시로", "alarm", 0.9, _hour("4시", 3)), parse_result("5시", "alarm", 0.9, _hour("5시", 0)))
    bot = _trip_bot(*said)
    turns = talk(bot, "h2", [
        ("서울에서 부산 가는 오후 2시 기차", "오후 2시 서울에서 부산으로 예매할까요?", "confirm"),
        ("아니 4시로", "오후 4시 서울에서 부산으로 예매할까요?", "confirm"),
        ("5시", "오후 5시 서울에서 부산으로 예매할까요?", "confirm"),
        ("네", "오후 5시 서울에서 부산으로 예매했어요.", "complete"),
    ])
    assert turns[1].slots["time"] == "오후 4시" and turns[1].resolved["time"]["value"] == "16:00"
    assert turns[-1].slots["time"] == "오후 5시" and turns[-1].resolved["time"]["value"] == "17:00"
    # And an hour with nothing to take the half from (4시 said first) is read back as said
    bot = _trip_bot(*said)
    talk(bot, "h3", [("서울에서 부산 가는 4시 기차", "4시 서울에서 부산으로 예매할까요?", "confirm"),
                     ("5시", "예매할까요?", "confirm")])
    assert bot.session("h3")["slots"]["time"] == "5시"


def test_should_take_values_alone_as_the_answer_whatever_other_request_the_model_guesses():
    # Given the origin asked, then places and a date alone, which the model reads as weather
    both = parse_result("서울에서 부산", "weather", 0.9, Entity("location", "서울", "서울", 0, 2, 0.9),
                        Entity("location", "부산", "부산", 5, 7, 0.9))
    day = parse_result("부산 내일이요", "weather", 0.9, Entity("location", "부산", "부산", 0, 2, 0.9),
                       Entity("date", "내일", "내일", 3, 5, 0.9))
    bot = make_bot({"서울에서 부산": both, "부산 내일이요": day})
    turns = talk(bot, "v1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서울에서 부산", "언제 출발하세요?", "ask_slot"),
    ])
    assert turns[-1].slots == {"origin": "서울", "destination": "부산"}
    talk(bot, "v2", [
        ("서울에서 출발하는 기차 예매해줘", "어디로 가세요?", "ask_slot"),
        ("부산 내일이요", "내일 서울에서 부산으로 가는 기차를 예매할게요.", "complete"),
    ])
    # And a value with a word of the other request is that request
    talk(bot, "v3", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("부산 내일 날씨", "내일 부산의 날씨", "complete"),
    ])


def test_should_follow_up_values_with_only_an_ending_whatever_other_request_the_model_guesses():
    # Given an answer, then a value with 은/는 alone that the model reads as another request
    busan = parse_result("부산은?", "restaurant", 0.9, Entity("location", "부산", "부산", 0, 2, 0.9))
    bot = make_bot({"부산은?": busan})
    talk(bot, "g1", [
        ("서울 날씨 알려줘", "오늘 서울의 날씨", "complete"),
        ("부산은?", "오늘 부산의 날씨", "complete"),
        ("부산 맛집은?", "어떤 음식이 좋으세요?", "ask_slot"),   # a word of that request: that request
    ])


@pytest.mark.parametrize("text", ["네네 ㅎㅎ 예매해주세요", "응 예약해줘", "그걸로 해줘", "넹 그걸로 부탁해요", "네 진행해 주세요",
                                  "네 예매 부탁드려요", "응 그걸로 예매해 주세요"])
def test_should_take_a_yes_then_a_request_to_go_ahead_as_a_yes_whatever_the_model_reads(text):
    # Given a read-back question, a yes followed by a request to do it, which the model does not read
    bot = confirm_bot()
    talk(bot, "y1", [
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        (text, "예매했어요.", "complete"),
    ])


def test_should_not_take_a_yes_then_another_request_as_a_yes():
    bot = confirm_bot()
    talk(bot, "y2", [
        ("서울에서 부산으로 가는 기차", "예매할까요?", "confirm"),
        ("응 근데 날씨 알려줘", "어디요?", "ask_slot"),
    ])


@pytest.mark.parametrize("text", ["내일 아 아니 모레 서울 날씨", "내일 아냐 모레 서울 날씨", "내일 음 아니아니 모레 서울 날씨"])
def test_should_take_the_value_after_a_no_with_interjections_as_the_one_meant(text):
    bot = make_bot()
    turn = bot.handle("n1", text)
    assert turn.state == "complete" and turn.slots == {"location": "서울", "date": "모레"}


def test_should_leave_a_no_or_an_interjection_the_model_ran_into_a_value_out_of_it():
    # Given a model that tags 아냐 방탄 as the artist
    text = "아냐 방탄 노래로"
    wrong = parse_result(text, "music", 0.9, Entity("artist", "아냐 방탄", "아냐 방탄", 0, 5, 0.8))
    bot = make_bot({text: wrong})
    turn = bot.handle("t1", text)
    # Then the artist is the dictionary's 방탄소년단, without the no
    assert turn.state == "complete" and turn.slots == {"artist": "방탄소년단"}
    # And a value the dictionary does not list after the no is kept whole (a song 아니 벌써)
    song = parse_result("아니 벌써 틀어줘", "music", 0.9, Entity("song", "아니 벌써", "아니 벌써", 0, 5, 0.8))
    bot = make_bot({"아니 벌써 틀어줘": song})
    assert bot.handle("t2", "아니 벌써 틀어줘").slots == {"song": "아니 벌써"}


@pytest.mark.parametrize("text, date", [("내일 서울 날씨 아 아니 모레", "모레"), ("내일 서울 날씨 알려줘 아니 모레", "모레"),
                                        ("내일 서울 날씨 아니면 모레", "내일")])
def test_should_take_a_value_after_a_no_that_ends_what_followed_the_first_as_the_one_meant(text, date):
    # Given a date, more words, then a no right before another date: the second corrects the first
    # (아니면 is an or, no correction)
    bot = make_bot()
    turn = bot.handle("n2", text)
    assert turn.state == "complete" and turn.slots == {"location": "서울", "date": date}


def test_should_put_a_value_after_the_word_naming_its_slot_into_that_slot():
    # Given slots named by words (출발지, 목적지) and a change asked with one, which the model
    # reads as another request and with the role its particle suggests
    wrong = parse_result("출발지 대전으로 바꿔줘", "alarm", 0.9,
                         Entity("location", "대전", "대전", 4, 6, 0.9, "destination"))
    parser = StandInParser(overrides={"출발지 대전으로 바꿔줘": wrong})
    data = {"scenario": [{
        "intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
        "confirm": "{origin}에서 {destination}(으)로 예매할까요?",
        "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서?", "names": ["출발지", "출발역"]},
                 {"entity": "location", "role": "destination", "prompt": "어디로?", "names": ["목적지", "도착지"]}]},
        {"intent": "alarm", "response": "알람", "slot": [{"entity": "time", "prompt": "몇 시?"}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "s1", [
        ("서울에서 부산으로 가는 기차", "서울에서 부산으로 예매할까요?", "confirm"),
        ("출발지 대전으로 바꿔줘", "대전에서 부산으로 예매할까요?", "confirm"),
        ("목적지는 광주", "대전에서 광주로 예매할까요?", "confirm"),
        ("네", "예매했어요", "complete"),
    ])
    # And in a follow-up after the booking
    talk(bot, "s1", [("목적지는 대구로", "대전에서 대구로 예매할까요?", "confirm")])


def test_should_change_the_slot_a_word_names_from_the_value_it_holds_and_leave_the_name_out_of_the_value():
    # Given a trip read back and changes said with a slot's name, which the model reads as another
    # request (an alarm), with the roles its particles suggest or with the name inside the value
    said = {
        # 출발지를 서울에서 수원으로: from 서울 (the origin held) to 수원, not a trip from 서울 to 수원
        "출발지를 서울에서 수원으로 바꿔줘": (Entity("location", "서울", "서울", 5, 7, 0.9, "origin"),
                                  Entity("location", "수원", "수원", 10, 12, 0.9, "destination")),
        "도착지를 부산에서 대구로 바꿔줘": (Entity("location", "부산", "부산", 5, 7, 0.9),
                                 Entity("location", "대구", "대구", 10, 12, 0.9)),
        # 시간 tagged with the hour: the name is no part of the time, which keeps its half of the day
        "출발 시간 6시로 변경해줘": (Entity("time", "시간 6시", "시간 6시", 3, 8, 0.9),),
    }
    overrides = {t: parse_result(t, "alarm", 0.9, *es) for t, es in said.items()}
    data = {"scenario": [{
        "intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
        "confirm": "{time} {origin}에서 {destination}(으)로 예매할까요?",
        "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서?", "names": ["출발지"]},
                 {"entity": "location", "role": "destination", "prompt": "어디로?", "names": ["도착지"]},
                 {"entity": "time", "required": False, "names": ["시간", "출발 시간"]}]},
        {"intent": "alarm", "response": "알람", "slot": [{"entity": "time", "prompt": "몇 시?"}]}]}
    start = parse_result("서울에서 부산으로 가는 기차 오후 3시", "train_ticket", 0.9,
                         Entity("location", "서울", "서울", 0, 2, 0.9, "origin"),
                         Entity("location", "부산", "부산", 6, 8, 0.9, "destination"),
                         Entity("time", "오후 3시", "오후 3시", 16, 21, 0.9,
                                resolved={"kind": "time", "hour": 15, "minute": 0, "value": "15:00"}))
    for text, reply in (("출발지를 서울에서 수원으로 바꿔줘", "오후 3시 수원에서 부산으로 예매할까요?"),
                        ("도착지를 부산에서 대구로 바꿔줘", "오후 3시 서울에서 대구로 예매할까요?"),
                        ("출발 시간 6시로 변경해줘", "오후 6시 서울에서 부산으로 예매할까요?")):
        parser = StandInParser(overrides={**overrides, start.text: start})
        parser.resolve = {"time": "time"}
        bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
        assert bot.handle("n1", start.text).state == "confirm"
        turn = bot.handle("n1", text)
        assert turn.state == "confirm" and turn.reply == reply, text


def test_should_ask_again_a_slot_named_to_change_without_a_value_at_a_read_back():
    # 출발지 바꿔줘 at a read-back (the model finds no value, reads no request): where from is asked
    # again, the answer read back; an optional slot without a prompt is asked with [bot] change_prompt
    # (review12b: it fell back)
    parser = StandInParser()
    data = {"scenario": [{
        "intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
        "confirm": "{origin}에서 {destination}(으)로 예매할까요?",
        "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서?", "names": ["출발지", "출발"]},
                 {"entity": "location", "role": "destination", "prompt": "{origin}에서 어디로?", "names": ["목적지"]},
                 {"entity": "time", "required": False, "names": ["출발 시간"]}]}]}
    for said, asked in (("출발지 바꿔줘", "어디에서?"), ("아 아니 목적지를 바꾸고 싶어요", "서울에서 어디로?"),
                        ("출발지는 다시 할래요", "어디에서?"), ("목적지 변경", "서울에서 어디로?")):
        bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
        talk(bot, "c1", [("서울에서 부산으로 가는 기차", "서울에서 부산으로 예매할까요?", "confirm"),
                         (said, asked, "ask_slot")])
    talk(bot, "c1", [("광주", "서울에서 광주로 예매할까요?", "confirm")])
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "c2", [("서울에서 부산으로 가는 기차", "서울에서 부산으로 예매할까요?", "confirm"),
                     ("출발 시간 바꿔줘", "출발 시간을 어떻게 바꿀까요?", "ask_slot")])


def test_should_refuse_slot_names_that_are_not_a_list_of_words():
    with pytest.raises(ScenarioError, match=r"names"):
        parse_scenarios({"scenario": [{"intent": "weather", "response": "x",
                                       "slot": [{"entity": "location", "prompt": "어디?", "names": [3]}]}]})


@pytest.mark.parametrize("text", ["부산 안 갈래", "부산은 안 돼요", "부산은안돼"])
def test_should_not_fill_a_value_the_user_says_no_to(text):
    # Given the origin asked, a place said with a "won't" or "not" after it
    bot = make_bot()
    turn = talk(bot, "w1", [("기차 예매해줘", "어디에서 출발하세요?", "ask_slot")])[0]
    turn = bot.handle("w1", text)
    assert turn.state == "ask_slot" and turn.slots == {}
    # and 서울 안에 (inside 서울) is no such no
    assert bot.handle("w1", "서울 안에서").slots == {"origin": "서울"}


def test_should_take_a_no_and_a_value_as_a_correction_of_the_answer_just_given():
    # Given the origin answered and the destination asked, "no" and a place of the origin's type:
    # the user takes back the origin (the question read it back: 서울에서 어디로 가세요?)
    bot = make_bot()
    turns = talk(bot, "k1", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서울", "서울에서 어디로 가세요?", "ask_slot"),
        ("아 아니 대구", "대구에서 어디로 가세요?", "ask_slot"),
        ("부산", "언제 출발하세요?", "ask_slot"),
    ])
    assert turns[-1].slots == {"origin": "대구", "destination": "부산"}
    # And a value without a no, or one whose role says it is the slot asked, answers the question
    talk(bot, "k2", [
        ("기차 예매해줘", "어디에서 출발하세요?", "ask_slot"),
        ("서울", "서울에서 어디로 가세요?", "ask_slot"),
        ("아니 부산으로", "언제 출발하세요?", "ask_slot"),
    ])
    assert bot.session("k2")["slots"] == {"origin": "서울", "destination": "부산"}


def test_should_keep_values_whose_role_fits_a_slot_when_another_request_follows():
    # Given a trip and then another request in one text (예매하고 ends a clause, but its values
    # carry the roles of the trip's slots): the trip keeps its places, the extra 부산 fills nothing
    text = "서울에서 부산 가는 기차 예매하고 부산 날씨도"
    parse = parse_result(text, "train_ticket", 0.9, Entity("location", "서울", "서울", 0, 2, 0.9, "origin"),
                         Entity("location", "부산", "부산", 5, 7, 0.9, "destination"),
                         Entity("location", "부산", "부산", 20, 22, 0.9))
    bot = make_bot({text: parse})
    assert bot.handle("r1", text).slots == {"origin": "서울", "destination": "부산"}
    # And two values given one role are no longer sure of it: the one said in passing is left out
    text = "서울 사는데 부산에서 대구 가는 기차"
    parse = parse_result(text, "train_ticket", 0.9, Entity("location", "서울", "서울", 0, 2, 0.9, "origin"),
                         Entity("location", "부산", "부산", 7, 9, 0.9, "origin"),
                         Entity("location", "대구", "대구", 12, 14, 0.9, "destination"))
    bot = make_bot({text: parse})
    assert bot.handle("r3", text).slots == {"origin": "부산", "destination": "대구"}


def test_should_refuse_a_value_equal_to_a_slot_that_must_differ_from_it_whatever_the_order():
    # Given the destination filled first, then the same place offered for the origin
    text = "부산으로 부산 기차"
    parse = parse_result(text, "train_ticket", 0.9, Entity("location", "부산", "부산", 0, 2, 0.9, "destination"),
                         Entity("location", "부산", "부산", 5, 7, 0.9))
    parser = StandInParser(overrides={text: parse})
    data = {"scenario": [{"intent": "train_ticket", "response": "{origin}에서 {destination}(으)로",
                          "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서 출발하세요?"},
                                   {"entity": "location", "role": "destination", "prompt": "어디로?",
                                    "differs_from": "origin", "invalid": "출발지와 같아요."}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    turn = bot.handle("r2", text)
    assert turn.state == "ask_slot" and turn.slots == {"destination": "부산"}
    # And a swap of the two in one turn is no repeat
    data["scenario"][0]["confirm"] = "{origin}에서 {destination}(으)로 갈까요?"
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "r4", [("서울에서 부산으로 가는 기차", "서울에서 부산으로 갈까요?", "confirm"),
                     ("아 반대로 부산에서 서울", "부산에서 서울로 갈까요?", "confirm")])


@pytest.mark.parametrize("said, state", [("예매해줘", "complete"), ("기차 예매해 주세요", "complete"),
                                         ("예매 부탁해요 ㅎㅎ", "complete"), ("변경해줘", "confirm")])
def test_should_take_the_request_being_confirmed_asked_again_without_a_yes_as_a_yes(said, state):
    # 예매해줘 at "…예매할까요?" is a go-ahead, not a reason to ask the same question again; a change
    # asked for without a value (변경해줘) is none
    bot = confirm_bot({said: parse_result(said, "train_ticket", 0.8)})
    assert bot.handle("x9", "서울에서 부산으로 가는 기차").state == "confirm"
    turn = bot.handle("x9", said)
    assert turn.state == state and turn.reply.endswith("예매했어요." if state == "complete" else "예매할까요?")


@pytest.mark.parametrize("first, said, start, want", [
    # 고마워 근데 모레로 바꿔줘 at the confirmation, read whole as weather (the demo model read 고마워 근데
    # 4시로 바꿔줘 as an alarm: it set one and dropped the booking): thanks, then the new date read back
    ("고마워", "고마워 근데 모레로 바꿔줘", 7, "천만에요. 모레 서울에서 부산으로 예매할까요?"),
    # 네 근데 모레로 바꿔줘 (the demo model read 네 as thanks): the new date read back, no 천만에요
    ("네", "네 근데 모레로 바꿔줘", 5, "모레 서울에서 부산으로 예매할까요?"),
])
def test_should_take_a_correction_after_thanks_or_a_yes_in_passing_whatever_the_model_reads_in_the_whole(
        first, said, start, want):
    bot = resume_bot({first: parse_result(first, "greeting", 0.9),
                      said: parse_result(said, "weather", 0.9, Entity("date", "모레", "모레", start, start + 2, 0.9))},
                     {"intent": "weather", "response": "{location} 날씨예요.",
                      "slot": [{"entity": "location", "prompt": "어디요?"}]})
    assert bot.handle("r9", "내일 서울에서 부산으로 가는 기차").state == "confirm"
    turn = bot.handle("r9", said)
    assert (turn.state, turn.reply) == ("confirm", want)


def test_should_take_the_slot_name_said_before_a_bare_answer_as_part_of_the_answer():
    # 주문번호 20261123 000123 이요 while a cancel asked the order number was read by a shop bot's model
    # as an order-tracking request (0.57) and switched to it: the slot's name said before the value is
    # no request of its own (docs: the names may stand in an answer)
    said = {t: parse_result(t, "weather", 0.9, Entity("location", "부산", "부산", t.index("부산"), t.index("부산") + 2, 0.9))
            for t in ("목적지는 부산이요", "목적지 부산", "도착지 부산 이요")}
    parser = StandInParser(overrides=said)
    data = {"scenario": [{
        "intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
        "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서?", "names": ["출발지"]},
                 {"entity": "location", "role": "destination", "prompt": "어디로?", "names": ["목적지", "도착지"]}]},
        {"intent": "weather", "response": "{location} 날씨", "slot": [{"entity": "location", "prompt": "어디?"}]}]}
    for text in said:
        bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
        talk(bot, "n1", [("서울에서 출발하는 기차", "어디로?", "ask_slot"),
                         (text, "서울에서 부산으로 예매했어요.", "complete")])


def test_should_give_two_values_the_model_tagged_with_one_role_the_slots_their_particles_say():
    # 반팔티 M 사이즈를 L로 교환: a shop bot's tagger gave both sizes the role `to`; the bot put M in `to`
    # and L, its particle 로 that slot's, in `from` (read back as L 사이즈를 M 사이즈로)
    text = "서울에서 부산으로 가는 기차"
    wrong = parse_result(text, "train_ticket", 0.9, Entity("location", "서울", "서울", 0, 2, 0.9, "destination"),
                         Entity("location", "부산", "부산", 5, 7, 0.9, "destination"))
    parser = StandInParser(overrides={text: wrong})
    data = {"scenario": [{
        "intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
        "slot": [{"entity": "location", "role": "destination", "prompt": "어디로?", "particles": ["(으)로"]},
                 {"entity": "location", "role": "origin", "prompt": "어디에서?"}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "r1", [(text, "서울에서 부산으로 예매했어요.", "complete")])


def test_should_take_a_dictionary_word_the_model_did_not_tag_said_in_place_of_a_value():
    # 아니 블랙 말고 화이트 at a shop bot's read-back: the tagger tagged only 블랙 and the model read a
    # request for an agent (0.73), which took over; 화이트, listed in the dictionary, was the new colour
    said = {t: parse_result(t, "alarm", 0.9, Entity("location", "부산", "부산", t.index("부산"), t.index("부산") + 2, 0.9))
            for t in ("아니 부산 말고 대구", "부산 말고 대구로 해주세요")}
    parser = StandInParser(overrides=said)
    data = {"scenario": [{
        "intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
        "confirm": "{origin}에서 {destination}(으)로 예매할까요?",
        "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서?"},
                 {"entity": "location", "role": "destination", "prompt": "어디로?"}]},
        {"intent": "alarm", "response": "알람", "slot": [{"entity": "time", "prompt": "몇 시?"}]}]}
    for text in said:
        bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
        talk(bot, "d1", [("서울에서 부산으로 가는 기차", "서울에서 부산으로 예매할까요?", "confirm"),
                         (text, "서울에서 대구로 예매할까요?", "confirm")])


def test_should_say_an_optional_slot_refused_its_value_when_the_request_is_answered_at_once():
    # 청바지 30 사이즈 있어요? at a shop bot (sizes S to 2XL): the stock answer came without a word on 30,
    # refused by the size slot's values; said while the item was asked, too
    parser = StandInParser()
    data = {"scenario": [{
        "intent": "weather", "response": "{date} {location} 날씨예요.",
        "slot": [{"entity": "location", "prompt": "어느 지역이요?"},
                 {"entity": "date", "required": False, "values": ["오늘", "내일"], "invalid": "'{value}'은/는 안 돼요."}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "o1", [("모레 서울 날씨", "'모레'는 안 돼요. 서울 날씨예요.", "complete")])
    talk(bot, "o2", [("날씨 알려줘", "어느 지역이요?", "ask_slot"),
                     ("서울 모레", "'모레'는 안 돼요. 서울 날씨예요.", "complete")])


def test_should_put_a_value_in_the_slot_its_particle_names_when_the_models_role_is_of_a_slot_without_it():
    # L로 at a shop bot's exchange read-back (sizes `from` and `to`, to's particle (으)로) was tagged
    # size:from: read back as 청바지 L 사이즈를 교환 접수할까요?, the size to exchange for left empty
    said = {"대구로": (Entity("location", "대구", "대구", 0, 2, 0.9, "origin"),),
            "아니 광주에서": (Entity("location", "광주", "광주", 3, 5, 0.9, "destination"),)}
    parser = StandInParser(overrides={t: parse_result(t, "train_ticket", 0.9, *es) for t, es in said.items()})
    data = {"scenario": [{
        "intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
        "confirm": "{origin}에서 {destination}(으)로 예매할까요?",
        "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서?", "particles": ["에서"]},
                 {"entity": "location", "role": "destination", "prompt": "어디로?", "particles": ["(으)로"]}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "p1", [("서울에서 부산으로 가는 기차", "서울에서 부산으로 예매할까요?", "confirm"),
                     ("대구로", "서울에서 대구로 예매할까요?", "confirm"),
                     ("아니 광주에서", "광주에서 대구로 예매할까요?", "confirm")])


def _exchange_bot(said: dict[str, tuple[Entity, ...]]) -> Bot:
    """A shop's exchange (sizes `from`, no particles, and `to`, particle (으)로), read back."""
    parser = StandInParser(overrides={t: parse_result(t, "train_ticket", 0.9, *es) for t, es in said.items()})
    parser.entity_types = (*parser.entity_types, "size")
    data = {"scenario": [{
        "intent": "train_ticket", "response": "교환했어요.",
        "confirm": "[{from}에서 ][{to}(으)로 ]교환할까요?",
        "slot": [{"entity": "size", "role": "from", "required": False},
                 {"entity": "size", "role": "to", "required": False, "particles": ["(으)로"]}]}]}
    return Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))


def test_should_keep_the_models_two_roles_when_one_value_has_the_particle_of_the_others_slot():
    # M으로 샀고 L로 바꿔주세요 at a shop bot: the tagger read M size:from and L size:to; M, its 으로 the
    # particle of `to`, was put in `to` and L in `from` (read back as L 사이즈를 M 사이즈로)
    text = "M으로 샀고 L로 바꿔주세요"
    bot = _exchange_bot({text: (Entity("size", "M", "M", 0, 1, 0.9, "from"), Entity("size", "L", "L", 7, 8, 0.9, "to"))})
    talk(bot, "k1", [(text, "M에서 L로 교환할까요?", "confirm")])


@pytest.mark.parametrize("text, roles, reply", [
    # the shop model tagged both sizes `to` (both said with (으)로), and once the other way round: the verb
    # after each says which is which (샀/산/주문한: the size the user has; 바꿔/교환: the one wanted)
    ("M으로 샀는데 L로 바꿔주세요", ("to", "to"), "M에서 L로 교환할까요?"),
    ("M으로 샀고 L로 바꿔주세요", ("to", "to"), "M에서 L로 교환할까요?"),
    ("M으로 주문했는데 L로 교환해주세요", ("to", "to"), "M에서 L로 교환할까요?"),
    ("M으로 산 거 L로 바꿔주세요", (None, None), "M에서 L로 교환할까요?"),
    ("M으로 샀는데 L로 바꿔주세요", ("to", "from"), "M에서 L로 교환할까요?"),
    # L로 바꿨는데 M으로 다시: the size changed to before is the one the user has now
    ("L로 바꿨는데 M으로 다시 바꿔주세요", ("to", "to"), "L에서 M으로 교환할까요?"),
    # no verb in the past: the roles and particles decide as before
    ("M 사이즈를 L로 바꿔주세요", ("from", "to"), "M에서 L로 교환할까요?"),
])
def test_should_take_the_value_with_a_verb_in_the_past_after_it_for_the_old_one(text, roles, reply):
    first, second = text.index("M" if text[0] == "M" else "L"), text.index("L" if text[0] == "M" else "M")
    bot = _exchange_bot({text: (Entity("size", text[first], text[first], first, first + 1, 0.9, roles[0]),
                                Entity("size", text[second], text[second], second, second + 1, 0.9, roles[1]))})
    talk(bot, "k2", [(text, reply, "confirm")])


def test_should_keep_the_models_origin_for_a_value_said_with_from_or_before_a_word_of_the_origin():
    # 서울로부터 (로부터: from) and 대전으로 출발지 변경 (출발지: the origin's name) at the demo's read-back,
    # tagged as the origin, went to the destination, the (으)로 after the value the destination's particle
    said = {"서울로부터 부산까지 가는 기차": (Entity("location", "서울", "서울", 0, 2, 0.9, "origin"),
                                       Entity("location", "부산", "부산", 7, 9, 0.9, "destination")),
            "대전으로부터 출발": (Entity("location", "대전", "대전", 0, 2, 0.9, "origin"),),
            "대구로 출발지 변경": (Entity("location", "대구", "대구", 0, 2, 0.9, "origin"),),
            "광주로 출발해서 가요": (Entity("location", "광주", "광주", 0, 2, 0.9, "origin"),),
            "울산으로부터요": (Entity("location", "울산", "울산", 0, 2, 0.9, "origin"),)}
    parser = StandInParser(overrides={t: parse_result(t, "train_ticket", 0.9, *es) for t, es in said.items()})
    data = {"scenario": [{
        "intent": "train_ticket", "response": "{origin}에서 {destination}(으)로 예매했어요.",
        "confirm": "{origin}에서 {destination}(으)로 예매할까요?",
        "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서?", "particles": ["에서", "부터", "출발"],
                  "names": ["출발지"]},
                 {"entity": "location", "role": "destination", "prompt": "어디로?", "particles": ["(으)로", "까지"]}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    talk(bot, "k2", [("서울로부터 부산까지 가는 기차", "서울에서 부산으로 예매할까요?", "confirm"),
                     ("대전으로부터 출발", "대전에서 부산으로 예매할까요?", "confirm"),
                     ("대구로 출발지 변경", "대구에서 부산으로 예매할까요?", "confirm"),
                     ("광주로 출발해서 가요", "광주에서 부산으로 예매할까요?", "confirm"),
                     ("울산으로부터요", "울산에서 부산으로 예매할까요?", "confirm")])


def test_should_answer_at_once_without_a_word_on_a_refused_value_of_one_letter_or_syllable():
    # 청바지 제 사이즈 있어요? ("my size") and 청바지 제고 있어요? (a slip for 재고): a shop bot's tagger read
    # 제 as a size, and the stock answer came after '제' 사이즈는 없어요; 30 is still said to be no size
    said = {t: parse_result(t, "weather", 0.9, Entity("location", "서울", "서울", 0, 2, 0.9),
                            Entity("date", v, v, t.index(v), t.index(v) + len(v), 0.6))
            for t, v in (("서울 제 날씨", "제"), ("서울 2 날씨", "2"), ("서울 모레 날씨", "모레"))}
    parser = StandInParser(overrides=said)
    data = {"scenario": [{
        "intent": "weather", "response": "{date} {location} 날씨예요.",
        "slot": [{"entity": "location", "prompt": "어느 지역이요?"},
                 {"entity": "date", "required": False, "values": ["오늘", "내일"], "invalid": "'{value}'은/는 안 돼요."}]}]}
    bot = Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))
    for i, text in enumerate(("서울 제 날씨", "서울 2 날씨")):
        turn = bot.handle(f"q{i}", text)
        assert turn.state == "complete" and turn.reply.startswith("서울 날씨예요"), turn.reply
    talk(bot, "q9", [("서울 모레 날씨", "'모레'는 안 돼요.", "complete")])
