"""Kochat data becomes an nlukit project (``nlukit import``), as Rasa data does.

Given Kochat's per-intent CSVs (question,label with BIOES or BIO word tags), when they are
imported, then each file is an intent whose tagged words are slots without their particles
or punctuation, the values go to dictionaries by lower-cased type, out-of-distribution
files are left out and said so, and labelling mistakes are refused at file:line.
"""
from __future__ import annotations

import pytest

from nlukit.cli import main
from nlukit.errors import InputError
from nlukit.generate.kochat import read_kochat
from nlukit.generate.rasa import write_project

WEATHER = """question,label
날씨 알려주세요,O O
월요일 인제 비오니,S-DATE S-LOCATION O
군산 날씨 추울까 정말,S-LOCATION O O O
강원도 춘천 가는데 오늘 날씨 알려줘,B-LOCATION E-LOCATION O S-DATE O O
전북 군산 가는데 화요일 날씨 알려줄래,B-LOCATION I-LOCATION O B-DATE O O
서울에서 비 와?,S-LOCATION O O
군산은 맑아?,S-LOCATION O
부산은 맑아?,S-LOCATION O
"인제, 오늘 날씨",S-LOCATION S-DATE O
"""


def lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def kochat(tmp_path):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "weather.csv").write_text(WEATHER, encoding="utf-8")
    (raw / "travel.csv").write_text("question,label\n파주 유명한 공연장 알려줘,S-LOCATION O S-PLACE O\n",
                                    encoding="cp949")          # saved by Excel on a Korean Windows
    ood = tmp_path / "data" / "ood"
    ood.mkdir()
    (ood / "ood_data.csv").write_text("question,label\n최근 이슈 알려줘,OOD\n명언 해줘,OOD\n", encoding="utf-8")
    return tmp_path / "data"


def test_should_turn_kochat_files_into_intents_with_slots(kochat, tmp_path, capsys) -> None:
    assert main(["import", str(kochat), "-o", str(tmp_path / "bot")]) == 0
    out = capsys.readouterr().out
    assert "weather (9 lines)" in out and "travel (1 line)" in out
    assert "ood_data.csv: out-of-distribution data (2 questions) is not used" in out
    assert lines(tmp_path / "bot" / "patterns" / "weather.txt") == [
        "@weather", "날씨 알려주세요", "{date} {location} 비오니", "{location} 날씨 추울까 정말",
        "{location} 가는데 {date} 날씨 알려줘",     # B-/E- and B-/I- words are one value
        "{location} 가는데 {date} 날씨 알려줄래",
        "{location}에서 비 와?",                    # a two-syllable particle is always cut off
        "{location}은/는 맑아?",                    # 군산 is tagged alone elsewhere: 은 is a particle
        "{location} 맑아?",                         # 부산은: no evidence, the word stays the value
        "{location}, {date} 날씨"]                  # punctuation is no part of a value
    assert lines(tmp_path / "bot" / "dicts" / "location.csv") == [
        "entity,value,synonyms", "location,파주,", "location,인제,", "location,군산,", "location,강원도 춘천,",
        "location,전북 군산,",
        "location,서울,", "location,부산은,"]
    assert lines(tmp_path / "bot" / "patterns" / "travel.txt") == ["@travel", "{location} 유명한 {place} 알려줘"]


@pytest.mark.parametrize("content, needle", [
    ("question,label\n전주 눈 올까,S-LOCATION O O O\n", "weather.csv:2: 3 words but 4 labels"),
    ("question,label\n전주 눈 올까,S-123 O O\n", "weather.csv:2: tag 'S-123'"),
    ("question,label\n전주,눈,올까,S-LOCATION\n", "weather.csv:2: 4 columns"),
    ("question,label\n", "no Kochat questions"),
])
def test_should_refuse_labelling_mistakes_at_file_and_line(tmp_path, content: str, needle: str) -> None:
    path = tmp_path / "weather.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_kochat([str(path)])
    assert needle in str(err.value)


def test_should_read_a_utf16_file_and_refuse_one_in_no_known_encoding_naming_the_line(tmp_path, capsys) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "weather.csv").write_text(WEATHER, encoding="utf-16")   # Excel's "Unicode text"
    assert main(["import", str(raw), "-o", str(tmp_path / "bot")]) == 0
    assert lines(tmp_path / "bot" / "patterns" / "weather.txt")[:2] == ["@weather", "날씨 알려주세요"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"question,label\nhello,O\n\xff\xff\xff,O\n")
    with pytest.raises(InputError, match=r"bad.csv:3: neither UTF-8 nor cp949/euc-kr .*save the file as UTF-8"):
        read_kochat([str(bad)])
    assert main(["import", str(bad), "-o", str(tmp_path / "bot2")]) == 1
    assert "neither UTF-8 nor cp949" in capsys.readouterr().err


def test_should_name_the_intent_after_the_file_and_refuse_a_name_that_is_no_word(tmp_path) -> None:
    path = tmp_path / "1 weather.csv"
    path.write_text("question,label\n날씨,O\n", encoding="utf-8")
    with pytest.raises(InputError, match="rename the file"):
        read_kochat([str(path)])
    ok = tmp_path / "날씨.csv"
    ok.write_text("question,label\n날씨 알려줘,O O\n", encoding="utf-8")
    result = write_project(read_kochat([str(ok)]), tmp_path / "bot")
    assert result.intents == {"날씨": 1}


def test_should_keep_a_place_name_ending_in_do_whole(tmp_path) -> None:
    # modelled on Kochat's travel and dust data: 제주 and 울릉 are tagged alone elsewhere, yet
    # 제주도 and 울릉도 are names (island, province), not 제주 + the particle 도 ("also")
    path = tmp_path / "travel.csv"
    path.write_text("question,label\n아하 제주 맑니,O S-LOCATION O\n울릉 여행 가는데 회 알려줘,S-LOCATION O O O O\n"
                    "제주도 템플스테이 여행 갈 데 추천해 줘,S-LOCATION S-PLACE O O O O O\n"
                    "울릉도 금요일 마스크 챙길까,S-LOCATION S-DATE O O\n부산은 맑아?,S-LOCATION O\n"
                    "부산 덥니,S-LOCATION O\n", encoding="utf-8")
    texts = [(t, [m.value for m in ms]) for t, ms in read_kochat([str(path)]).intents["travel"]]
    assert ("제주도 템플스테이 여행 갈 데 추천해 줘", ["제주도", "템플스테이"]) in texts
    assert ("울릉도 금요일 마스크 챙길까", ["울릉도", "금요일"]) in texts
    assert ("부산은 맑아?", ["부산"]) in texts          # 은 is still cut with evidence


def test_should_join_neighbouring_words_tagged_one_by_one_into_one_value(tmp_path) -> None:
    # modelled on an older Kochat 날씨.csv: 이번 주 and 1월 1일 are tagged S-DATE S-DATE
    path = tmp_path / "날씨.csv"
    path.write_text("question,label\n이번 주 영등포 날씨 줘,S-DATE S-DATE S-LOCATION O O\n"
                    "1월 1일 비 오나요,S-DATE S-DATE O O\n완주 모레 동대구 날씨,S-LOCATION S-DATE S-LOCATION O\n",
                    encoding="utf-8")
    data = read_kochat([str(path)])
    assert [[(m.entity, m.value) for m in ms] for _, ms in data.intents["날씨"]] == [
        [("date", "이번 주"), ("location", "영등포")], [("date", "1월 1일")],
        [("location", "완주"), ("date", "모레"), ("location", "동대구")]]
    assert any("2 questions tag neighbouring words of one type separately" in n for n in data.notes)


def test_should_keep_two_values_side_by_side_apart_when_each_stands_alone_elsewhere(tmp_path) -> None:
    path = tmp_path / "train.csv"
    path.write_text("question,label\n서울 부산 기차표,S-LOCATION S-LOCATION O\n서울 출발,S-LOCATION O\n"
                    "부산 도착,S-LOCATION O\n", encoding="utf-8")
    text, mentions = read_kochat([str(path)]).intents["train"][0]
    assert [(m.value, m.start, m.end) for m in mentions] == [("서울", 0, 2), ("부산", 3, 5)]


def test_should_import_kochat_files_next_to_rasa_data_as_one_project(kochat, tmp_path) -> None:
    (kochat / "nlu.yml").write_text("nlu:\n- intent: weather\n  examples: |\n    - [부산](location) 날씨\n"
                                    "- intent: greet\n  examples: |\n    - 안녕\n", encoding="utf-8")
    assert main(["import", str(kochat), "-o", str(tmp_path / "bot")]) == 0
    weather = lines(tmp_path / "bot" / "patterns" / "weather.txt")
    assert weather[0] == "@weather" and len(weather) == 11          # 1 Rasa example + 9 Kochat questions
    assert lines(tmp_path / "bot" / "patterns" / "greet.txt") == ["@greet", "안녕"]
    assert "location,부산," in lines(tmp_path / "bot" / "dicts" / "location.csv")


def test_should_say_that_a_title_turns_on_clarifying_when_scenarios_are_written(kochat, tmp_path) -> None:
    # Kochat data holds no responses: no scenario file, so IMPORT.md says what a title does
    assert main(["import", str(kochat), "-o", str(tmp_path / "bot")]) == 0
    assert not (tmp_path / "bot" / "scenarios.toml").exists()
    report = (tmp_path / "bot" / "IMPORT.md").read_text(encoding="utf-8")
    assert "## Clarifying questions" in report and "No scenarios.toml was written. When you write one" in report
    assert "title = \"기차 예매\"" in report
