"""An FAQ sheet becomes an nlukit bot project (``nlukit import faq.xlsx``).

Given a customer-service FAQ in Excel (.xlsx, read without openpyxl) or CSV, with 질문 /
답변 columns (a category, more question columns or repeated rows maybe), when it is
imported, then each answer is an intent holding all its questions as escaped pattern
lines, named after its category, answered by a scenario whose response is the answer as
written; a question under two answers is kept under the first and listed, and a sheet that
is no FAQ is refused naming the file and the fix, with nothing written.
"""
from __future__ import annotations

import os
import zipfile
from xml.sax.saxutils import escape

import pytest

from nlukit.bot import load_scenarios
from nlukit.cli import main
from nlukit.errors import InputError, NlukitError
from nlukit.generate.faq import is_faq, read_faq, read_sheet, xlsx_sheets
from nlukit.generate.grammar import load_patterns
from nlukit.generate.kochat import is_kochat_csv
from nlukit.generate.rasa import write_project
from nlukit.korean import render

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _col(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None,
               inline: bool = False, hidden: tuple[str, ...] = ()) -> None:
    """A minimal SpreadsheetML workbook: text in shared strings (or inline), numbers as numbers."""
    shared: list[str] = []
    files = {}
    for n, (name, rows) in enumerate(sheets.items(), 1):
        xml_rows = []
        for r, row in enumerate(rows, 1):
            cells = []
            for c, v in enumerate(row):
                ref = f"{_col(c)}{r}"
                if v is None or v == "":
                    continue
                if isinstance(v, (int, float)):
                    cells.append(f'<c r="{ref}"><v>{v}</v></c>')
                elif inline:
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>')
                else:
                    shared.append(v)
                    cells.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
            xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
        merged = "".join(f'<mergeCell ref="{m}"/>' for m in (merges or {}).get(name, []))
        files[f"xl/worksheets/sheet{n}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}><sheetData>'
            + "".join(xml_rows) + "</sheetData>"
            + (f'<mergeCells count="{len((merges or {})[name])}">{merged}</mergeCells>' if merged else "")
            + "</worksheet>")
    state = ' state="hidden"'
    book = "".join(f'<sheet name="{escape(name)}" sheetId="{n}"{state if name in hidden else ""} r:id="rId{n}"/>'
                   for n, name in enumerate(sheets, 1))
    rels = "".join(f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   f'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(sheets) + 1))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {_NS} {_R}><sheets>{book}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        if shared:
            z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {_NS}>' + "".join(
                f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared) + "</sst>")
        for name, body in files.items():
            z.writestr(name, body)


ROWS = [
    ["분류", "질문", "질문2", "답변"],
    ["배송", "배송 얼마나 걸려요?", "언제 와요", "보통 2~3일 걸립니다.\n주말은 빼고요."],
    [None, "배송비 얼마예요", None, "3000원입니다."],
    ["교환/반품", "반품 하고 싶어요", None, "마이페이지에서 신청하세요."],
    [None, "환불 언제 돼요", None, "마이페이지에서   신청하세요."],   # the same answer, spaced otherwise
]


def lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_should_read_an_xlsx_with_shared_strings_line_breaks_numbers_and_merged_cells(tmp_path) -> None:
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"FAQ": [["질문", "답변", "번호"], ["주문\n취소", "A & B", 3], ["x", 2.5, None]]},
               merges={"FAQ": ["C2:C3"]})
    assert read_sheet(str(p)) == [["질문", "답변", "번호"], ["주문\n취소", "A & B", "3"], ["x", "2.5", "3"]]
    q = tmp_path / "inline.xlsx"
    write_xlsx(q, {"첫": [["a"]], "둘째": [["질문", "답변"], ["<b>", "c"]]}, inline=True)
    assert xlsx_sheets(str(q)) == ["첫", "둘째"]
    assert read_sheet(str(q), "둘째") == [["질문", "답변"], ["<b>", "c"]]
    with pytest.raises(InputError, match=r"no sheet '셋'; its sheets are '첫', '둘째'"):
        read_sheet(str(q), "셋")
    h = tmp_path / "hidden.xlsx"
    write_xlsx(h, {"숨김": [["x"]], "FAQ": [["질문", "답변"]]}, hidden=("숨김",))
    assert read_sheet(str(h)) == [["질문", "답변"]] and xlsx_sheets(str(h)) == ["FAQ", "숨김"]


def test_should_tell_an_faq_from_a_kochat_csv(tmp_path) -> None:
    faq, kochat, other = tmp_path / "faq.csv", tmp_path / "weather.csv", tmp_path / "d.csv"
    faq.write_text("Question,Answer\n배송비?,3000원\n", encoding="utf-8-sig")
    kochat.write_text("question,label\n날씨 알려줘,O O\n", encoding="utf-8")
    other.write_text("entity,value,synonyms\nlocation,서울,\n", encoding="utf-8")
    assert is_faq(str(faq)) and not is_kochat_csv(str(faq))
    assert not is_faq(str(kochat)) and is_kochat_csv(str(kochat))
    assert not is_faq(str(other))
    for header in ("Q,A", "질문,답", "카테고리,질문,유사 질문,다른 표현,답변", "category,question,answer"):
        f = tmp_path / "h.csv"
        f.write_text(header + "\n", encoding="utf-8")
        assert is_faq(str(f)), header


def test_should_read_a_cp949_csv_with_a_title_row(tmp_path) -> None:
    p = tmp_path / "faq.csv"
    p.write_text("자주 묻는 질문,,\n구분,질문,답변\n회원,비밀번호를 잊었어요,비밀번호 찾기를 누르세요\n",
                 encoding="cp949")
    data = read_faq([str(p)])
    assert data.intents == {"회원_01": [("비밀번호를 잊었어요", [])]}
    assert data.responses["utter_회원_01"] == "비밀번호 찾기를 누르세요"


def test_should_group_questions_by_answer_and_name_intents_after_the_category(tmp_path) -> None:
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"Sheet1": ROWS})
    data = read_faq([str(p)])
    assert data.intents == {"배송_01": [("배송 얼마나 걸려요?", []), ("언제 와요", [])],
                            "배송_02": [("배송비 얼마예요", [])],
                            "교환_반품_01": [("반품 하고 싶어요", []), ("환불 언제 돼요", [])]}
    assert data.responses["utter_배송_01"] == "보통 2~3일 걸립니다.\n주말은 빼고요."


def test_should_name_intents_faq_nnn_without_a_category_and_take_repeated_rows_and_blank_answers(tmp_path) -> None:
    p = tmp_path / "faq.csv"
    p.write_text("question,answer\nhi,hello\nhey,hello\nbye,see you\nciao,\n", encoding="utf-8")
    data = read_faq([str(p)])
    assert data.intents == {"faq_001": [("hi", []), ("hey", [])], "faq_002": [("bye", []), ("ciao", [])]}
    assert any("1 questions had an empty answer cell" in n for n in data.notes)


def test_should_merge_a_category_cell_over_a_block_of_rows(tmp_path) -> None:
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"s": [["질문", "답변", "분류"], ["a", "1", "결제"], ["b", "2", None], ["c", "3", "회원"]]},
               merges={"s": ["C2:C3"]})
    assert list(read_faq([str(p)]).intents) == ["결제_01", "결제_02", "회원_01"]


def test_should_escape_pattern_specials_in_questions_and_braces_in_answers(tmp_path) -> None:
    p = tmp_path / "faq.csv"
    p.write_text('질문,답변\n"(급해요) [A/S] 문의 #1 | @관리자 \\ 100%?","{이름}님, {{ok}} 입니다\n둘째 줄"\n',
                 encoding="utf-8")
    assert main(["import", str(p), "-o", str(tmp_path / "bot")]) == 0
    bot = tmp_path / "bot"
    assert lines(bot / "patterns" / "faq_001.txt") == [
        "@faq_001", r"\(급해요\) \[A/S\] 문의 \#1 \| \@관리자 \\ 100%?"]
    pats = load_patterns(str(bot / "patterns"))
    assert [t.source for t in pats.intents["faq_001"]] == [r"\(급해요\) \[A/S\] 문의 \#1 \| \@관리자 \\ 100%?"]
    scenarios = load_scenarios(str(bot / "scenarios.toml"), ["faq_001"], [])
    assert render(scenarios["faq_001"].response, {}) == "{이름}님, {{ok}} 입니다\n둘째 줄"


def test_should_keep_a_question_under_its_first_answer_and_report_it(tmp_path, capsys) -> None:
    p = tmp_path / "faq.csv"
    p.write_text("질문,답변\n배송비 얼마예요?,3000원\n배송비 얼마예요,무료입니다\n다른 질문,무료입니다\n"
                 "배송비 얼마 예요,2500원\n", encoding="utf-8")
    assert main(["import", str(p), "-o", str(tmp_path / "bot")]) == 0
    out = capsys.readouterr().out
    assert "faq.csv:3: the question '배송비 얼마예요' is also listed under another answer" in out
    assert "kept under the first" in (tmp_path / "bot" / "IMPORT.md").read_text(encoding="utf-8")
    assert "the answer '2500원' has no question that another answer does not have first; left out" in out
    assert sorted(os.listdir(tmp_path / "bot" / "patterns")) == ["faq_001.txt", "faq_002.txt"]
    assert lines(tmp_path / "bot" / "patterns" / "faq_001.txt") == ["@faq_001", "배송비 얼마예요?"]
    assert lines(tmp_path / "bot" / "patterns" / "faq_002.txt") == ["@faq_002", "다른 질문"]


def test_should_write_the_project_and_recommend_the_faq_settings(tmp_path, capsys) -> None:
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"FAQ": ROWS})
    out = tmp_path / "bot"
    assert main(["import", str(p), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "imported 5 examples of 3 intents" in printed
    assert "--split sentence --valid-ratio 0 --test-ratio 0" in printed
    assert sorted(os.listdir(out)) == ["IMPORT.md", "dicts", "patterns", "scenarios.toml"]
    assert os.listdir(out / "dicts") == []
    report = (out / "IMPORT.md").read_text(encoding="utf-8")
    assert report.startswith("# Imported from an FAQ sheet") and "--split sentence" in report
    # 3 answers: a text like no question gets 1/3 from each, so the threshold is 1.5/3, not 0.2
    assert "intent.kind=nearest" in report and "intent.threshold=0.5" in printed
    assert "confidence_threshold = 0.5" in (out / "scenarios.toml").read_text(encoding="utf-8")
    scenarios = load_scenarios(str(out / "scenarios.toml"), ["배송_01", "배송_02", "교환_반품_01"], [])
    assert render(scenarios["배송_01"].response, {}) == "보통 2~3일 걸립니다.\n주말은 빼고요."
    assert render(scenarios["교환_반품_01"].response, {}) == "마이페이지에서 신청하세요."
    # each answer answers a question: no small talk, so asked beside another request it is answered
    # (잔액 알려주고 이체 수수료도 알려줘 dropped the FAQ answer), as docs/scenarios.md advises
    assert all(scenarios[i].small_talk is False for i in ("배송_01", "배송_02", "교환_반품_01"))


def test_should_refuse_an_output_folder_under_a_file_naming_the_place(tmp_path, capsys) -> None:
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"FAQ": ROWS})
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"cannot create .*notes.txt.*bot: .*not a folder that can be written "
                                         r"to .*choose another place \(nothing was written\)"):
        write_project(read_faq([str(p)]), tmp_path / "notes.txt" / "bot")
    assert main(["import", str(p), "-o", str(tmp_path / "notes.txt" / "bot")]) == 1
    assert "choose another place" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["faq.xlsx", "notes.txt"]


def test_should_generate_a_dataset_from_the_project_with_no_dictionary(tmp_path) -> None:
    import nlukit
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"FAQ": ROWS})
    write_project(read_faq([str(p)]), tmp_path / "bot")
    report = nlukit.generate(str(tmp_path / "bot" / "patterns"), str(tmp_path / "bot" / "dicts"),
                             str(tmp_path / "data"), split="sentence", valid_ratio=0, test_ratio=0, progress=False)
    assert report["sentences"]["train"] == 5


@pytest.mark.parametrize(("name", "make", "needle"), [
    ("none.csv", lambda p: p.write_text("이름,내용\n가,나\n", encoding="utf-8"),
     r"none.csv: no question and answer columns in the header \['이름', '내용'\]; name them 질문 and 답변"),
    ("empty.xlsx", lambda p: write_xlsx(p, {"FAQ": []}), r"empty.xlsx: the sheet is empty"),
    ("broken.xlsx", lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"),
     r"broken.xlsx: not a readable .xlsx file .*[Ss]ave it from Excel as .xlsx or as CSV UTF-8"),
    ("nobook.xlsx", lambda p: zipfile.ZipFile(p, "w").close(),
     r"nobook.xlsx: .*(not a readable|xl/workbook.xml is missing)"),
    ("old.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0 binary"), r"old.xls: an old .xls"),
    ("noanswer.csv", lambda p: p.write_text("질문,답변\n배송?,\n", encoding="utf-8"),
     r"no question with an answer in .*noanswer.csv"),
])
def test_should_refuse_what_is_no_faq_naming_the_file_and_writing_nothing(tmp_path, capsys, name, make,
                                                                           needle) -> None:
    p = tmp_path / name
    make(p)
    with pytest.raises(NlukitError, match=needle):
        read_faq([str(p)])
    if name.endswith(".xlsx") or name.endswith(".xls") or "question" in needle:
        assert main(["import", str(p), "-o", str(tmp_path / "bot")]) == 1
        assert "nlukit: error:" in capsys.readouterr().err
        assert not (tmp_path / "bot").exists()


def test_should_refuse_a_damaged_sheet_inside_a_zip(tmp_path) -> None:
    good, p = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    write_xlsx(good, {"FAQ": ROWS})
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w") as z:
        for name in src.namelist():
            z.writestr(name, "<worksheet><sheetData><row>" if name.endswith("sheet1.xml") else src.read(name))
    with pytest.raises(InputError, match=r"bad.xlsx: xl/worksheets/sheet1.xml is damaged"):
        read_faq([str(p)])


@pytest.mark.slow
def test_should_answer_an_exact_and_a_paraphrased_question_after_import_generate_and_train(tmp_path) -> None:
    import nlukit
    from nlukit.bot import Bot
    from nlukit.cli.import_ import faq_threshold, faq_train  # the settings the import recommends
    rows = [["분류", "질문", "유사질문", "답변"],
            ["배송", "배송은 얼마나 걸리나요?", "언제 도착하나요?", "평균 2~3일 걸립니다."],
            ["배송", "배송비는 얼마인가요?", "무료배송 기준이 있나요?", "기본 배송비는 3,000원입니다."],
            ["반품", "반품하고 싶어요", "반품 신청 방법이 궁금해요", "마이페이지에서 반품 신청을 하세요."],
            ["결제", "카카오페이 되나요?", "결제 수단이 뭐가 있나요?", "카드와 카카오페이를 받습니다."],
            ["회원", "비밀번호를 잊어버렸어요", "비밀번호 재설정 방법", "비밀번호 찾기를 누르세요."]]
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"FAQ": rows})
    bot_dir = tmp_path / "bot"
    assert main(["import", str(p), "-o", str(bot_dir)]) == 0
    nlukit.generate(str(bot_dir / "patterns"), str(bot_dir / "dicts"), str(tmp_path / "data"),
                    split="sentence", valid_ratio=0, test_ratio=0, progress=False)
    overrides = [o for o in faq_train(faq_threshold(5)).split() if o != "--set"]
    model = nlukit.train(str(tmp_path / "data"), str(tmp_path / "model"), progress=False, overrides=overrides)
    nlu = nlukit.load(model)
    bot = Bot(nlu, load_scenarios(str(bot_dir / "scenarios.toml"), nlu.intents, nlu.entity_types))
    assert bot.handle("a", "배송비는 얼마인가요?").reply == "기본 배송비는 3,000원입니다."
    assert bot.handle("b", "비번 잊어버림").reply == "비밀번호 찾기를 누르세요."
    # chit-chat like no question: every answer gets 1/5 = 0.2, under the 5-answer threshold 0.3
    assert bot.handle("c", "고양이 귀엽다 ㅋㅋ").state == "fallback"


def test_should_read_the_sheet_named_with_sheet(tmp_path, capsys) -> None:
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"안내": [["공지"]], "FAQ": [["질문", "답변"], ["영업시간?", "10시부터"]]})
    assert main(["import", str(p), "-o", str(tmp_path / "none")]) == 1
    assert "no question and answer columns in the header ['공지']" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()
    assert main(["import", str(p), "--sheet", "FAQ", "-o", str(tmp_path / "bot")]) == 0
    assert lines(tmp_path / "bot" / "patterns" / "faq_001.txt") == ["@faq_001", "영업시간?"]
    assert main(["import", str(tmp_path / "bot" / "IMPORT.md"), "--sheet", "FAQ", "-o", str(tmp_path / "x")]) == 1
    assert "--sheet names a sheet of an FAQ workbook" in capsys.readouterr().err


# -- scenario titles: the clarifying question names the answer by them ---------------------------
def test_should_title_each_answer_by_its_first_question_for_the_clarifying_question(tmp_path) -> None:
    from nlukit.bot.scenario import render_template
    # Given the sheet of the examples above, imported from the command line
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"FAQ": ROWS})
    assert main(["import", str(p), "-o", str(tmp_path / "bot")]) == 0
    # Then the real loader takes every title: the first question without its question mark
    sc = load_scenarios(str(tmp_path / "bot" / "scenarios.toml"), ["배송_01", "배송_02", "교환_반품_01"], [])
    assert {k: s.title for k, s in sc.scenarios.items()} == {
        "배송_01": "배송 얼마나 걸려요", "배송_02": "배송비 얼마예요", "교환_반품_01": "반품 하고 싶어요"}
    # and the question asks about a question, not "을/를 원하세요"
    assert render_template(sc.settings.clarify, {"title": sc.scenarios["배송_01"].title}) == \
        "혹시 '배송 얼마나 걸려요'에 대해 물어보신 건가요?"
    assert "Every scenario got a title" in (tmp_path / "bot" / "IMPORT.md").read_text(encoding="utf-8")


def test_should_take_a_title_column_and_shorten_a_long_question_into_a_unique_title(tmp_path) -> None:
    long_q = "주문한 상품을 다른 주소로 보내고 싶은데 배송지 변경이 가능한가요?"   # 37 characters
    rows = [["분류", "제목", "질문", "유사질문", "답변"],
            ["환불", "환불 방법 문의", "환불은 어떻게 받나요?", None, "카드 취소로 환불됩니다."],
            ["배송", None, long_q, "배송지 변경", "배송 전이면 바꿀 수 있어요."],
            ["배송", None, long_q + " 급해요", None, "고객센터로 전화 주세요."],
            ["회원", "회원 문의", "탈퇴하고 싶어요", None, "설정에서 탈퇴하세요."],
            ["회원", "회원 문의", "비밀번호를 바꾸려면?", None, "설정에서 바꾸세요."],
            ["기타", None, "여러 줄\n질문??", None, "네."]]
    p = tmp_path / "faq.xlsx"
    write_xlsx(p, {"FAQ": rows})
    data = read_faq([str(p)])
    assert data.titles == {
        "환불_01": "환불 방법 문의",                        # the sheet's own title
        "배송_01": "배송지 변경",                           # a question that fits before a cut one
        "배송_02": "주문한 상품을 다른 주소로 보내고 싶은데 배송지…",   # cut at a space
        "회원_01": "탈퇴하고 싶어요", "회원_02": "비밀번호를 바꾸려면",   # a title shared names neither
        "기타_01": "여러 줄 질문"}
    assert all(len(t) <= 30 for t in data.titles.values())
    write_project(data, tmp_path / "bot")
    sc = load_scenarios(str(tmp_path / "bot" / "scenarios.toml"), list(data.intents), [])
    assert {k: s.title for k, s in sc.scenarios.items()} == data.titles
    # two answers whose only question cuts to one title: the second gets none, and is said so
    q = tmp_path / "same.csv"
    q.write_text(f"질문,답변\n{long_q} 1,가\n{long_q} 2,나\n", encoding="utf-8")
    data = read_faq([str(q)])
    assert list(data.titles) == ["faq_001"] and any("faq_002" in n and "no title" in n for n in data.notes)
