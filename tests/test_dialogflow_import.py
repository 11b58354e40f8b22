"""A Dialogflow ES agent export becomes an nlukit project (``nlukit import``).

Given an exported agent (zip or folder: intents with Korean training phrases, entities
with synonyms, required parameters with prompts, a fallback intent), when it is imported,
then phrases become patterns with slots (two parameters of one type become roles),
entries become dictionaries, and the responses and prompts become scenarios the bot loads.
"""
from __future__ import annotations

import json
import zipfile

import pytest

from nlukit.cli import main
from nlukit.errors import InputError
from nlukit.generate.dialogflow import read_dialogflow
from nlukit.generate.rasa import write_project


def seg(text: str, meta: str | None = None, alias: str | None = None) -> dict:
    return {"text": text, "userDefined": bool(meta), **({"meta": meta, "alias": alias} if meta else {})}


def write_agent(root, lang: str = "ko") -> None:
    (root / "intents").mkdir(parents=True)
    (root / "entities").mkdir()
    (root / "agent.json").write_text(json.dumps({"language": lang}), encoding="utf-8")

    def put(path, obj):
        path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")

    put(root / "entities" / "city.json", {"name": "city"})
    put(root / "entities" / f"city_entries_{lang}.json", [
        {"value": "서울", "synonyms": ["서울", "서울시"]}, {"value": "부산", "synonyms": ["부산"]},
        {"value": "대구", "synonyms": ["대구"]}])
    put(root / "intents" / "Book Train.json", {"name": "Book Train", "responses": [{
        "parameters": [
            {"name": "from-city", "dataType": "@city", "required": True,
             "prompts": [{"lang": lang, "value": "어디에서 출발하세요?"}]},
            {"name": "to-city", "dataType": "@city", "required": True,
             "prompts": [{"lang": lang, "value": "$from-city에서 어디로 가세요?"},
                         {"lang": lang, "value": "어디로 가세요?"}, {"lang": "en", "value": "Where to?"}]}],
        "messages": [{"type": "0", "lang": lang, "speech": ["$from-city에서 $to-city(으)로 가는 기차를 예매했어요.",
                                                            "$to-city행 기차를 예매했어요."]}]}]})
    put(root / "intents" / f"Book Train_usersays_{lang}.json", [
        {"data": [seg("서울", "@city", "from-city"), seg("에서 "), seg("부산", "@city", "to-city"),
                  seg("으로 가는 기차 예매해줘")]},
        {"data": [seg("기차 예매해줘")]}])
    put(root / "intents" / "weather.json", {"name": "weather", "responses": [{
        "parameters": [{"name": "city", "dataType": "@city", "required": False}],
        "messages": [{"type": 0, "lang": lang, "speech": "날씨를 알려드릴게요."}]}]})
    put(root / "intents" / f"weather_usersays_{lang}.json", [
        {"data": [seg("서울시", "@city", "city"), seg(" 날씨 어때")]},
        {"data": [seg("내일", "@sys.date", "date"), seg(" 날씨")]}])
    put(root / "intents" / "Default Fallback Intent.json", {"name": "Default Fallback Intent", "fallbackIntent": True,
        "responses": [{"action": "input.unknown",
                       "messages": [{"type": "0", "lang": lang, "speech": ["잘 모르겠어요.", "다시 말해 주세요."]}]}]})


def test_should_turn_an_agent_export_into_patterns_dictionaries_and_scenarios(tmp_path) -> None:
    from nlukit.bot import load_scenarios
    agent = tmp_path / "agent"
    write_agent(agent)
    archive = tmp_path / "MyAgent.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in agent.rglob("*"):
            z.write(path, "MyAgent/" + str(path.relative_to(agent)))
    assert main(["import", str(archive), "-o", str(tmp_path / "bot")]) == 0
    bot = tmp_path / "bot"
    assert (bot / "patterns" / "Book_Train.txt").read_text(encoding="utf-8").splitlines() == [
        "@Book_Train", "{city:from_city}에서 {city:to_city}(으)로 가는 기차 예매해줘", "기차 예매해줘"]
    assert (bot / "patterns" / "weather.txt").read_text(encoding="utf-8").splitlines() == [
        "@weather", "{city} 날씨 어때", "{sys_date} 날씨"]
    assert (bot / "dicts" / "city.csv").read_text(encoding="utf-8").splitlines() == [
        "entity,value,synonyms", "city,서울,서울시", "city,부산,", "city,대구,"]
    sc = load_scenarios(str(bot / "scenarios.toml"), intents=["Book_Train", "weather"],
                        entity_types=["city", "sys_date"])
    train = sc.scenarios["Book_Train"]
    assert [(s.entity, s.role, s.prompt) for s in train.slots] == [
        ("city", "from_city", "어디에서 출발하세요?"), ("city", "to_city", "{from_city}에서 어디로 가세요?")]
    assert train.response == "{from_city}에서 {to_city}(으)로 가는 기차를 예매했어요."
    assert sc.scenarios["weather"].response == "날씨를 알려드릴게요."
    # Dialogflow picks one of several replies and prompts at random: every one is a wording
    assert train.wordings("response") == ("{from_city}에서 {to_city}(으)로 가는 기차를 예매했어요.",
                                          "{to_city}행 기차를 예매했어요.")
    assert train.slots[1].wordings("prompt") == ("{from_city}에서 어디로 가세요?", "어디로 가세요?")
    assert list(sc.settings.fallback) == ["잘 모르겠어요.", "다시 말해 주세요."]
    # and the project generates: 서울시 in a phrase is the value 서울, particles fit each city
    import nlukit
    from nlukit.dataset import load_dataset
    nlukit.generate(str(bot / "patterns"), str(bot / "dicts"), str(tmp_path / "data"), seed=13, progress=False)
    ds = load_dataset(str(tmp_path / "data"))
    texts = {ex.text for ex in ds.train + ds.valid + ds.test}
    assert "부산에서 서울로 가는 기차 예매해줘" in texts and "서울에서 부산으로 가는 기차 예매해줘" in texts


def test_should_ask_which_language_when_the_agent_has_several_but_no_korean(tmp_path) -> None:
    write_agent(tmp_path / "a", lang="en")
    (tmp_path / "a" / "intents" / "weather_usersays_ja.json").write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="--lang"):
        read_dialogflow(str(tmp_path / "a"))
    assert "weather" in read_dialogflow(str(tmp_path / "a"), lang="en").intents


def test_should_refuse_an_archive_with_paths_out_of_its_folder(tmp_path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("agent.json", "{}")
        z.writestr("../outside.txt", "x")
    with pytest.raises(InputError, match="unsafe path"):
        read_dialogflow(str(archive))
    assert not (tmp_path.parent / "outside.txt").exists()


def test_should_read_a_context_parameter_reference_and_note_a_follow_up_intent(tmp_path) -> None:
    # modelled on a meeting-room agent: the reply reads its parameters back from the
    # intent's own output context (and $time.original is the time as typed), and a yes/no
    # follow-up intent lives inside that context
    from nlukit.generate.rasa import write_project
    root = tmp_path / "agent"
    (root / "intents").mkdir(parents=True)
    (root / "agent.json").write_text(json.dumps({"language": "ko"}), encoding="utf-8")

    def put(name, obj):
        (root / "intents" / name).write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")

    put("new_meeting.json", {"name": "new_meeting", "contexts": [], "responses": [{
        "affectedContexts": [{"name": "new_meeting-followup", "lifespan": 3}],
        "parameters": [{"name": "time", "dataType": "@sys.time", "required": True,
                        "prompts": [{"lang": "ko", "value": "회의 시간은 언제인가요?"}]}],
        "messages": [{"type": 0, "lang": "ko",
                      "speech": "#new_meeting-followup.time으로 회의실을 예약할까요? ($time.original)"}]}]})
    put("new_meeting_usersays_ko.json", [{"data": [seg("오후 3시", "@sys.time", "time"), seg("에 회의 잡아줘")]}])
    put("make_calendar.json", {"name": "make_calendar", "contexts": ["new_meeting-followup"],
                               "responses": [{"messages": [{"type": 0, "lang": "ko", "speech": "감사합니다"}]}]})
    put("make_calendar_usersays_ko.json", [{"data": [seg("응")]}, {"data": [seg("그래")]}])
    data = read_dialogflow(str(root))
    assert any("'make_calendar' follows up new_meeting-followup" in n for n in data.notes)
    write_project(data, tmp_path / "bot")
    toml = (tmp_path / "bot" / "scenarios.toml").read_text(encoding="utf-8")
    assert 'response = "{sys_time}으로 회의실을 예약할까요? ({sys_time})"' in toml and "#new_meeting" not in toml


def test_should_leave_the_counter_out_of_a_number_marked_with_it(tmp_path) -> None:
    # modelled on a meeting-room agent: one phrase marks 10 as @sys.number, another 5명
    root = tmp_path / "agent"
    (root / "intents").mkdir(parents=True)
    (root / "agent.json").write_text(json.dumps({"language": "ko"}), encoding="utf-8")
    (root / "intents" / "new_meeting.json").write_text(json.dumps({"name": "new_meeting"}), encoding="utf-8")
    (root / "intents" / "new_meeting_usersays_ko.json").write_text(json.dumps([
        {"data": [seg("10", "@sys.number", "number"), seg("명 새 회의")]},
        {"data": [seg("룸A에 "), seg("5명", "@sys.number", "number"), seg(" 회의 잡을게요")]}],
        ensure_ascii=False), encoding="utf-8")
    data = read_dialogflow(str(root))
    got = [(t, [(t[m.start:m.end], m.value) for m in ms]) for t, ms in data.intents["new_meeting"]]
    assert got == [("10명 새 회의", [("10", "10")]), ("룸A에 5명 회의 잡을게요", [("5", "5")])]


def test_should_keep_sys_ignore_as_plain_text_and_name_a_follow_up_plainly(tmp_path) -> None:
    # modelled on a pet-symptom agent: 토 and 이 are marked @sys.ignore, and the answer to
    # the bot's question lives in the follow-up intent "dog_throwup - small"
    root = tmp_path / "agent"
    (root / "intents").mkdir(parents=True)
    (root / "agent.json").write_text(json.dumps({"language": "ko"}), encoding="utf-8")
    (root / "intents" / "dog_throwup.json").write_text(json.dumps({"name": "dog_throwup"}), encoding="utf-8")
    (root / "intents" / "dog_throwup_usersays_ko.json").write_text(json.dumps([
        {"data": [seg("강아지", "@Animal", "animal"), seg("가 "), seg("토", "@sys.ignore"), seg("를 해요")]},
        {"data": [seg("강아지", "@Animal", "animal"), seg(" 호흡"), seg("이", "@sys.ignore"), seg(" 이상해요")]}],
        ensure_ascii=False), encoding="utf-8")
    (root / "intents" / "dog_throwup - small.json").write_text(json.dumps(
        {"name": "dog_throwup - small", "contexts": ["dog_throwup-followup"]}), encoding="utf-8")
    (root / "intents" / "dog_throwup - small_usersays_ko.json").write_text(json.dumps(
        [{"data": [seg("작은 알갱이", "@throwup", "throwup"), seg("에요")]}], ensure_ascii=False), encoding="utf-8")
    data = read_dialogflow(str(root))
    assert [(t, [m.entity for m in ms]) for t, ms in data.intents["dog_throwup"]] == [
        ("강아지가 토를 해요", ["Animal"]), ("강아지 호흡이 이상해요", ["Animal"])]
    assert "dog_throwup_small" in data.intents and "sys_ignore" not in data.lookups


def test_should_not_take_korean_when_only_the_welcome_intent_has_it(tmp_path) -> None:
    # modelled on a coffee-shop agent: English for every intent, Korean only for the welcome one
    write_agent(tmp_path / "a", lang="en")
    (tmp_path / "a" / "intents" / "Default Welcome Intent.json").write_text(
        json.dumps({"name": "Default Welcome Intent"}), encoding="utf-8")
    (tmp_path / "a" / "intents" / "Default Welcome Intent_usersays_ko.json").write_text(
        json.dumps([{"data": [seg("안녕")]}], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match=r"en \(2 intents\), ko \(1 intents\); choose one with --lang"):
        read_dialogflow(str(tmp_path / "a"))
    assert "weather" in read_dialogflow(str(tmp_path / "a"), lang="en").intents


def test_should_make_an_optional_parameter_the_reply_names_an_optional_slot(tmp_path) -> None:
    from nlukit.bot import load_scenarios
    agent = tmp_path / "agent"
    write_agent(agent)
    (agent / "entities" / "drink.json").write_text('{"name": "drink"}', encoding="utf-8")
    (agent / "entities" / "drink_entries_ko.json").write_text(
        json.dumps([{"value": "라떼", "synonyms": ["라떼"]}, {"value": "아메리카노", "synonyms": ["아아"]}],
                   ensure_ascii=False), encoding="utf-8")
    (agent / "intents" / "order.json").write_text(json.dumps({"name": "order", "responses": [{
        "parameters": [{"name": "drink", "dataType": "@drink", "required": False}],
        "messages": [{"type": "0", "lang": "ko", "speech": "$drink 주문 받았어요."}]}]}, ensure_ascii=False),
        encoding="utf-8")
    (agent / "intents" / "order_usersays_ko.json").write_text(json.dumps([
        {"data": [seg("아아", "@drink", "drink"), seg(" 한 잔 주세요")]}, {"data": [seg("주문할게요")]}],
        ensure_ascii=False), encoding="utf-8")
    write_project(read_dialogflow(str(agent)), tmp_path / "bot")
    sc = load_scenarios(str(tmp_path / "bot" / "scenarios.toml"),
                        intents=["Book_Train", "weather", "order"], entity_types=["city", "sys_date", "drink"])
    order = sc.scenarios["order"]
    # the reply names the drink: a slot filled when said, never asked (it was literal {{drink}})
    assert order.response == "{drink} 주문 받았어요."
    assert [(s.entity, s.required, s.prompt) for s in order.slots] == [("drink", False, None)]


def test_should_title_a_scenario_after_a_human_intent_name_and_leave_identifiers_a_hint(tmp_path) -> None:
    from nlukit.bot import load_scenarios
    # Given an agent with a Korean, a spaced and an identifier name, a welcome and a follow-up intent
    agent = tmp_path / "agent"
    write_agent(agent)

    def intent(name, phrase, **spec):
        (agent / "intents" / f"{name}.json").write_text(json.dumps({"name": name, "responses": [{
            "messages": [{"type": 0, "lang": "ko", "speech": f"{name} 답"}], **spec}], **(
            {"contexts": ["x-followup"]} if name.endswith("- yes") else {})}, ensure_ascii=False), encoding="utf-8")
        (agent / "intents" / f"{name}_usersays_ko.json").write_text(
            json.dumps([{"data": [seg(phrase)]}], ensure_ascii=False), encoding="utf-8")

    intent("환불_신청", "환불해 주세요")
    intent("book.flight", "비행기 예약")
    intent("환영 인사", "안녕", action="input.welcome")
    intent("Default Welcome Intent", "하이")
    intent("환불_신청 - yes", "네")
    intent("아주 긴 이름을 붙인 인텐트 하나 여기서 서른 글자를 넘깁니다", "길다")
    intent("환불__신청", "환불 신청할게요")   # another intent, the same title: the first file keeps it
    assert main(["import", str(agent), "-o", str(tmp_path / "bot")]) == 0
    toml = (tmp_path / "bot" / "scenarios.toml").read_text(encoding="utf-8")
    names = ["Book_Train", "weather", "환불_신청", "book_flight", "환영_인사", "Default_Welcome_Intent",
             "환불_신청_yes", "아주_긴_이름을_붙인_인텐트_하나_여기서_서른_글자를_넘깁니다", "환불__신청"]
    sc = load_scenarios(str(tmp_path / "bot" / "scenarios.toml"), intents=names,
                        entity_types=["city", "sys_date"])
    # Then the real loader takes the titles: human names, trimmed to 30 characters, each once
    assert {k: s.title for k, s in sc.scenarios.items() if s.title} == {
        "Book_Train": "Book Train", "환불__신청": "환불 신청",
        "아주_긴_이름을_붙인_인텐트_하나_여기서_서른_글자를_넘깁니다": "아주 긴 이름을 붙인 인텐트 하나 여기서 서른 글자를…"}
    # and the others get a line to fill in, explained at the top and in IMPORT.md
    assert toml.count('# title = "..."') == 6 and "혹시 '기차 예매'를 원하세요?" in toml
    report = (tmp_path / "bot" / "IMPORT.md").read_text(encoding="utf-8")
    assert "## Clarifying questions" in report and "6 scenarios have none" in report
    assert "intent '환불_신청': its title '환불 신청' is '환불__신청''s; left out" in report
