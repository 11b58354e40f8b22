"""Rasa NLU training data becomes nlukit patterns and dictionaries (``nlukit import``).

Given a Rasa bot's NLU data in YAML, JSON or Markdown, when it is imported, then each
intent is a pattern file whose entities are slots with particle pairs (or marked
examples with --keep-examples), each entity type a long-form dictionary with the
synonyms and lookup values, what nlukit cannot use is listed, and the project
generates a dataset with the right spans and particles.
"""
from __future__ import annotations

import json
import os

import pytest

import nlukit
from nlukit.cli import main
from nlukit.errors import InputError, OutputExistsError
from nlukit.generate.rasa import parse_example, pattern_line, read_rasa, write_project

YAML = """version: "3.1"
nlu:
- intent: weather
  examples: |
    - [서울](location) 날씨 어때
    - [내일](date) [부산](location)은 비 와?
    - [제주도]{"entity": "location", "value": "제주"} 날씨 (맑음?) 알려줘
- intent: train_ticket
  examples: |
    - [서울]{"entity": "location", "role": "origin"}에서 [대구]{"entity": "location", "role": "destination"}로 가는 기차 #KTX
    - [부산]{"entity": "location", "role": "origin", "group": "g1"}에서 [광주]{"entity": "location", "role": "destination"}으로 가는 표
- intent: faq/hours
  examples: |
    - 영업시간이 어떻게 돼요
- synonym: 서울
  examples: |
    - 서울시
- lookup: location
  examples: |
    - 대전
- lookup: currency
  examples: |
    - 원
- regex: zipcode
  examples: |
    - \\d{5}
responses:
  utter_greet:
  - text: 안녕하세요
"""

WEATHER = ["@weather", "{location} 날씨 어때", "{date} {location}은/는 비 와?",
           "{location} 날씨 \\(맑음?\\) 알려줘"]
TRAIN = ["@train_ticket", "{location:origin}에서 {location:destination}(으)로 가는 기차 \\#KTX",
         "{location:origin}에서 {location:destination}(으)로 가는 표"]


def lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return fh.read().splitlines()


@pytest.fixture
def rasa_yaml(tmp_path) -> str:
    path = tmp_path / "nlu.yml"
    path.write_text(YAML, encoding="utf-8")
    return str(path)


def test_should_turn_entities_into_slots_with_particle_pairs(rasa_yaml: str, tmp_path) -> None:
    out = tmp_path / "bot"
    result = write_project(read_rasa([rasa_yaml]), out)
    assert lines(out / "patterns" / "weather.txt") == WEATHER
    assert lines(out / "patterns" / "train_ticket.txt") == TRAIN
    assert lines(out / "patterns" / "faq__hours.txt") == ["@faq__hours", "영업시간이 어떻게 돼요"]
    assert lines(out / "dicts" / "location.csv") == [
        "entity,value,synonyms", "location,서울,서울시", "location,부산,", "location,제주,제주도",
        "location,대구,", "location,광주,", "location,대전,"]
    assert lines(out / "dicts" / "date.csv") == ["entity,value,synonyms", "date,내일,"]
    assert result.intents == {"weather": 3, "train_ticket": 2, "faq__hours": 1}
    notes = "\n".join(result.notes)
    for needle in ("no rule or story answers it", "group 'g1'", "faq/hours", "regex 'zipcode'", "lookup table 'currency'"):
        assert needle in notes
    assert "lookup table 'currency'" in (out / "IMPORT.md").read_text(encoding="utf-8")


def test_should_generate_the_right_particle_for_every_value_after_import(rasa_yaml: str, tmp_path) -> None:
    write_project(read_rasa([rasa_yaml]), tmp_path / "bot")
    nlukit.generate(str(tmp_path / "bot" / "patterns"), str(tmp_path / "bot" / "dicts"),
                    str(tmp_path / "data"), per_intent=60, seed=13, progress=False)
    from nlukit.dataset import load_dataset
    ds = load_dataset(str(tmp_path / "data"))
    from nlukit.korean import choose_particle
    seen = set()
    for ex in ds.train + ds.valid + ds.test:
        if ex.intent != "train_ticket":
            continue
        dest = next(s for s in ex.entities if s.role == "destination")
        word = ex.text[dest.start:dest.end]
        assert ex.text[dest.end:].startswith(choose_particle(word, "(으)로") + " "), ex.text
        seen.add(choose_particle(word, "(으)로"))
    assert seen == {"로", "으로"}     # 서울로, 대구로 and 부산으로, 대전으로 all came out


def test_should_keep_examples_as_written_when_asked(rasa_yaml: str, tmp_path) -> None:
    write_project(read_rasa([rasa_yaml]), tmp_path / "bot", slots=False)
    assert lines(tmp_path / "bot" / "patterns" / "train_ticket.txt")[1] == (
        "[서울](location:origin)에서 [대구](location:destination)로 가는 기차 \\#KTX")
    assert lines(tmp_path / "bot" / "patterns" / "weather.txt")[3] == "[제주도](location) 날씨 \\(맑음?\\) 알려줘"


def test_should_read_rasa_json_and_markdown_as_the_yaml(tmp_path) -> None:
    text = "서울에서 대구로 가는 기차"
    doc = {"rasa_nlu_data": {
        "common_examples": [
            {"text": text, "intent": "train_ticket", "entities": [
                {"start": 0, "end": 2, "value": "서울", "entity": "location", "role": "origin"},
                {"start": 5, "end": 7, "value": "대구", "entity": "location", "role": "destination"}]},
            {"text": "서울시 날씨", "intent": "weather",
             "entities": [{"start": 0, "end": 3, "value": "서울", "entity": "location"}]}],
        "entity_synonyms": [{"value": "서울", "synonyms": ["서울특별시"]}],
        "lookup_tables": [{"name": "location", "elements": ["울산"]}]}}
    (tmp_path / "nlu.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "nlu.md").write_text(
        "## intent:train_ticket\n- [서울](location)에서 [대구](location)로 가는 기차 <!-- c -->\n"
        "## intent:weather\n- [서울시](location:서울) 날씨\n## synonym:서울\n- 서울특별시\n"
        "## lookup:location\n- 울산\n", encoding="utf-8")
    for name in ("nlu.json", "nlu.md"):
        out = tmp_path / name.replace(".", "_")
        write_project(read_rasa([tmp_path / name]), out)
        train = "{location:origin}에서 {location:destination}(으)로 가는 기차" if name.endswith("json") \
            else "{location}에서 {location}(으)로 가는 기차"
        assert lines(out / "patterns" / "train_ticket.txt") == ["@train_ticket", train], name
        assert lines(out / "dicts" / "location.csv") == [
            "entity,value,synonyms", "location,서울,서울시|서울특별시", "location,대구,", "location,울산,"], name


def test_should_take_a_one_syllable_particle_only_where_a_word_ends() -> None:
    text, mentions = parse_example("[서울](location)은행 [서울](location)은 [부산](location)이야", "t")
    assert text == "서울은행 서울은 부산이야"
    assert pattern_line(text, mentions) == "{location}은행 {location}은/는 {location}(이)야"


@pytest.mark.parametrize("content, needle", [
    ("nlu:\n- intent: a\n  examples: |\n    - x\n  bad: [\n", "nlu.yml:"),
    ('nlu:\n- intent: a\n  examples: |\n    - [서울]{"entity": location} 날씨\n', "not valid JSON"),
    ("nlu:\n- intent: a\n  examples: |\n    - [서울](도시 이름) 날씨\n", "is not a word"),
    ("nlu:\n- synonym: 서울\n  examples: |\n    - 서울시\n", "no intent examples"),
    ("- just a list\n", "not Rasa training data"),
])
def test_should_refuse_bad_rasa_data_naming_the_place(tmp_path, content: str, needle: str) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_rasa([path])
    assert needle in str(err.value)


def test_should_never_write_into_a_folder_that_holds_something(rasa_yaml: str, tmp_path) -> None:
    out = tmp_path / "bot"
    out.mkdir()
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        write_project(read_rasa([rasa_yaml]), out)
    assert os.listdir(out) == ["mine.txt"]
    assert [p for p in os.listdir(tmp_path) if p.startswith(".nlukit-import-")] == []


def test_should_import_from_the_command_line(rasa_yaml: str, tmp_path, capsys) -> None:
    assert main(["import", rasa_yaml, "-o", str(tmp_path / "bot")]) == 0
    printed = capsys.readouterr().out
    assert "weather (3 lines)" in printed and "location (6 values)" in printed
    assert "note: retrieval intent 'faq/hours'" in printed
    assert main(["import", str(tmp_path / "missing.yml"), "-o", str(tmp_path / "b2")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "b2").exists()


# -- a whole Rasa project: domain, rules and stories become scenarios -------------------------
RASA_PROJECT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "rasa")


def test_should_write_scenarios_from_the_forms_responses_and_rules(tmp_path) -> None:
    from nlukit.bot import load_scenarios
    result = write_project(read_rasa([RASA_PROJECT]), tmp_path / "bot")
    assert "scenarios.toml" in result.files
    sc = load_scenarios(str(tmp_path / "bot" / "scenarios.toml"),
                        intents=["greet", "book_train", "weather", "goodbye"], entity_types=["city"])
    train = sc.scenarios["book_train"]
    # Rasa's slots departure/arrival (city with roles from/to) are nlukit's {from}/{to}
    assert [(s.entity, s.role, s.prompt) for s in train.slots] == [
        ("city", "from", "어디에서 출발하세요?"), ("city", "to", "{from}에서 어디로 가세요?")]
    assert train.response == "{from}에서 {to}(으)로 가는 기차를 예매했어요."   # after active_loop: null
    assert sc.scenarios["weather"].response == "{city} 날씨는 맑아요."
    assert sc.scenarios["greet"].response == "안녕하세요! 기차 예매와 날씨를 도와드려요."
    assert sc.settings.fallback == ("죄송해요, 잘 모르겠어요.",) or list(sc.settings.fallback) == ["죄송해요, 잘 모르겠어요."]
    # a response naming what no slot fills is shown as written, and said so
    assert sc.scenarios["goodbye"].response == "안녕히 가세요, {{name}}님."
    assert any("{name}" in n for n in result.notes)


def test_should_say_which_intents_have_no_scenario_and_why(tmp_path) -> None:
    (tmp_path / "nlu.yml").write_text(
        "nlu:\n- intent: hello\n  examples: |\n    - 안녕\n- intent: order\n  examples: |\n    - 주문할게\n"
        "- intent: quiet\n  examples: |\n    - 조용\n", encoding="utf-8")
    (tmp_path / "domain.yml").write_text(
        "responses:\n  utter_hello:\n  - text: 안녕하세요\n"
        "forms:\n  order_form:\n    required_slots: [memo]\n"
        "slots:\n  memo:\n    type: text\n    mappings:\n    - type: from_text\n", encoding="utf-8")
    (tmp_path / "stories.yml").write_text(
        "stories:\n- story: s\n  steps:\n  - intent: hello\n  - action: utter_hello\n"
        "  - intent: order\n  - action: action_place_order\n", encoding="utf-8")
    result = write_project(read_rasa([tmp_path]), tmp_path / "bot")
    notes = "\n".join(result.notes)
    assert "'order' runs the custom action 'action_place_order'" in notes
    assert "intent 'quiet': no rule or story answers it" in notes
    text = (tmp_path / "bot" / "scenarios.toml").read_text(encoding="utf-8")
    assert 'intent = "hello"' in text and 'intent = "order"' not in text


@pytest.mark.slow
def test_should_make_a_working_bot_of_a_rasa_project(tmp_path) -> None:
    from nlukit.bot import Bot, load_scenarios
    # Given a small Rasa project imported, generated and trained the nlukit way
    root = tmp_path / "bot"
    assert main(["import", RASA_PROJECT, "-o", str(root)]) == 0
    nlukit.generate(str(root / "patterns"), str(root / "dicts"), str(root / "data"), per_intent=150,
                    seed=13, progress=False)
    nlukit.train(str(root / "data"), str(root / "model"), overrides=["train.include_test=true"],
                 progress=False)
    nlu = nlukit.load(str(root / "model"))
    bot = Bot(nlu, load_scenarios(str(root / "scenarios.toml"), nlu.intents, nlu.entity_types))
    # Then it books in one turn, with particles fitted to values the Rasa data never paired
    turn = bot.handle("a", "울산에서 인천으로 가는 기차 예매해줘")
    assert (turn.state, turn.reply) == ("complete", "울산에서 인천으로 가는 기차를 예매했어요.")
    # and asks for what is missing with the Rasa prompts
    assert bot.handle("b", "기차 예매해줘").reply == "어디에서 출발하세요?"
    assert bot.handle("b", "대구").reply == "대구에서 어디로 가세요?"
    last = bot.handle("b", "광주")
    assert (last.state, last.reply) == ("complete", "대구에서 광주로 가는 기차를 예매했어요.")
    assert bot.handle("c", "서울특별시 날씨 어때").reply == "서울 날씨는 맑아요."
