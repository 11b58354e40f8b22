"""Entity dictionaries: both CSV forms, both encodings, merge, warnings and errors."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from nlukit.errors import DictionaryError, NlukitError
from nlukit.generate.dictionary import Dictionary, load_dictionaries

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "gen", "dicts")


def test_should_read_long_form_with_synonyms_and_canonicalise() -> None:
    d = load_dictionaries(os.path.join(FIX, "location.csv"))
    assert d.values("location") == ["서울", "부산", "대전", "광주", "KTX역"]
    assert d.canonical("location", "서울특별시") == "서울"
    assert d.canonical("location", " 부산시 ") == "부산"
    assert d.canonical("location", "ktx역") == "KTX역"
    assert d.canonical("location", "대구") is None
    assert d.canonical("date", "서울") is None
    assert d.surfaces("location")[:3] == ["서울", "서울시", "서울특별시"]
    assert d.sources[0].form == "long" and d.sources[0].encoding == "utf-8"


def test_should_read_wide_form_skipping_empty_cells() -> None:
    d = load_dictionaries(os.path.join(FIX, "wide.csv"))
    assert d.entities == {"date": {"오늘": [], "내일": [], "모레": []}, "food": {"김밥": [], "짜장면": []}}
    assert d.sources[0].form == "wide"


def test_should_merge_every_csv_of_a_folder_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    d = load_dictionaries(FIX)
    assert d.entity_types == ["date", "food", "location"]
    assert [os.path.basename(s.path) for s in d.sources] == ["location.csv", "wide.csv"]


@pytest.mark.parametrize("encoding, expected", [("cp949", "cp949"), ("euc-kr", "cp949"),
                                                ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")])
def test_should_read_excel_encodings_and_report_the_one_used(tmp_path: Path, encoding: str,
                                                            expected: str) -> None:
    text = "entity,value,synonyms\r\nlocation,서울,서울시|서울특별시\r\nlocation,제주,제주도\r\n"
    p = tmp_path / "loc.csv"
    p.write_bytes(text.encode(encoding))
    d = load_dictionaries(str(p))
    assert d.canonical("location", "제주도") == "제주"
    assert d.encodings == {str(p): expected}


def test_should_skip_the_side_files_a_mac_or_excel_leaves_in_a_folder(tmp_path: Path) -> None:
    # Given a dictionary folder unzipped from a Mac (._menu.csv) while Excel has a file open (~$menu.csv)
    import shutil
    d = tmp_path / "dicts"
    shutil.copytree(FIX, d)
    (d / "._location.csv").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\xff\xfe")
    (d / "~$location.csv").write_bytes(b"\x0bsomeone  \x00\x00\xc8\xb2")
    # Then they are no dictionaries (the first was 'neither UTF-8 nor cp949/euc-kr')
    got = load_dictionaries(str(d))
    assert [os.path.basename(s.path) for s in got.sources] == ["location.csv", "wide.csv"]
    assert got.to_json() == load_dictionaries(FIX).to_json()


def test_should_read_the_empty_trailing_columns_excel_leaves(tmp_path: Path) -> None:
    # Given Excel's CSV of a sheet where a column right of the table was once touched: every row
    # ends in empty cells (cp949, CRLF), in the long and in the wide form
    p = tmp_path / "loc.csv"
    p.write_bytes("entity,value,synonyms,,\r\nlocation,서울,서울시|서울특별시,,\r\nlocation,부산,,,\r\n,,,,\r\n"
                  .encode("cp949"))
    d = load_dictionaries(str(p))
    assert d.entities == {"location": {"서울": ["서울시", "서울특별시"], "부산": []}} and d.warnings == []
    w = tmp_path / "wide.csv"
    w.write_bytes("location,date,,\r\n서울,오늘,,\r\n부산,,,\r\n".encode("cp949"))
    assert load_dictionaries(str(w)).entities == {"location": {"서울": [], "부산": []}, "date": {"오늘": []}}
    # But a synonym written after a comma is still refused: it is no empty cell
    p.write_text("entity,value,synonyms,,\nlocation,서울,서울시,,서울특별시\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=r"loc\.csv:2: 5 columns, .*separate synonyms with '\|'"):
        load_dictionaries(str(p))


def test_should_read_utf16_with_its_byte_order_mark_and_ask_for_commas_in_excel_unicode_text(
        tmp_path: Path) -> None:
    p = tmp_path / "loc.csv"
    p.write_bytes("entity,value,synonyms\r\nlocation,서울,서울시\r\n".encode("utf-16"))
    d = load_dictionaries(str(p))
    assert d.entities == {"location": {"서울": ["서울시"]}} and d.encodings == {str(p): "utf-16"}
    # Excel's "Unicode text" is UTF-16 with tabs: the tabs are what needs fixing, and it says so
    p.write_bytes("entity\tvalue\tsynonyms\r\nlocation\t서울\t서울시\r\n".encode("utf-16"))
    with pytest.raises(DictionaryError, match=r"not comma-separated; separate columns with commas \(this file uses tabs\)"):
        load_dictionaries(str(p))


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_should_read_utf16_without_its_byte_order_mark(tmp_path: Path, codec: str) -> None:
    # a NUL beside every ASCII letter is valid UTF-8: it was read as garbage rows, not as text
    p = tmp_path / "loc.csv"
    p.write_bytes("entity,value,synonyms\r\nlocation,서울,서울시\r\n".encode(codec))
    d = load_dictionaries(str(p))
    assert d.entities == {"location": {"서울": ["서울시"]}} and d.encodings == {str(p): codec}


def test_should_read_wide_form_in_cp949(tmp_path: Path) -> None:
    p = tmp_path / "wide.csv"
    p.write_bytes("location,food\r\n서울,냉면\r\n,떡볶이\r\n".encode("cp949"))
    d = load_dictionaries(str(p))
    assert d.values("food") == ["냉면", "떡볶이"] and d.values("location") == ["서울"]
    assert d.encodings[str(p)] == "cp949"


def test_should_warn_on_duplicate_value_and_synonym_naming_two_values(tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    p.write_text("entity,value,synonyms\nlocation,광주,광주시\nlocation,광주,빛고을\n"
                 "location,경기 광주,광주시\n", encoding="utf-8")
    d = load_dictionaries(str(p))
    assert d.entities["location"] == {"광주": ["광주시", "빛고을"], "경기 광주": []}
    assert any(w.startswith(f"{p}:3: duplicate value '광주'") and f"first at {p}:2" in w for w in d.warnings)
    assert any(w.startswith(f"{p}:4: synonym '광주시'") and "already names value '광주'" in w
               for w in d.warnings)


@pytest.mark.parametrize("content, message", [
    ("entity,value,synonyms\nlocation,,서울시\n", r":2: empty value for entity 'location'"),
    ("entity,value,synonyms\nlocation,서울,서울시,서울특별시\n", r":2: 4 columns.*separate synonyms with '\|'"),
    ("entity,value,synonyms\nmy location,서울,\n", r":2: bad entity type name 'my location'"),
    ("location,\n서울,부산\n", r":2:2: value '부산' is in a column with no entity type"),
    ("", r"the file is empty"),
])
def test_should_raise_with_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(DictionaryError, match=message) as info:
        load_dictionaries(str(p))
    assert str(p) in str(info.value)


def test_should_refuse_undecodable_bytes_and_missing_paths(tmp_path: Path) -> None:
    p = tmp_path / "bin.csv"
    p.write_bytes(b"entity,value\nlocation,\xff\xfe\xff\n")
    with pytest.raises(DictionaryError, match=r"bin.csv:2: neither UTF-8 nor cp949.*save the file as UTF-8"):
        load_dictionaries(str(p))
    with pytest.raises(NlukitError, match="does not exist"):
        load_dictionaries(str(tmp_path / "nope.csv"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DictionaryError, match=r"holds no \*.csv"):
        load_dictionaries(str(empty))


def test_should_round_trip_json_and_csv_with_equal_digest(tmp_path: Path) -> None:
    d = load_dictionaries(FIX)
    again = Dictionary.from_json(d.to_json())
    assert again.to_json() == d.to_json() and again.digest() == d.digest()
    d.write_csv(str(tmp_path / "all.csv"))
    assert load_dictionaries(str(tmp_path / "all.csv")).digest() == d.digest()
    with pytest.raises(DictionaryError, match="must map values"):
        Dictionary.from_json({"location": ["서울"]})


def test_should_report_added_removed_and_changed_values_for_retraining() -> None:
    old = load_dictionaries(FIX)
    new = Dictionary.from_json(old.to_json())
    new.add("location", "제주", ["제주도"])
    new.add("location", "서울", ["한양"])
    del new.entities["food"]["김밥"]
    assert old.diff(new) == {"food": {"added": [], "removed": ["김밥"], "synonyms_changed": []},
                             "location": {"added": ["제주"], "removed": [], "synonyms_changed": ["서울"]}}
    assert old.diff(old) == {} and old.digest() != new.digest()


def _refused_by_generate(tmp_path: Path, content: str, message: str) -> str:
    """``content`` as dict.csv: load_dictionaries and nlukit.generate both refuse it, nothing written."""
    from nlukit.generate import generate
    p = tmp_path / "d.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(DictionaryError, match=message) as info:
        load_dictionaries(str(p))
    assert str(info.value).startswith(f"{p}:")
    (tmp_path / "p.txt").write_text("@weather\n{location} 날씨 알려줘\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(DictionaryError, match=message):
        generate(tmp_path / "p.txt", p, out, per_intent=4, split="sentence", progress=False)
    assert not out.exists() and sorted(os.listdir(tmp_path)) == ["d.csv", "p.txt"]
    return str(info.value)


def test_should_refuse_an_unclosed_quote_at_the_line_it_opens(tmp_path: Path) -> None:
    msg = _refused_by_generate(tmp_path, 'entity,value,synonyms\nlocation,"서울,\nlocation,부산,\n',
                               r"d\.csv:2: the quote opened in column 2 \('\"서울,'\) is never closed")
    assert "close the quote on line 2" in msg


def test_should_refuse_a_quoted_cell_spanning_lines(tmp_path: Path) -> None:
    msg = _refused_by_generate(tmp_path, 'entity,value,synonyms\nlocation,"서울\n부산",\nlocation,대구,\n',
                               r"d\.csv:2: the quoted cell in column 2 \('\"서울'\) runs over lines 2-3")
    assert "cannot contain a line break" in msg and "close its quote there" in msg


@pytest.mark.parametrize("content, message", [
    ("type,val,syn\nlocation,서울,\n", r"d\.csv:1: header 'type,val,syn' looks like the long form.*"
                                      r"'val' → 'value', 'syn' → 'synonyms'"),
    ("entitiy,value,synonyms\nlocation,서울,\n", r"d\.csv:1: header .*'entitiy' → 'entity'"),
    ("value,entity,synonyms\n서울,location,\n", r"d\.csv:1: header .*in that order"),
    ("kind,name,alias\nlocation,서울,서울시|서울특별시\nlocation,부산,\n",
     r"d\.csv:1: the rows look like the long form \(column 1 repeats entity types 'location'"),
])
def test_should_refuse_a_misspelt_long_form_header_at_the_dictionary(tmp_path: Path, content: str,
                                                                     message: str) -> None:
    msg = _refused_by_generate(tmp_path, content, message)
    assert "write the header as 'entity,value,synonyms'" in msg


def test_should_still_read_wide_form_headers_that_name_entity_types(tmp_path: Path) -> None:
    p = tmp_path / "w.csv"
    p.write_text("date,type,location\n오늘,KTX,서울\n내일,SRT,부산\n", encoding="utf-8")
    assert load_dictionaries(str(p)).entity_types == ["date", "location", "type"]
    p.write_text("brand,color\nNike,red\nNike,blue\n", encoding="utf-8")
    assert load_dictionaries(str(p)).values("brand") == ["Nike"]


def test_should_warn_when_a_wide_header_sits_over_long_form_rows_without_synonyms(tmp_path: Path) -> None:
    # Given a long-form file whose header is not entity,value,synonyms and whose rows hold no '|'
    p = tmp_path / "d.csv"
    p.write_text("kind,word,alias\nlocation,서울,\nlocation,부산,\ndate,내일,\ndate,모레,\n", encoding="utf-8")
    # When it is read: as the wide form (a wide file may list a value twice), with a warning first
    d = load_dictionaries(str(p))
    assert d.sources[0].form == "wide"
    assert d.warnings[0].startswith(f"{p}:1: header 'kind,word,alias' was read as the wide form")
    assert "column 1 repeats 'date', 'location'" in d.warnings[0]
    assert "write the header as 'entity,value,synonyms'" in d.warnings[0]
    # And a pattern naming one of its types is refused naming the file, the line and the fix; nothing written
    from nlukit.errors import PatternError
    from nlukit.generate import generate
    (tmp_path / "p.txt").write_text("@weather\n{location} 날씨 알려줘\n", encoding="utf-8")
    with pytest.raises(PatternError) as info:
        generate(tmp_path / "p.txt", p, tmp_path / "out", per_intent=4, split="sentence", progress=False)
    msg = str(info.value)
    assert msg.startswith(f"{tmp_path / 'p.txt'}:2:1: unknown entity type 'location'")
    assert f"{p}:2:1 has 'location' as a value of the type 'kind'" in msg
    assert "write its header as 'entity,value,synonyms'" in msg
    assert not (tmp_path / "out").exists()


def test_should_not_doubt_a_wide_file_whose_columns_list_values_once(tmp_path: Path) -> None:
    p = tmp_path / "w.csv"
    p.write_text("date,type,location\n오늘,KTX,서울\n내일,SRT,부산\n", encoding="utf-8")
    assert load_dictionaries(str(p)).warnings == []
    assert load_dictionaries(os.path.join(FIX, "wide.csv")).warnings == []


@pytest.mark.parametrize("content, used", [("entity，value，synonyms\nlocation，서울，\n", "full-width commas '，'"),
                                           ("entity、value、synonyms\nlocation、서울、\n", "ideographic commas '、'"),
                                           ("entity|value|synonyms\nlocation|서울|\n", "'|'"),
                                           ("entity;value;synonyms\nlocation;서울;\n", "';'"),
                                           ("entity\tvalue\tsynonyms\nlocation\t서울\t\n", "tabs"),
                                           ("location;date\n서울;오늘\n", "';'")])
def test_should_ask_for_commas_when_columns_are_separated_otherwise(tmp_path: Path, content: str,
                                                                     used: str) -> None:
    msg = _refused_by_generate(tmp_path, content, r"d\.csv:1: header .* is not comma-separated")
    assert f"separate columns with commas (this file uses {used})" in msg


def test_should_ask_for_commas_in_a_semicolon_row_under_a_comma_header(tmp_path: Path) -> None:
    msg = _refused_by_generate(tmp_path, "entity,value,synonyms\nlocation;서울;\n", r"d\.csv:2: ")
    assert "separate columns with commas (this row uses ';')" in msg
