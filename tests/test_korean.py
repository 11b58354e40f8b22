"""Particle choice: the form must fit how the preceding word is read aloud."""
from __future__ import annotations

import pytest

from nlukit.errors import InputError, NlukitError
from nlukit.korean import (
    attach,
    choose_particle,
    ends_with_rieul,
    has_batchim,
    is_particle_pair,
    match_particle,
    render,
    slot_names,
)


@pytest.mark.parametrize("word, pair, expected", [
    # vowel-final
    ("파리", "은/는", "는"), ("파리", "이/가", "가"), ("파리", "을/를", "를"), ("파리", "과/와", "와"),
    ("파리", "와/과", "와"), ("철수", "아/야", "야"), ("파리", "(으)로", "로"), ("파리", "(이)랑", "랑"),
    ("파리", "(이)나", "나"), ("파리", "(이)라고", "라고"), ("파리", "(이)여", "여"), ("파리", "(이)며", "며"),
    ("파리", "(이)에요", "예요"), ("파리", "이에요/예요", "예요"),
    # consonant-final (not ㄹ)
    ("부산", "은/는", "은"), ("부산", "이/가", "이"), ("부산", "을/를", "을"), ("부산", "과/와", "과"),
    ("부산", "와/과", "과"), ("영민", "아/야", "아"), ("부산", "(으)로", "으로"), ("부산", "(이)랑", "이랑"),
    ("부산", "(이)나", "이나"), ("부산", "(이)라고", "이라고"), ("부산", "(이)에요", "이에요"),
    ("부산", "(으)로부터", "으로부터"),
    # ㄹ-final: batchim forms, except (으)로 takes 로
    ("서울", "은/는", "은"), ("서울", "이/가", "이"), ("서울", "(으)로", "로"), ("서울", "(으)로서", "로서"),
    ("서울", "(이)랑", "이랑"), ("닭", "(으)로", "으로"),
    # either order
    ("서울", "는/은", "은"), ("파리", "가/이", "가"), ("파리", "를/을", "를"),
    # digits read in Korean: 영 일 이 삼 사 오 육 칠 팔 구
    ("0", "이/가", "이"), ("1", "이/가", "이"), ("1", "(으)로", "로"), ("2", "이/가", "가"),
    ("3", "을/를", "을"), ("3", "(으)로", "으로"), ("4", "은/는", "는"), ("5", "은/는", "는"),
    ("6", "(으)로", "으로"), ("7", "(으)로", "로"), ("8", "(으)로", "로"), ("9", "이/가", "가"),
    # multi-digit numbers by their last spoken unit: 십 백 천 만 억
    ("10", "(으)로", "으로"), ("10", "이/가", "이"), ("100", "을/를", "을"), ("1000", "은/는", "은"),
    ("1,000", "은/는", "은"), ("10000", "(으)로", "으로"), ("12", "이/가", "가"), ("21", "(으)로", "로"),
    ("100000000", "이/가", "이"), ("3.5", "이/가", "가"), ("2호선", "(으)로", "으로"), ("7시", "에/에", None),
    # Latin letters and acronyms by the last letter's Korean name
    ("KTX", "을/를", "를"), ("SRT", "(으)로", "로"), ("LG", "이/가", "가"), ("BTS", "와/과", "와"),
    ("KAL", "(으)로", "로"), ("KAL", "이/가", "이"), ("CNN", "은/는", "은"), ("IBM", "이/가", "이"),
    ("CAR", "(으)로", "로"), ("A", "은/는", "는"), ("M", "을/를", "을"),
    # English words by their usual transcription
    ("Google", "을/를", "을"), ("Google", "(으)로", "로"), ("iPhone", "이/가", "이"), ("Melon", "(으)로", "으로"),
    ("YouTube", "(으)로", "로"), ("Samsung", "이/가", "이"),
    # units and symbols after a number, by their Korean reading
    ("30%", "이/가", "가"), ("5kg", "이/가", "이"), ("10km", "(으)로", "로"), ("25℃", "은/는", "는"),
    ("3g", "을/를", "을"), ("90min", "(으)로", "으로"), ("%", "이/가", "이(가)"),
    # punctuation, closing brackets and spaces are skipped
    ("서울(강남)", "이/가", "이"), ("파리!", "은/는", "는"), ("「부산」", "(으)로", "으로"), ("서울 ", "(으)로", "로"),
    # full-width digits and bare jamo
    ("３", "이/가", "이"), ("ㅋㅋ", "이/가", "이"),
])
def test_should_choose_particle_by_spoken_final_sound(word: str, pair: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InputError, match="unknown particle pair"):
            choose_particle(word, pair)
        return
    assert choose_particle(word, pair) == expected


def test_should_fall_back_to_neutral_written_form_when_unreadable() -> None:
    assert choose_particle("東京", "을/를") == "을(를)"
    assert choose_particle("東京", "(으)로") == "(으)로"
    assert choose_particle("", "이/가") == "이(가)"
    assert not has_batchim("🙂")


def test_should_report_batchim_and_rieul() -> None:
    assert has_batchim("서울") and ends_with_rieul("서울")
    assert has_batchim("부산") and not ends_with_rieul("부산")
    assert not has_batchim("파리") and not ends_with_rieul("파리")
    assert ends_with_rieul("L") and ends_with_rieul("R") and ends_with_rieul("1")


def test_should_reject_unknown_pair_with_known_list_under_nlukit_error() -> None:
    with pytest.raises(NlukitError, match=r"unknown particle pair '께/에게'.*은/는"):
        choose_particle("서울", "께/에게")
    with pytest.raises(InputError, match="expected a str"):
        has_batchim(3)  # type: ignore[arg-type]


def test_should_match_pairs_longest_first_and_recognise_them() -> None:
    assert match_particle("이에요/예요.") == "이에요/예요"
    assert match_particle("(으)로부터 출발") == "(으)로부터"
    assert match_particle("로 가") is None
    assert is_particle_pair("와/과") and not is_particle_pair("에서")
    assert attach("부산", "(으)로") == "부산으로"


def test_should_render_response_templates_with_fitting_particles() -> None:
    t = "{origin}에서 {destination}(으)로 가는 기차를 {date}에 예매할게요. {origin}은/는 출발지예요."
    assert render(t, {"origin": "서울", "destination": "부산", "date": "내일"}) == \
        "서울에서 부산으로 가는 기차를 내일에 예매할게요. 서울은 출발지예요."
    assert render(t, {"origin": "대전", "destination": "광주", "date": "모레"}).startswith(
        "대전에서 광주로 가는")
    assert render("{x}(으)로 가요, 아니면 (으)로", {"x": "KTX"}) == "KTX로 가요, 아니면 (으)로"
    with pytest.raises(InputError, match=r"slot \{destination\}.*given: origin"):
        render("{origin}에서 {destination}(으)로", {"origin": "서울"})


@pytest.mark.parametrize("template, values, expected", [
    # a closing quote or bracket may stand between the slot and its particle
    ("'{x}'은/는 몰라요", {"x": "대전"}, "'대전'은 몰라요"),
    ("「{x}」을/를 틀게요", {"x": "봄날"}, "「봄날」을 틀게요"),
    ("({x})(으)로", {"x": "광주"}, "(광주)로"),
    ("'{x}' 은/는", {"x": "대전"}, "'대전' 은/는"),  # not right after the slot: left alone
    # {{ and }} are literal braces, never slots
    ("{x}은/는 {{x}}", {"x": "7시"}, "7시는 {x}"),
    ("}}{{", {}, "}{"),
    # an empty value drops its particle and closes the space it would leave doubled or at an end
    ("{a} {b} {c}에서", {"a": "내일", "b": "", "c": "서울"}, "내일 서울에서"),
    ("{a}을/를 틀게요", {"a": ""}, "틀게요"),
    ("틀게요 {a}", {"a": ""}, "틀게요"),
    ("{a} {b}", {"a": "", "b": ""}, ""),
    ("{a}, 좋아요", {"a": ""}, ", 좋아요"),
    # other spaces are the template's
    ("  {a}  가요 ", {"a": "서울"}, "  서울  가요 "),
])
def test_should_fit_particles_after_quotes_keep_escaped_braces_and_close_empty_slots(
        template: str, values: dict[str, str], expected: str) -> None:
    assert render(template, values) == expected


def test_should_treat_any_braced_text_as_a_slot_name() -> None:
    assert slot_names("{origin}에서 {destination}(으)로 {{x}} {origin} { y }") == \
        ["origin", "destination", "origin", " y "]
    with pytest.raises(InputError, match=r"names slot \{ y \} but it has no value \(given: y\)"):
        render("{ y }", {"y": "a"})


def test_should_never_crash_on_naughty_strings() -> None:
    import random
    rng = random.Random(3)
    pool = ["", " ", "\u200b", "🙂", "東京", "ㅋ", "ㅏ", "3.", ".5", ",", "1,", ",000", "Ａ", "ß", "ǅ", "\x00",
            "가", "갈", "A1", "1A", "(", ")", "「", "」", "\ud7a3", "\uac00", "ﾟ", "٣"]
    for _ in range(2000):
        word = "".join(rng.choice(pool) for _ in range(rng.randint(0, 5)))
        for pair in ("은/는", "(으)로", "(이)에요", "와/과"):
            form = choose_particle(word, pair)
            assert form and isinstance(form, str)


@pytest.mark.parametrize("word, expected", [
    # a short vowel + final t/p/k (ck, c) is a batchim in Korean: 벨벳 댓 업 북 록 매직
    ("Red Velvet", "을"), ("How You Like That", "을"), ("Cheer Up", "을"), ("Book", "을"), ("Rock", "을"),
    ("Facebook", "을"), ("Black", "을"), ("Magic", "을"), ("Robot", "을"), ("Ticket", "을"), ("Hip Hop", "을"),
    ("Deep", "을"), ("About", "을"),
    # silent e, long vowels and consonant clusters add 으: 케이크 라이크 노트 스트리트 보트 파크 점프 데스크
    ("Cake", "를"), ("Like", "를"), ("Note", "를"), ("Street", "를"), ("Boat", "를"), ("Park", "를"),
    ("Jump", "를"), ("Desk", "를"), ("Light", "를"), ("Great", "를"), ("Heart", "를"), ("Pink", "를"),
    # the small table: 히트 세트 체크 타입 클럽 굿 뉴욕
    ("Hit", "를"), ("Set", "를"), ("Check", "를"), ("Type", "을"), ("Club", "을"), ("Good", "을"),
    ("New York", "을"),
])
def test_should_read_final_t_p_k_of_english_words_as_batchim_after_a_short_vowel(word: str, expected: str) -> None:
    assert choose_particle(word, "을/를") == expected


@pytest.mark.parametrize("word, pair, expected", [
    # pronounceable all-capital names are read as English words: 빅뱅 위너 라일락 트와이스 블랙핑크 세븐틴 네이버
    ("BIGBANG", "을/를", "을"), ("WINNER", "이/가", "가"), ("LILAC", "(이)라는", "이라는"), ("TWICE", "을/를", "를"),
    ("BLACKPINK", "이/가", "가"), ("SEVENTEEN", "(으)로", "으로"), ("NAVER", "(으)로", "로"),
    ("SEOUL", "(으)로", "로"), ("SEOUL", "은/는", "은"), ("IKON", "이/가", "이"), ("OHMYGIRL", "이/가", "이"),
    ("COUPANG", "을/를", "을"), ("TOEIC", "을/를", "을"), ("Big Bang", "을/를", "을"),
    # acronyms are spelled letter by letter: 케이티엑스 에스알티 비티에스 아이유 엑소 에이에스엠알 엠비티아이
    ("KTX", "을/를", "를"), ("SRT", "(으)로", "로"), ("BTS", "이/가", "가"), ("IU", "을/를", "를"),
    ("EXO", "와/과", "와"), ("CNN", "은/는", "은"), ("HTML", "(으)로", "로"), ("ASMR", "(으)로", "로"),
    ("ASMR", "이/가", "이"), ("MBTI", "이/가", "가"), ("BTOB", "이/가", "가"), ("NMIXX", "을/를", "를"),
    # short all-capital words that are read as words: 업 톱 팝 빅
    ("CHEER UP", "을/를", "을"), ("TOP", "(으)로", "으로"), ("K-POP", "이/가", "이"),
])
def test_should_read_pronounceable_capital_words_as_words_and_acronyms_by_letter(
        word: str, pair: str, expected: str) -> None:
    assert choose_particle(word, pair) == expected


@pytest.mark.parametrize("word, pair, expected", [
    # H:MM reads 열아홉 시 (vowel) on the hour, else ... 삼십 분 (ㄴ)
    ("19:00", "(으)로", "로"), ("05:00", "을/를", "를"), ("0:00", "이/가", "가"), ("7:30", "(으)로", "으로"),
    ("7:30", "을/를", "을"), ("12:15", "이/가", "이"), ("오후 7:05", "은/는", "은"), ("23:59", "(으)로", "으로"),
    # H:MM:SS: 초 (vowel) unless the seconds are 00
    ("12:30:45", "이/가", "가"), ("12:30:00", "이/가", "이"), ("08:00:00", "(으)로", "로"),
    # not a time: a ratio or score keeps the number reading (삼 대 일)
    ("3:1", "(으)로", "로"), ("2:3", "이/가", "이"),
])
def test_should_read_clock_times_by_their_last_unit(word: str, pair: str, expected: str) -> None:
    assert choose_particle(word, pair) == expected


@pytest.mark.parametrize("typed, meant", [
    ("dkssudgktpdy", "안녕하세요"),            # a final moves to the next syllable before a vowel
    ("tjdnf skfTl djEo?", "서울 날씨 어때?"),   # spaces and punctuation stay; T ㅆ, E ㄸ shifted
    ("dkfdkTdj", "알았어"),
    ("rhkdwn", "광주"),                        # ㅗ+ㅏ is ㅘ
    ("dlfrrh", "읽고"),                        # ㄹ+ㄱ is the final ㄺ
    ("dlfrj", "일거"),                         # ... unless a vowel takes the ㄱ
    ("TJDNF", "서울"),                         # Caps Lock on: the plain keys
    ("dkssudzz", "안녕ㅋㅋ"), ("dd", "ㅇㅇ"), ("3tl qks", "3시 반"),
    ("bts shfo xmfdjwnj", "bts 노래 틀어줘"),   # a run that composes nothing is English and stays
])
def test_should_read_text_typed_with_the_korean_keyboard_in_english_mode(typed: str, meant: str) -> None:
    from nlukit.korean import hangul_from_keys
    assert hangul_from_keys(typed) == meant


@pytest.mark.parametrize("text", ["hello", "ok", "KTX", "BTS", "a", "서울 tjdnf", "ㅋㅋ", "123", "", "Yes"])
def test_should_leave_english_and_hangul_as_they_are(text: str) -> None:
    from nlukit.korean import hangul_from_keys
    assert hangul_from_keys(text) is None


def test_should_read_back_every_fixture_sentence_typed_in_english_mode() -> None:
    import json
    import os

    from nlukit.korean import hangul_from_keys, keys_from_hangul
    path = os.path.join(os.path.dirname(__file__), "fixtures", "model", "train.jsonl")
    texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8")]
    hangul_only = [t for t in texts if not any(c.isascii() and c.isalpha() for c in t)]
    assert len(hangul_only) >= 20
    for text in hangul_only:
        assert hangul_from_keys(keys_from_hangul(text)) == text, (text, keys_from_hangul(text))
