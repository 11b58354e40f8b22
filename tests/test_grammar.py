"""The pattern grammar: every construct, and every error located at file:line:column."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from nlukit.errors import InputError, PatternError
from nlukit.generate.dictionary import Dictionary
from nlukit.generate.grammar import Alt, Fixed, Slot, count_expansions, expand, load_patterns, parse_patterns

D = Dictionary.from_json({
    "location": {"서울": ["서울시"], "부산": [], "제주": []},
    "date": {"오늘": [], "내일": []},
    "food": {"김밥": [], "피자": []},
})


def sentences(text: str, intent: str = "t", index: int = 0) -> list[str]:
    p = parse_patterns(text, "p.txt", dictionary=D)
    return [s for s, _ in expand(p.intents[intent][index], D)]


def test_should_fill_slots_with_every_value_and_synonym() -> None:
    assert sentences("@t\n{location} 날씨") == ["서울 날씨", "서울시 날씨", "부산 날씨", "제주 날씨"]


def test_should_label_roles_and_spans_exactly() -> None:
    p = parse_patterns("@t\n{location:origin}에서 {location:destination}까지", "p.txt", dictionary=D)
    t = p.intents["t"][0]
    assert t.seq[0] == Slot("location", "origin") and t.seq[2] == Slot("location", "destination")
    text, spans = next(e for e in expand(t, D) if e[0].startswith("서울시에서 부산"))
    assert text == "서울시에서 부산까지"
    assert [(s.start, s.end, s.entity, s.role, s.value) for s in spans] == [
        (0, 3, "location", "origin", "서울"), (6, 8, "location", "destination", "부산")]


def test_should_expand_nested_alternations_with_empty_option_and_single_spaces() -> None:
    assert sentences("@t\n(오늘 (날씨|기온)|) 알려(줘|)") == [
        "오늘 날씨 알려줘", "오늘 날씨 알려", "오늘 기온 알려줘", "오늘 기온 알려", "알려줘", "알려"]
    assert sentences("@t\n{food} (좀 |) (주문|)  해줘")[:3] == ["김밥 좀 주문 해줘", "김밥 좀 해줘", "김밥 주문 해줘"]


@pytest.mark.parametrize("pattern, expected", [
    ("{location}은/는 맑음", ["서울은 맑음", "서울시는 맑음", "부산은 맑음", "제주는 맑음"]),
    ("{location}(으)로 가자", ["서울로 가자", "서울시로 가자", "부산으로 가자", "제주로 가자"]),
    ("{food}(이)랑 콜라", ["김밥이랑 콜라", "피자랑 콜라"]),
    ("{food}을/를 주문", ["김밥을 주문", "피자를 주문"]),
    ("{food}를/을 주문", ["김밥을 주문", "피자를 주문"]),
    ("{food}이/가 좋아", ["김밥이 좋아", "피자가 좋아"]),
    ("{food}과/와 {food}", ["김밥과 김밥", "김밥과 피자", "피자와 김밥", "피자와 피자"]),
    ("{food}(이)에요", ["김밥이에요", "피자예요"]),
    ("[부산](location)(으)로 가자", ["부산으로 가자"]),
])
def test_should_choose_particle_forms_for_each_filled_value(pattern: str, expected: list[str]) -> None:
    assert sentences("@t\n" + pattern) == expected


def test_should_treat_escapes_as_literal_text() -> None:
    got = sentences(r"@t" "\n" r"\{x\} \(a\|b\) \@home \#1 \[x\] c:\\dir {date}")
    assert got == [r"{x} (a|b) @home #1 [x] c:\dir 오늘", r"{x} (a|b) @home #1 [x] c:\dir 내일"]


def test_should_canonicalise_annotated_examples_through_the_dictionary() -> None:
    p = parse_patterns("@t\n[서울시](location:destination) 가는 [김밥천국](food) # logged\n", "p.txt", dictionary=D)
    t = p.intents["t"][0]
    assert t.seq[0] == Fixed("서울시", "location", "destination", "서울")
    assert t.seq[2] == Fixed("김밥천국", "food", None, "김밥천국")  # unknown value kept as typed
    [(text, spans)] = list(expand(t, D))
    assert text == "서울시 가는 김밥천국"
    assert [(s.start, s.end, s.value, s.role) for s in spans] == [(0, 3, "서울", "destination"), (7, 11, "김밥천국", None)]


def test_should_merge_repeated_headers_ignore_comments_and_number_templates() -> None:
    p = parse_patterns("# head\n@a\nx # trailing\n\n@b\ny\n@a\n  z  \n# end\n", "p.txt")
    assert list(p.intents) == ["a", "b"]
    assert [(t.id, t.seq, t.line) for t in p.intents["a"]] == [("a#0", ("x",), 3), ("a#1", ("z",), 8)]


def test_should_warn_once_for_duplicate_patterns() -> None:
    p = parse_patterns("@a\n안녕\n안녕\n", "p.txt")
    assert len(p.intents["a"]) == 1
    assert p.warnings == ["p.txt:3: duplicate pattern in @a (same as p.txt:2); it is kept once"]


def test_should_read_every_txt_of_a_folder_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("@x\n둘\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("@x\n하나\n@y\n셋\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("@z\nignored\n", encoding="utf-8")
    p = load_patterns(tmp_path)
    assert [t.source for t in p.intents["x"]] == ["하나", "둘"] and list(p.intents) == ["x", "y"]
    assert [os.path.basename(f) for f in p.files] == ["a.txt", "b.txt"]


def test_should_count_expansions_without_materialising() -> None:
    p = parse_patterns("@t\n{location} {date} (a|b|(c|d)) {food}\n", "p.txt", dictionary=D)
    assert count_expansions(p.intents["t"][0].seq, D.to_json()) == 4 * 2 * 4 * 2
    assert isinstance(p.intents["t"][0].seq[4], Alt)


@pytest.mark.parametrize("line, column, message", [
    ("{locaton} 날씨", 1, "unknown entity type 'locaton' (known: date, food, location)"),
    ("날씨 [서울](locaton)", 9, "unknown entity type 'locaton' (known: date, food, location)"),
    ("(오늘|내일 날씨", 1, "unclosed '(': an alternation is written (a|b|c)"),
    ("오늘) 날씨", 3, "unmatched ')'"),
    ("오늘 | 날씨", 4, "'|' outside parentheses"),
    ("{location 날씨", 1, "unclosed '{'"),
    ("날씨 {}", 4, "empty slot '{}'"),
    ("날씨 { : }", 4, "bad entity type name ''"),
    ("{location:} 날씨", 1, "bad role name ''"),
    ("날씨 location}", 12, "unmatched '}'"),
    ("날씨] 어때", 3, "unmatched ']'"),
    ("[서울 날씨", 1, "unclosed '['"),
    ("[서울] 날씨", 5, "expected '(entity)' right after ']'"),
    ("[](location) 날씨", 1, "empty annotated text '[]'"),
    ("날씨 () 어때", 4, "empty alternation '()'"),
    (r"날씨 \n 어때", 4, r"bad escape '\n'"),
    ("날씨 어때\\", 6, "bad escape '\\' at the end of the line"),
    ("메일 a@b.c", 5, "'@' inside a pattern"),
    ("(a|[서울](location) 날씨", 1, "unclosed '('"),
])
def test_should_locate_each_error_at_file_line_column(line: str, column: int, message: str) -> None:
    text = f"# comment\n@weather\n{line}\n"
    with pytest.raises(PatternError) as info:
        parse_patterns(text, "patterns/weather.txt", dictionary=D)
    err = info.value
    assert (err.path, err.line, err.column) == ("patterns/weather.txt", 3, column)
    assert str(err).startswith(f"patterns/weather.txt:3:{column}: {message}")
    assert err.text == line and repr(line) in str(err)


@pytest.mark.parametrize("text, line, column, message", [
    ("서울 날씨\n@weather\n", 1, 1, "pattern before any @intent header"),
    ("@weather\n날씨\n@empty\n# nothing\n", 3, 1, "intent @empty has no patterns"),
    ("@날씨 예보\n날씨\n", 1, 2, "bad intent name '날씨 예보'"),
    ("\n  @weather\n  {location} 날씨\n  {lo} 날씨", 4, 3, "unknown entity type 'lo'"),
])
def test_should_locate_structural_errors(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(PatternError, match=rf"^p\.txt:{line}:{column}: {message}"):
        parse_patterns(text, "p.txt", dictionary=D)


def test_should_accept_any_slot_type_when_no_dictionary_is_given_and_reject_missing_paths(
        tmp_path: Path) -> None:
    p = parse_patterns("@t\n{anything:role} x\n", "p.txt")
    assert p.entity_types() == {"anything"}
    with pytest.raises(InputError, match="missing.txt does not exist"):
        load_patterns(tmp_path / "missing.txt")
    with pytest.raises(InputError, match=r"holds no \*.txt file"):
        load_patterns(tmp_path)
    (tmp_path / "c.txt").write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(PatternError, match=r"c.txt:1:1: no @intent found"):
        load_patterns(tmp_path)


def test_should_warn_when_an_alternation_imitates_a_particle_pair() -> None:
    p = parse_patterns("@t\n{food}(을|를) 주문\n{food}(좀|) 주문\n", "p.txt", dictionary=D)
    assert p.warnings == ["p.txt:2:7: (을|를) after a slot picks either form at random; write 을/를 to "
                          "choose the form that fits the value"]


def test_should_only_ever_raise_pattern_error_on_arbitrary_lines() -> None:
    import random
    rng = random.Random(7)
    alphabet = list("{}()|[]@#\\:/ ") + ["서울", "(으)로", "은/는", "{food}", "{location:o}", "(이)랑", "\t", "x"]
    parsed = failed = 0
    for _ in range(3000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        try:
            p = parse_patterns(f"@t\n{line}\n", "p.txt", dictionary=D)
        except PatternError as exc:
            assert (exc.line, exc.column) == (1, 1) or (exc.line == 2 and 1 <= exc.column <= len(line) + 1), line
            failed += 1
            continue
        parsed += 1
        for t in p.intents.get("t", []):
            if count_expansions(t.seq, D.to_json()) <= 200:
                for text, spans in expand(t, D):
                    assert "  " not in text and text == text.strip()
                    assert not any(pair in text for pair in ("은/는", "(으)로", "(이)랑")), (line, text)
                    assert all(D.canonical(s.entity, text[s.start:s.end]) == s.value for s in spans)
    assert parsed > 100 and failed > 100


def test_should_read_a_cp949_pattern_file_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_bytes("@날씨\n{location} 날씨 어때\n".encode("cp949"))
    p = load_patterns(tmp_path / "p.txt", dictionary=D)
    assert [t.source for t in p.intents["날씨"]] == ["{location} 날씨 어때"]
    assert "read as cp949" in p.warnings[0]


def test_should_warn_about_a_pattern_written_under_two_intents(tmp_path: Path) -> None:
    # Given the same pattern under two intents, in two files (a copy-paste slip)
    (tmp_path / "a.txt").write_text("@weather\n{location} 날씨\n날씨 알려줘\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("@greet\n안녕\n날씨  알려줘 # pasted\n", encoding="utf-8")
    p = load_patterns(tmp_path, dictionary=D)
    # Then it is named with both places (its sentences were silently shared between the two)
    assert p.warnings == [f"{tmp_path / 'b.txt'}:3: the same pattern as {tmp_path / 'a.txt'}:3 of @weather, "
                          "here in @greet: a sentence keeps one intent, so the two share its sentences; "
                          "keep the pattern in one intent"]


def test_should_warn_that_full_width_braces_are_no_slot() -> None:
    # a Korean IME left in full-width mode: the sentence was generated with ｛location｝ in it
    p = parse_patterns("@w\n날씨 ｛location｝ 어때\n{location} 날씨\n", "p.txt", dictionary=D)
    assert p.warnings == ["p.txt:2:4: full-width braces '｛｝' are plain text, not a slot; write a slot "
                          "with ASCII braces, e.g. {location}"]


def test_should_warn_about_two_intents_that_differ_only_in_case(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("@weather\n{location} 날씨\n@Weather\n날씨 어때\n", encoding="utf-8")
    p = load_patterns(tmp_path / "p.txt", dictionary=D)
    assert p.warnings == [f"{tmp_path / 'p.txt'}:4: intent @Weather differs from @weather only in case; "
                          "they are two intents — write one name if they are one"]


def test_should_read_a_folder_of_txt_files_in_any_case_and_skip_side_files(tmp_path: Path) -> None:
    (tmp_path / "WEATHER.TXT").write_text("@weather\n{location} 날씨\n", encoding="utf-8")
    (tmp_path / "greet.txt").write_text("@greet\n안녕\n", encoding="utf-8")
    (tmp_path / "._greet.txt").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X\xff\xfe")
    (tmp_path / "~$greet.txt").write_bytes(b"\x0bsomeone  \x00\x00\xc8\xb2")
    p = load_patterns(tmp_path, dictionary=D)
    assert sorted(p.intents) == ["greet", "weather"] and [os.path.basename(f) for f in p.files] == [
        "WEATHER.TXT", "greet.txt"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_should_read_a_utf16_pattern_file_saved_as_notepad_unicode_with_a_warning(tmp_path: Path,
                                                                                   encoding: str) -> None:
    # Notepad's "Unicode" is UTF-16 with a byte-order mark (written here by hand for big-endian)
    bom = b"\xfe\xff" if encoding == "utf-16-be" else b""
    (tmp_path / "p.txt").write_bytes(bom + "@날씨\r\n{location} 날씨 어때\r\n".encode(encoding))
    p = load_patterns(tmp_path / "p.txt", dictionary=D)
    assert [t.source for t in p.intents["날씨"]] == ["{location} 날씨 어때"]
    assert p.warnings == [f"{tmp_path / 'p.txt'}: read as UTF-16; save pattern files as UTF-8"]


def test_should_digest_patterns_by_content_not_by_file_layout(tmp_path: Path) -> None:
    a = parse_patterns("@w\n{location} 날씨\n@g\n안녕\n", "a.txt")
    b = parse_patterns("# another file\n@w\n  {location} 날씨  \n\n@g\n안녕\n", "b.txt")
    c = parse_patterns("@w\n{location} 날씨 어때\n@g\n안녕\n", "a.txt")
    assert a.digest() == b.digest() != c.digest()


@pytest.mark.parametrize("pattern, expected", [
    ("{location}(은/는|) 좋아", ["서울은 좋아", "서울 좋아", "서울시는 좋아", "서울시 좋아", "부산은 좋아",
                                "부산 좋아", "제주는 좋아", "제주 좋아"]),
    ("{food}(을/를|(이)랑) 줘", ["김밥을 줘", "김밥이랑 줘", "피자를 줘", "피자랑 줘"]),
    ("{food}((이)나 | 한 그릇)", ["김밥이나", "김밥 한 그릇", "피자나", "피자 한 그릇"]),
    ("(서울|부산)은/는 좋아", ["서울은 좋아", "부산은 좋아"]),
    ("(서울|파리)(으)로 가자", ["서울로 가자", "파리로 가자"]),
    ("(김밥|피자 (한 |)판)을/를 줘", ["김밥을 줘", "피자 한 판을 줘", "피자 판을 줘"]),
    ("날씨 (부산|서울)(이)랑 비교", ["날씨 부산이랑 비교", "날씨 서울이랑 비교"]),
    ("오늘 서울은/는 어때", ["오늘 서울은 어때"]),
])
def test_should_resolve_particle_pairs_in_alternations_and_after_chosen_words(
        pattern: str, expected: list[str]) -> None:
    p = parse_patterns("@t\n" + pattern, "p.txt", dictionary=D)
    t = p.intents["t"][0]
    got = [s for s, _ in expand(t, D)]
    assert got == expected
    assert count_expansions(t.seq, D.to_json()) == len(expected)


def test_should_keep_entity_spans_off_the_particle_chosen_in_an_alternation() -> None:
    p = parse_patterns("@t\n{location}(은/는|) 좋아", "p.txt", dictionary=D)
    got = {text: [(s.start, s.end, s.value) for s in spans] for text, spans in expand(p.intents["t"][0], D)}
    assert got["서울시는 좋아"] == [(0, 3, "서울")] and got["제주 좋아"] == [(0, 2, "제주")]


@pytest.mark.parametrize("line, column, message", [
    ("{location} 은/는 좋아", 12, "particle pair '은/는' is separated by a space from the word before it; "
                                 "attach it"),
    ("{location} (은/는|) 좋아", 13, "particle pair '은/는' is separated by a space"),
    ("은/는 좋아", 1, "particle pair '은/는' has no word before it"),
    ("(으)로 가자", 1, "particle pair '(으)로' has no word before it"),
    ("({location}|)(으)로 가자", 14, "particle pair '(으)로' has no word before it"),
    ("/(이)랑 비교", 2, "particle pair '(이)랑' has no word before it"),
    ("東京은/는 좋아", 3, "particle pair '은/는' follows a word with no Korean reading"),
    ("(서울 |부산)(이)랑 비교", 9, "particle pair '(이)랑' is separated by a space"),
])
def test_should_locate_particle_pairs_that_cannot_be_resolved(line: str, column: int, message: str) -> None:
    with pytest.raises(PatternError) as info:
        parse_patterns(f"@weather\n{line}\n", "patterns/weather.txt", dictionary=D)
    err = info.value
    assert (err.line, err.column) == (2, column)
    assert str(err).startswith(f"patterns/weather.txt:2:{column}: {message}")


def _documented_optional_particles() -> list[tuple[str, str]]:
    """The lines of docs/patterns.md's example of an optional particle, with their comments."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "patterns.md").read_text(encoding="utf-8")
    block = doc.split("To make the particle optional", 1)[1].split("```", 2)[1]
    return [(line.split("#")[0].strip(), line.split("#", 1)[1].strip())
            for line in block.splitlines() if "#" in line]


@pytest.mark.parametrize("pattern, comment", _documented_optional_particles())
def test_docs_optional_particle_examples_say_what_the_generator_does(pattern: str, comment: str) -> None:
    # the guide called {location}(은/는|) wrong ("copied as text"), while the generator resolves it
    if comment.startswith("an error"):
        with pytest.raises(PatternError, match="separated by a space"):
            parse_patterns("@t\n" + pattern, "p.txt", dictionary=D)
        return
    got = [s for s, _ in expand(parse_patterns("@t\n" + pattern, "p.txt", dictionary=D).intents["t"][0], D)]
    assert not any("은/는" in s for s in got), (pattern, comment)
    said = [s.strip() for s in comment.split(":")[-1].split("/")]
    assert said and all(s in got for s in said), (pattern, said, got[:4])
