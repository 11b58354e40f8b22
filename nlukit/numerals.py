"""Korean number words before a counter, written as digits: ``세 시 반`` → ``3시 30분``.

Users write times, dates and counts both ways (``세 시``/``3시``, ``삼십 분``/``30분``,
``열두 명``/``12명``), and a dictionary lists only some of the spellings. The entity
value lookup (:class:`nlukit.nlu.Canonicalizer`) reads both the dictionary and the
typed surface through :func:`digits`, so ``오후 세 시 반`` finds the dictionary value
``오후 3시 30분`` even when only ``오후 3시 반`` is listed as its synonym.

Only a number word standing right before a counter is read (with or without a space
between), and only when the counter ends there or a particle follows (``세 시에``): ``세 시``
is 3시 but ``세종``, ``한강``, ``네 시작`` and ``삼일절`` stay as they are, and a one-syllable
Sino-Korean number written onto 분, 초 or 주 needs its space (``오 분``; ``이분`` is "this
person"). It is a reading for matching spellings, not a parser of every number. Native Korean numbers go with the counters that take them
(시, 시간, 명, 개, 살, 번, 마리 ...), Sino-Korean ones with theirs (분, 초, 일, 월, 년,
주, 개월, 층, 호선, 원 ...); ``N시 반`` / ``N시간 반`` is ``N시 30분`` / ``N시간 30분``.

>>> digits("오후 세 시 반"), digits("열두시 삼십분"), digits("스물다섯 살"), digits("이십오 일")
('오후 3시 30분', '12시 30분', '25살', '25일')
>>> digits("삼월 일 일"), digits("시월"), digits("한 시간 반 뒤"), digits("세종시에서 한강까지")
('3월 1일', '10월', '1시간 30분 뒤', '세종시에서 한강까지')

:func:`spell` goes the other way, for training data (the generator's ``numerals``
augmentation): ``오후 3시 30분`` → ``오후 세 시 삼십 분``, and ``digits`` reads it back.
"""
from __future__ import annotations

import re
from fractions import Fraction

__all__ = ["COUNTERS", "PEOPLE_COUNTERS", "amount_extent", "amounts_in", "approx_count", "approx_money", "count", "count_change", "count_extent", "count_text", "digits", "money", "money_text", "money_words", "native_number", "sino_number", "spell",
           "spellings", "native_word", "sino_word", "spoken_digits"]

# native numbers: the forms used before a counter (한 두 세 네 스무), and their variants
_NATIVE_UNITS = {"한": 1, "두": 2, "세": 3, "석": 3, "서": 3, "네": 4, "넉": 4, "너": 4, "다섯": 5,
                 "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
_NATIVE_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60,
                "일흔": 70, "여든": 80, "아흔": 90}
_SINO_DIGITS = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6, "칠": 7, "팔": 8, "구": 9}
_SINO_UNITS = {"십": 10, "백": 100, "천": 1000}

# counters that take native numbers (세 시, 두 명) and Sino-Korean ones (삼십 분, 이 일)
_NATIVE_COUNTERS = ("시간", "시", "명", "사람", "개", "살", "번", "마리", "잔", "병", "장", "권", "대",
                    "가지", "군데", "달", "주일", "송이", "그릇", "켤레", "벌", "곡")
_SINO_COUNTERS = ("분", "초", "일", "월", "년", "주일", "주", "개월", "층", "호선", "번째", "인분", "원", "퍼센트")
# a one-syllable number written onto these is a word far more often than a count
# (이분 "this person", 이주, 오초): read only with a space (이 분, 오 초)
_SPACED_ONLY = frozenset({"분", "초", "주", "원", "퍼센트"})
# what may follow a counter: not Hangul, or a particle or word that goes with a count
# (세 시에, 두 명이서, 삼십 분 뒤), so 시작, 시장 or 삼일절 are never read as counters
_AFTER = ("(?=$|[^가-힣]|에|까지|부터|은|는|이|가|을|를|도|만|쯤|경|반|정각|전|후|뒤|씩|째|동안|요|"
          "으로|로|의|짜리|랑|하고|마다|넘|께|간)")

_ALT = "|".join
_NATIVE_RE = re.compile(
    rf"(?<![가-힣])(?P<tens>{_ALT(sorted(_NATIVE_TENS, key=len, reverse=True))})?"
    rf"(?P<unit>{_ALT(sorted(_NATIVE_UNITS, key=len, reverse=True))})?"
    rf"(?P<space> ?)(?P<counter>{_ALT(_NATIVE_COUNTERS)}){_AFTER}")
_SINO_NUMBER = "[일이삼사오육륙칠팔구십백천]+"
_SINO_RE = re.compile(rf"(?<![가-힣])(?P<number>{_SINO_NUMBER})(?P<space> ?)(?P<counter>{_ALT(_SINO_COUNTERS)}){_AFTER}")
# 유월 and 시월 drop the final consonant of 육 and 십
_MONTHS = re.compile(r"(?<![가-힣])(유|시)월")
_SPACE_BEFORE_COUNTER = re.compile(r"(\d) (?=시간|시|분|초|일|월|년|명|개|살)")
_HALF = re.compile(rf"(\d+ ?시간?) ?반{_AFTER}")


def native_number(word: str) -> int | None:
    """The value of a native Korean number as said before a counter (``스물세`` → 23).

    >>> native_number("열두"), native_number("스무"), native_number("서른"), native_number("셋")
    (12, 20, 30, None)
    """
    m = re.fullmatch(rf"({_ALT(_NATIVE_TENS)})?({_ALT(_NATIVE_UNITS)})?", word)
    if not word or m is None:
        return None
    tens, unit = m.groups()
    if tens == "스무" and unit:  # 스무 is 20 alone (스무 살); with units it is 스물 (스물세 살)
        return None
    return _NATIVE_TENS.get(tens or "", 0) + _NATIVE_UNITS.get(unit or "", 0)


def sino_number(word: str) -> int | None:
    """The value of a Sino-Korean number (``이십오`` → 25, ``천구백`` → 1900), or None.

    >>> sino_number("이십오"), sino_number("십"), sino_number("천구백팔십"), sino_number("십십")
    (25, 10, 1980, None)
    """
    total, digit, last_unit = 0, None, 10_000
    for ch in word:
        if ch in _SINO_DIGITS:
            if digit is not None:
                return None   # two digits in a row (이삼) is not a number word
            digit = _SINO_DIGITS[ch]
        elif ch in _SINO_UNITS:
            unit = _SINO_UNITS[ch]
            if unit >= last_unit:
                return None   # units must fall: 천백십, never 십백
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if not word:
        return None
    return total + (digit or 0)


def _native(m: re.Match[str]) -> str:
    tens, unit = m.group("tens"), m.group("unit")
    if not tens and not unit:
        return m.group(0)
    n = native_number((tens or "") + (unit or ""))
    return m.group(0) if n is None else f"{n}{m.group('counter')}"


def _sino(m: re.Match[str]) -> str:
    number, counter = m.group("number"), m.group("counter")
    if len(number) == 1 and number in _SINO_DIGITS and not m.group("space") and counter in _SPACED_ONLY:
        return m.group(0)
    n = sino_number(number)
    return m.group(0) if n is None else f"{n}{counter}"


def digits(text: str) -> str:
    """``text`` with number words before counters written as digits (see the module doc).

    A digit already followed by a counter is kept, the space between a number and its
    counter is dropped (``3 시`` → ``3시``), and ``N시 반`` becomes ``N시 30분``.

    >>> digits("내일 아침 일곱 시 반에 깨워줘"), digits("3 시 반"), digits("두 사람 자리")
    ('내일 아침 7시 30분에 깨워줘', '3시 30분', '2사람 자리')
    """
    if not text:
        return text
    out = _NATIVE_RE.sub(_native, text)
    out = _SINO_RE.sub(_sino, out)
    out = _MONTHS.sub(lambda m: "6월" if m.group(1) == "유" else "10월", out)
    out = _SPACE_BEFORE_COUNTER.sub(r"\1", out)
    return _HALF.sub(lambda m: m.group(1).replace(" ", "") + " 30분", out)


# --------------------------------------------------------------------------- digits → words
_NATIVE_UNIT_WORDS = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_NATIVE_TEN_WORDS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")
_SINO_DIGIT_WORDS = ("", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
# a digit run before a counter that ends there or takes a particle (the same rule as digits)
_COUNTED_RE = re.compile(rf"(?<![\d.:/-])(?P<number>\d{{1,4}})(?P<space> ?)"
                         rf"(?P<counter>{_ALT(sorted(set(_NATIVE_COUNTERS + _SINO_COUNTERS), key=len, reverse=True))})"
                         rf"{_AFTER}")


def native_word(n: int) -> str | None:
    """The native Korean number said before a counter (23 → ``스물세``), for 1–99; else None.

    >>> native_word(3), native_word(12), native_word(20), native_word(21), native_word(100)
    ('세', '열두', '스무', '스물한', None)
    """
    if not 0 < n < 100:
        return None
    if n == 20:
        return "스무"
    return _NATIVE_TEN_WORDS[n // 10] + _NATIVE_UNIT_WORDS[n % 10]


def sino_word(n: int) -> str | None:
    """The Sino-Korean reading of 1–9999 (25 → ``이십오``, 1980 → ``천구백팔십``); else None.

    >>> sino_word(25), sino_word(10), sino_word(111), sino_word(2027), sino_word(0)
    ('이십오', '십', '백십일', '이천이십칠', None)
    """
    if not 0 < n < 10_000:
        return None
    out = []
    for unit, name in ((1000, "천"), (100, "백"), (10, "십")):
        d, n = divmod(n, unit)
        if d:
            out.append(("" if d == 1 else _SINO_DIGIT_WORDS[d]) + name)
    out.append(_SINO_DIGIT_WORDS[n])
    return "".join(out)


def _spelled(m: re.Match[str], space: str) -> str:
    n, counter = int(m.group("number")), m.group("counter")
    if counter in _NATIVE_COUNTERS and counter != "주일":  # 일주일, 이 주일
        # the clock says 한 시 … 열두 시; 13시 and later are read 십삼 시 or left as digits
        word = native_word(n) if counter != "시" or n <= 12 else None
    elif counter == "월" and n in (6, 10):
        return "유월" if n == 6 else "시월"
    else:
        word = sino_word(n)
    if word is None or m.group("number").startswith("0"):
        return m.group(0)
    if counter == "월":
        space = ""   # month names are one word: 삼월, 십이월
    elif counter in _SPACED_ONLY and len(word) == 1:
        space = " "  # 오 분, never 오분
    return f"{word}{space}{counter}"


def spell(text: str, space: bool = True) -> str:
    """``text`` with counted digits written as Korean number words: the inverse of :func:`digits`.

    Native numbers go before the counters that take them (hours up to 12 only),
    Sino-Korean ones before the others; ``space=False`` writes them onto the counter
    (``세시``), except where :func:`digits` needs the space (``오 분``). Digits that are
    not counted (``21:45``, ``2026-12-01``) or that no word reads (``13시``) stay.

    >>> spell("오후 3시 30분"), spell("12월 25일", space=False), spell("6월 1일"), spell("2명 예약")
    ('오후 세 시 삼십 분', '십이월 이십오일', '유월 일 일', '두 명 예약')
    >>> spell("21:45"), spell("13시"), spell("5분 뒤", space=False), spell("3시간 반 뒤")
    ('21:45', '13시', '오 분 뒤', '세 시간 반 뒤')
    """
    if not text or not any(c.isdigit() for c in text):
        return text
    sp = " " if space else ""
    return _COUNTED_RE.sub(lambda m: _spelled(m, sp), text)


def spellings(text: str) -> list[str]:
    """The number-word spellings of ``text`` (spaced, then written on), without ``text`` itself.

    >>> spellings("오후 3시 반"), spellings("서울"), spellings("5분 뒤")
    (['오후 세 시 반', '오후 세시 반'], [], ['오 분 뒤'])
    """
    return [w for w in dict.fromkeys((spell(text, True), spell(text, False))) if w != text]


# --------------------------------------------------------------------------- amounts of money
# 5만원, 오만 원, 50,000원, 3천5백원, 만 오천 원, 1억 2천만 원, ₩50,000, 50000 KRW
_MONEY_SMALL = {"십": 10, "백": 100, "천": 1000}
_MONEY_BIG = {"만": 10_000, "억": 100_000_000, "조": 1_000_000_000_000}
_MONEY_TOKEN = re.compile(r"\d+\.\d+(?=[십백천만억조])|\d+|[일이삼사오육륙칠팔구]|[십백천]|[만억조]")
# digits apart (010 1234 5678 5만원, 1 5000원) are several numbers, not one; a point only inside
# digits before a unit (1.5만원), never a sentence's full stop (3. 5만원)
_MONEY_APART = re.compile(r"\d\s+\d|\.(?!\d)|(?<!\d)\.")
_MONEY_STRIP = re.compile(r"^(?:₩|￦|\\)|(?:원정?|KRW|krw|₩|￦)$")
_MONEY_COMMAS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def money(text: str) -> int | None:
    """The amount of Korean won ``text`` says, in digits or words or both, or None.

    Commas between thousands, spaces, a leading ₩ and a trailing 원 (or KRW) are allowed;
    anything else (``5만원 정도``, ``두 개``, ``이체``) is None, so only an amount itself reads.

    >>> money("5만원"), money("오만 원"), money("50,000원"), money("3천5백원"), money("만 오천 원")
    (50000, 50000, 50000, 3500, 15000)
    >>> money("1억 2천만 원"), money("2만 5천"), money("₩1,234"), money("십만원"), money("백만 원")
    (120000000, 25000, 1234, 100000, 1000000)
    >>> money("5만원 정도"), money("이체"), money("천천히"), money("5,00원"), money("원")
    (None, None, None, None, None)
    """
    if not isinstance(text, str):
        return None
    if _MONEY_APART.search(text):
        return None
    s = "".join(text.split())
    won = bool(re.search(r"(?:원정?|KRW|krw)$", s))   # 원 typed: every number is in won (2만5원)
    s = _MONEY_STRIP.sub("", _MONEY_STRIP.sub("", s))
    s = _MONEY_COMMAS.sub("", s)
    if not s or "".join(_MONEY_TOKEN.findall(s)) != s:
        return None
    total, section, num = 0, 0, None
    last_small, last_big, limit = 10_000, 10**16, None
    for tok in _MONEY_TOKEN.findall(s):
        if tok[0].isdigit() or tok in _SINO_DIGITS:
            if num is not None:
                return None          # two numbers in a row (이삼, 5 3)
            num = (Fraction(tok) if "." in tok else int(tok)) if tok[0].isdigit() else _SINO_DIGITS[tok]
            if limit is not None and num >= limit:
                return None          # 5천 5000원, 1만 15000원: not 10,000 nor 25,000
        elif tok in _MONEY_SMALL:
            unit = _MONEY_SMALL[tok]
            if unit >= last_small or (num is not None and num >= 10):
                return None          # 십백, 15천: not a number
            section += (1 if num is None else num) * unit
            num, last_small, limit = None, unit, unit
        else:
            unit = _MONEY_BIG[tok]
            if unit >= last_big:
                return None          # 만억
            said = num is not None or section != 0     # 만원 is 1만, 0만원 is none
            section += num or 0
            total += (section if said else 1) * unit
            section, num, last_small, last_big, limit = 0, None, 10_000, unit, 10_000
    if num is not None and (last_big < 10**16 or last_small == 1000):
        # casual shorthand, the unit dropped after a larger one (see _shorthand); with 원 typed
        # (2만5원) neither reading is sure, so none is taken
        short = _shorthand(num, section, last_small, last_big)
        if short is None or won and short != section + num:
            return None
        section, num = short, None
    elif num is None and section and 100_000_000 <= last_big < 10**16:
        if won:
            return None                 # 3억 5천원: 3억 5천만원 mistyped, or 300,005,000원? asked
        section *= last_big // 10_000   # 3억 5천 is 3억 5천만: a few thousand won after 억 is never meant
    total += section + (num or 0)
    if total != int(total):
        return None                  # 1.00005만원: no whole won
    return int(total) or None


def _shorthand(num: int | Fraction, section: int, last_small: int, last_big: int) -> int | None:
    """The section a bare number ending an amount without 원 stands for, the next unit down
    dropped: 천5 is 천5백, 만5 is 만5천, 억2 is 억2천만, 억 5000 is 억 5000만; None when unclear.

    Only a single digit (1–9) after 천, 만 or 억/조 is read so; after 억 or 조 a number of four
    digits is in 만 (1억 5000 is 1억 5000만); any other bare number after 억 (1억 20) is unread."""
    if section and last_small == 1000:             # 3천5, 2만5천5: 천 then a digit is 천N백
        if not (isinstance(num, int) and 1 <= num <= 9):
            return section + num if last_big < 100_000_000 or last_big >= 10**16 else None
        section += num * 100
        return section * (last_big // 10_000) if 100_000_000 <= last_big < 10**16 else section
    if section:                                     # 5백5, 2만 3백5: read as written
        return None if 100_000_000 <= last_big < 10**16 else section + num
    if isinstance(num, int) and 1 <= num <= 9:     # 2만5, 1억2: the next unit down
        return num * (1000 if last_big == 10_000 else last_big // 10)
    if last_big == 10_000:
        return num                                  # 2만 500: 20,500
    if isinstance(num, int) and 1000 <= num <= 9999:
        return num * (last_big // 10_000)           # 1억 5000: 1억 5000만
    return None


def money_text(amount: int) -> str:
    """An amount written as a bank writes it back: digits with commas and 원.

    >>> money_text(50000), money_text(3500), money_text(120000000)
    ('50,000원', '3,500원', '120,000,000원')
    """
    return f"{amount:,}원"


def money_words(amount: int) -> str:
    """An amount as said in Korean, with 만 and 억 and digits for the rest.

    >>> money_words(50000), money_words(3500), money_words(15000), money_words(120000000), money_words(10000)
    ('5만 원', '3,500원', '1만 5,000원', '1억 2,000만 원', '1만 원')
    """
    parts = []
    for unit, name in ((1_000_000_000_000, "조"), (100_000_000, "억"), (10_000, "만")):
        d, amount = divmod(amount, unit)
        if d:
            parts.append(f"{d:,}{name}")
    if amount or not parts:
        parts.append(f"{amount:,}")
    return " ".join(parts) + ("원" if amount else " 원")


_AMOUNT_IN_TEXT = re.compile(r"(?:(?<=\s)|^)(?:[₩￦]\s?)?(?:[\d,.일이삼사오육륙칠팔구십백천만억조]+\s?)+원"
                             r"(?=$|[^가-힣]|을|를|이|가|은|는|도|만|으로|에|의|씩|짜리|정도|쯤|요|입니다|이요)")


# a digit or a big unit alone before 원 is a word, not an amount: 사원 (staff), 구원, 일원, 조원 (team
# member), 이원 (a name); nobody sends 4원 or a bare 1조원 by typing it so
_WORD_IN_WON = re.compile(r"[일이삼사오육륙칠팔구억조]원")


def amounts_in(text: str) -> list[tuple[int, int]]:
    """Where ``text`` says an amount of won, as whole words ending in 원 (``3만원 아니 5만원``:
    both); a leading word that is no part of it is left out (``이 5만원``: 5만원).

    >>> t = "3만원 아니 오만 원 보내줘"; [t[a:b] for a, b in amounts_in(t)]
    ['3만원', '오만 원']
    >>> amounts_in("이체 수수료 원래 있어요"), amounts_in("동생이원")
    ([], [])
    """
    out = []
    for m in _AMOUNT_IN_TEXT.finditer(text):
        start = m.start()
        while start < m.end() and money(text[start:m.end()]) is None:
            nxt = text.find(" ", start, m.end())
            if nxt < 0:
                start = m.end()
                break
            start = nxt + 1
        if start < m.end() and not _WORD_IN_WON.fullmatch(text, start, m.end()):
            out.append((start, m.end()))
    return out


# --------------------------------------------------------------------------- amounts that are not exact
# 5만원 이하 / 미만 / 이상 / 넘게 / 정도 / 쯤 / 내외: a bound or a rough amount, never the amount itself
_QUALIFIERS = {"이하": "max", "이내": "max", "미만": "max", "이상": "min", "초과": "min", "넘게": "min",
               "넘는": "min", "넘어": "min", "정도": "", "쯤": "", "내외": "", "가량": "", "안팎": "",
               "남짓": "", "전후": "", "언저리": "", "안 되게": "max", "안되게": "max", "안 되는": "max",
               "안되는": "max"}
# 좀 넘게, 조금 안 되게: a softening word before the qualifier
_SOFT = r"(?:(?:좀|조금|약간|살짝)\s*)?"
_QUALIFIER_AFTER = re.compile(rf"\s*{_SOFT}({_ALT(_QUALIFIERS)})")
# 2~3만원, 2-3만원, 2, 3만원, 2만에서 3만원 (사이): a low end before the amount (3만원에서 5만원 and
# 3만원, 5만원 are two amounts, asked which; 3만원~5만원 is a range)
_RANGE_BEFORE = re.compile(r"(?<![가-힣\d.,])(?P<low>[\d일이삼사오육륙칠팔구십백천만억][\d,.일이삼사오육륙칠팔구십백천만억]*)(?P<won>(?<=[십백천만억])원)?"
                           r"\s*(?P<sep>~|-|–|,(?=\s)|에서)\s*$")
_RANGE_AFTER = re.compile(r"\s*(?:[~–-]|에서)\s*[\d일이삼사오육륙칠팔구십백천만억조][\d,.일이삼사오육륙칠팔구십백천만억조]*(?:\s?원)?")
_BIG_UNIT_END = re.compile(r"[만억조](?=\s*(?:원정?)?$)")


def _range_low(low: str, high: str) -> int | None:
    """The low end of a range said before ``high``: a bare number takes the unit of ``high`` (2~3만원)."""
    if not re.search(r"[십백천만억조]", low):
        unit = _BIG_UNIT_END.search(high) or re.search(r"[천백](?=\s*(?:원정?)?$)", high)
        low = low + unit.group(0) if unit else low
    return money(low)


def amount_extent(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span an amount at ``text[start:end]`` takes with the words that make it not exact (a
    qualifier after it, ``5만원 이하``, ``5만원 정도``; a low end before it, ``2~3만원``, ``2만에서
    3만원``), or None when it is said exactly.

    >>> t = "2~3만원 보내줘"; a, b = amount_extent(t, 2, 5); t[a:b]
    '2~3만원'
    >>> t = "5만원 이하로"; a, b = amount_extent(t, 0, 3); t[a:b]
    '5만원 이하'
    >>> amount_extent("3만원에서 5만원 사이", 6, 9), amount_extent("회사에서 5만원", 5, 8)
    (None, None)
    """
    m = _RANGE_BEFORE.search(text, 0, start)
    if m is not None and not (m.group("sep") in ("에서", ",") and m.group("won")) \
            and _range_low(m.group("low") + (m.group("won") or ""), text[start:end]) is not None:
        after = re.match(r"\s*사이", text[end:])
        return m.start(), end + (after.end() if after else 0)
    m = _RANGE_AFTER.match(text, end)   # 3만원~5만원, 2만에서 3만원 with 3만원 found: the high end after it
    if m is not None:
        rough = approx_money(text[start:m.end()])
        if rough is not None and rough["value"] is None:
            after = re.match(r"\s*사이", text[m.end():])
            return start, m.end() + (after.end() if after else 0)
    q = _QUALIFIER_AFTER.match(text, end)
    if q is not None:
        return start, q.end()
    return None


def approx_money(text: str) -> dict[str, object] | None:
    """An amount said not exactly (``5만원 이하``, ``5만원 정도``, ``2~3만원``), or None: ``approx`` True,
    ``value`` the amount said (None for a range), ``min``/``max`` where a bound is said and the
    ``qualifier`` typed.

    >>> approx_money("5만원 이하")
    {'value': 50000, 'approx': True, 'qualifier': '이하', 'max': 50000}
    >>> approx_money("2~3만원"), approx_money("5만원")
    ({'value': None, 'approx': True, 'qualifier': '~', 'min': 20000, 'max': 30000}, None)
    """
    m = re.fullmatch(rf"(.+?)\s*{_SOFT}({_ALT(_QUALIFIERS)})", text.strip())
    if m is not None and money(m.group(1)) is not None:
        n, side = money(m.group(1)), _QUALIFIERS[m.group(2)]
        return {"value": n, "approx": True, "qualifier": m.group(2), **({side: n} if side else {})}
    text = re.sub(r"\s*사이$", "", text.strip())
    for m in re.finditer(r"~|-|–|,(?=\s)|에서", text):
        low, high = text[:m.start()].strip(), text[m.end():].strip()
        if not low or (m.group(0) in ("에서", ",") and low.endswith("원")):
            continue
        lo, hi = _range_low(low, high), money(high)
        if lo is not None and hi is not None and lo < hi:
            return {"value": None, "approx": True, "qualifier": m.group(0), "min": lo, "max": hi}
    return None


# --------------------------------------------------------------------------- counts of people and things
# 4명, 네 명, 넷이서, 혼자, 두 사람, 4인, 2인분, 두 개, 한 잔, 스물다섯 명: how many, and of what
#: counters that count people: all read as 명 (네 분, 두 사람, 4인 are 4명, 2명, 4명)
PEOPLE_COUNTERS = ("명", "분", "사람", "인")
#: the counters a count is said with: those of :func:`digits` that count people or things (not 시, 시간,
#: 살, 달, 주일 nor 번: 3번 테이블 and 2번이요 name one, 두 번 is how often), and more that take native numbers (접시, 캔 ...), Sino-Korean ones (인분) or digits (매, 석)
COUNTERS = tuple(sorted(
    {c for c in _NATIVE_COUNTERS if c not in ("시간", "시", "살", "달", "주일", "번")}
    | set(PEOPLE_COUNTERS)
    | {"접시", "캔", "팩", "봉지", "박스", "상자", "통", "판", "조각", "세트", "인분", "매", "석", "좌석", "쌍", "줄"},
    key=len, reverse=True))
# counters taking a Sino-Korean number (이인분, 삼인분); 인, 석, 좌석 and 매 only after digits (사인 is a
# signature, 이 좌석 "this seat")
_SINO_COUNT = frozenset({"인분", "매", "석", "좌석"})
# native numbers said alone, with no counter after them (넷이요, 셋이서, 어른 둘 아이 하나)
_NATIVE_ALONE_UNITS = {"하나": 1, "둘": 2, "셋": 3, "넷": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
_NATIVE_ALONE_TENS = {k: v for k, v in _NATIVE_TENS.items() if k != "스무"}
# two numbers said as one for a rough count (두세 명, 네다섯 개, 서너 잔; 두셋, 서넛 alone)
_NATIVE_RANGES = {"두어": (2, 3), "한두": (1, 2), "한둘": (1, 2), "두세": (2, 3), "두셋": (2, 3), "두서너": (2, 4),
                  "서너": (3, 4), "서넛": (3, 4), "세네": (3, 4), "너덧": (4, 5), "너댓": (4, 5), "네다섯": (4, 5),
                  "네댓": (4, 5), "대여섯": (5, 6), "대엿": (5, 6), "예닐곱": (6, 7), "일여덟": (7, 8),
                  "여덟아홉": (8, 9), "열두세": (12, 13)}
# 혼자 is one person; 이서 / 서 after a number says "so many of us together" (둘이서, 넷이서, 혼자서)
_ALONE = {"혼자": 1, "홀로": 1, "단둘": 2}
_COUNT = re.compile(
    rf"(?P<number>\d{{1,3}}(?:,\d{{3}})+|\d+|[가-힣]+?)"
    rf"(?P<counter>{_ALT(COUNTERS)})?"
    r"(?P<together>이서|서)?"
    r"(?:(?<=[가-힣])만)?"   # 한 명만, 하나만: only so many (never 5만, 50,000)
    r"(?:이요|이에요|이예요|예요|에요|입니다|이|요)?")
# a word before the number that makes the count a rough one (약 5명, 대략 열 명, 한 다섯 명) or a bound
# (최대 6명, 최소 2명, 적어도 세 명)
_BOUNDS = {"최대": "max", "많아야": "max", "최소": "min", "적어도": "min"}
_ABOUT = re.compile(r"^(?P<about>약|대략|대충|얼추|거의|한|최대|많아야|최소|적어도)\s*(?=\S)")


_DIGITS_APART = re.compile(r"\d\s+\d")


def _count_number(number: str, counter: str | None) -> int | None:
    """The value of the number said before ``counter`` (None: said alone), or None."""
    if number.isdigit() or re.fullmatch(r"\d{1,3}(?:,\d{3})+", number):
        n = int(number.replace(",", ""))
        # 20대, 30대: an age, never twenty cars (스무 대 is)
        return None if counter == "대" and n in (10, 20, 30, 40, 50, 60, 70, 80, 90) else n
    if counter is None:
        if number in _NATIVE_ALONE_TENS:
            return _NATIVE_ALONE_TENS[number]
        m = re.fullmatch(rf"({_ALT(_NATIVE_ALONE_TENS)})?({_ALT(_NATIVE_ALONE_UNITS)})", number)
        return None if m is None else _NATIVE_ALONE_TENS.get(m.group(1) or "", 0) + _NATIVE_ALONE_UNITS[m.group(2)]
    if counter in ("인", "석", "좌석", "매"):
        return None   # 사인, 이인, 이석, 이 좌석 ("this seat"), 이 매: words; people write 4인, 2석, 2매
    if counter not in _SINO_COUNT and number not in ("서", "너", "석", "넉"):   # 서명 is a signature
        n = native_number(number)
        if n is not None:
            return n
    n = sino_number(number)
    # Sino-Korean before a counter of its own (이인분), or from 100 up where native numbers end (백 명)
    if n is not None and (counter in _SINO_COUNT or n >= 100):
        return n
    return None


def count(text: str) -> tuple[int, str | None] | None:
    """How many ``text`` says, and of what: ``(value, unit)``, the unit the counter typed (``명`` for
    every counter of people: 분, 사람, 인; ``명`` too for 혼자 and 둘이서) or None for a number said
    alone (``넷``, ``4``); None when ``text`` is no count said exactly.

    >>> count("네 명"), count("넷이서"), count("혼자"), count("4인"), count("두 사람"), count("2인분")
    ((4, '명'), (4, '명'), (1, '명'), (4, '명'), (2, '명'), (2, '인분'))
    >>> count("스물다섯 명"), count("셋이요"), count("한 잔"), count("백 명"), count("0명")
    ((25, '명'), (3, None), (1, '잔'), (100, '명'), (0, '명'))
    >>> count("5명 정도"), count("세종"), count("사인"), count("한"), count("오 분")
    (None, None, None, None, None)
    """
    if not isinstance(text, str) or _DIGITS_APART.search(text):
        return None   # 3 4명 is no 34명 (a range typed loosely, or two numbers)
    m = _COUNT.fullmatch("".join(text.split()))
    if m is None:
        return None
    counter, number = m.group("counter"), m.group("number")
    if counter is None and number in _ALONE:   # 혼자, 혼자서, 혼자요
        return _ALONE[number], "명"
    n = _count_number(number, counter)
    if n is None:
        return None
    people = counter in PEOPLE_COUNTERS or (counter is None and m.group("together") is not None)
    return n, "명" if people else counter


def count_text(n: int, unit: str | None) -> str:
    """A count written one way, for a read-back: digits and the unit (``4명``, ``2인분``), digits alone
    without one.

    >>> count_text(4, "명"), count_text(1200, "개"), count_text(3, None)
    ('4명', '1,200개', '3')
    """
    return f"{n:,}{unit or ''}"


def _count_range(text: str) -> tuple[int, int, str | None, str] | None:
    """``(low, high, unit, qualifier)`` of a count said as a range (``4~5명``, ``네다섯 명``, ``4명에서 5명``,
    ``두셋``), or None."""
    said = re.sub(r"\s*사이$", "", text.strip())
    apart = re.fullmatch(r"(\d+)\s+(\d+\s?\S+)", said)
    if apart is not None:   # 3 4명: typed loosely for 3~4명
        b = count(apart.group(2))
        a = count(apart.group(1) + b[1]) if b is not None and b[1] is not None else None
        return (a[0], b[0], b[1], " ") if a is not None and a[0] < b[0] else None   # type: ignore[index]
    key = "".join(said.split())
    m = re.fullmatch(rf"(?P<words>{_ALT(sorted(_NATIVE_RANGES, key=len, reverse=True))})"
                     rf"(?P<counter>{_ALT(COUNTERS)})?(?:이서|서)?(?:이요|이에요|예요|에요|입니다|이|요)?", key)
    if m is not None:
        lo, hi = _NATIVE_RANGES[m.group("words")]
        counter = m.group("counter")
        return lo, hi, ("명" if counter in PEOPLE_COUNTERS else counter), m.group("words")
    for sep in re.finditer(r"~|-|–|에서|,|또는|아니면|이나|나|내지", key):
        low, high = key[:sep.start()], key[sep.end():]
        b = count(high)
        if not low or b is None:
            continue
        a = count(low)
        if (a is None or a[1] is None) and b[1] is not None:
            # the low end takes the high end's counter (4~5명: 4명 to 5명; 네~다섯 명)
            m = re.search(rf"({_ALT(COUNTERS)})(?:이서|서)?(?:이요|이에요|예요|에요|입니다|이|요)?$", high)
            a = count(low + m.group(1)) if m else None
        if a is not None and a[1] == b[1] and a[0] < b[0]:
            return a[0], b[0], b[1], sep.group(0)
    return None


def approx_count(text: str) -> dict[str, object] | None:
    """A count said not exactly, or None: a range (``4~5명``, ``네다섯 명``, ``두세 개``: ``value`` None,
    ``min`` and ``max``), a rough count (``5명 정도``, ``약 다섯 명``, ``한 열 명``) or a bound
    (``5명 이상``, ``최소 5명``: ``min``; ``10명 미만``, ``10명 안 되게``, ``최대 10명``: ``max``), with ``approx`` True, ``unit`` and the ``qualifier``
    typed, as :func:`approx_money` gives them.

    >>> approx_count("4~5명")
    {'value': None, 'approx': True, 'qualifier': '~', 'min': 4, 'max': 5, 'unit': '명'}
    >>> approx_count("네다섯 명")["min"], approx_count("5명 정도")["value"], approx_count("약 다섯 명")["qualifier"]
    (4, 5, '약')
    >>> approx_count("10명 이상")["min"], approx_count("5명"), approx_count("한 명")
    (10, None, None)
    """
    if not isinstance(text, str):
        return None
    said = text.strip()
    if count(said) is not None:
        return None   # said exactly (1,500명 is no range from 1 to 500)
    rng = _count_range(said)
    if rng is not None:
        lo, hi, unit, qualifier = rng
        return {"value": None, "approx": True, "qualifier": qualifier, "min": lo, "max": hi, "unit": unit}
    m = re.fullmatch(rf"(.+?)\s*{_SOFT}({_ALT(_QUALIFIERS)})(?:이요|요|입니다|이에요|예요)?", said)
    if m is not None:
        got = count(m.group(1)) or _about(m.group(1))
        rng = _count_range(m.group(1)) if got is None else None
        if rng is not None:   # 4~5명 정도: the range
            lo, hi, unit, qualifier = rng
            return {"value": None, "approx": True, "qualifier": qualifier, "min": lo, "max": hi, "unit": unit}
        if got is not None:
            side = _QUALIFIERS[m.group(2)]
            n, unit = got[0], got[1]
            return {"value": n, "approx": True, "qualifier": m.group(2), **({side: n} if side else {}), "unit": unit}
        return None
    a = _ABOUT.match(said)
    got = _about(said) if a is not None and count(said) is None else None
    if got is None:
        return None
    side = _BOUNDS.get(a.group("about"))   # type: ignore[union-attr]
    return {"value": got[0], "approx": True, "qualifier": a.group("about"),   # type: ignore[union-attr]
            **({side: got[0]} if side else {}), "unit": got[1]}


def _about(text: str) -> tuple[int, str | None] | None:
    """The count after a word saying it is rough (약 5명, 한 다섯 명), or None."""
    a = _ABOUT.match(text.strip())
    return None if a is None else count(text.strip()[a.end():])


# the words around a count that make it no exact one: a rough word before it (약 | 5명, 한 | 다섯 명),
# a low end before it (4~ | 5명, 4명에서 | 5명, 네 | 다섯 명 is 네다섯) or a qualifier after it (5명 | 정도)
_ROUGH_BEFORE = re.compile(r"(?:^|(?<=\s))(?:약|대략|대충|얼추|거의|한|최대|많아야|최소|적어도)\s?$")
_LOW_BEFORE = re.compile(r"(?:^|(?<=\s))(?:\d+|[가-힣]{1,4})\s?(?:~|-|–|,|에서|이나|나|또는|내지)?\s?$")


def count_extent(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span a count at ``text[start:end]`` takes with the words that make it no exact one (a
    qualifier after it, ``5명 정도``; a rough word or a low end before it, ``약 5명``, ``4~5명``,
    ``네 다섯 명``), or None when it is said exactly.

    >>> t = "약 5명 예약"; a, b = count_extent(t, 2, 4); t[a:b]
    '약 5명'
    >>> t = "4~5명이요"; a, b = count_extent(t, 2, 4); t[a:b]
    '4~5명'
    >>> t = "다섯 명 정도 갈게요"; a, b = count_extent(t, 0, 4); t[a:b]
    '다섯 명 정도'
    >>> count_extent("내일 다섯 명", 3, 7), count_extent("한 명이요", 0, 3)
    (None, None)
    """
    q = _QUALIFIER_AFTER.match(text, end)
    stop = q.end() if q is not None and approx_count(text[start:q.end()]) is not None else end
    for rx in (_LOW_BEFORE, _ROUGH_BEFORE):
        m = rx.search(text, 0, start)
        if m is not None and m.start() < start and approx_count(text[m.start():stop]) is not None:
            return m.start(), stop
    if stop == end:   # 한 명 더, 두 명 추가, 한 명 빼고: a count to add or take away, no count in itself
        m = _CHANGE_AFTER.match(text, end)
        if m is not None and count_change(text[start:m.end()]) is not None:
            return start, m.end()
    return (start, stop) if stop != end else None


# a count said as a change to one held (한 명 더, 두 명 추가, 한 잔 더요, 한 명 빼줘, 한 명 빼고, 한 명 덜):
# how many more (+) or fewer (-); the word after the count and what may follow it
# (늘려, 늘었어요; 빠져요, 빠졌어요, 빠질 것 같아요: a restaurant bot's party told so)
_CHANGE_WORDS = {"더": 1, "추가": 1, "늘려": 1, "늘어": 1, "늘었": 1, "늘어났": 1, "빼고": -1, "빼": -1, "줄여": -1,
                 "줄었": -1, "줄어": -1, "덜": -1, "빠져": -1, "빠졌": -1, "빠질": -1, "빠지": -1, "빠진": -1}
# ... with a particle after the count as said (한 명이 빠졌어요, 한 명을 빼주세요, 두 명이 더 와요; resv14's
# reading): 더 after one only before a verb of coming or adding (셋이 더 좋아요 says 'better', no change)
_CHANGE_AFTER = re.compile(rf"\s*(?:(?P<particle>이|가|을|를)\s+)?"
                           rf"(?P<word>{_ALT(sorted(_CHANGE_WORDS, key=len, reverse=True))})"
                           r"(?=$|[^가-힣]|요|이요|해|하|할|로|으로|돼|되|됐|된|났|주|줘|어|고|대)"
                           r"(?(particle)(?:(?<=더)(?=\s*(?:와|오|올|온|갈|가|추가|필요|있|늘|예약)|$)|(?<!더))|)")
_CHANGE = re.compile(rf"(?P<count>.+?){_CHANGE_AFTER.pattern}(?:요|이요|해\S*|하\S*|할\S*|로|으로|주세요|줘\S*|어\S*)?")


def count_change(text: str) -> tuple[int, str | None] | None:
    """A count said as a change to one held: ``(delta, unit)``, ``delta`` the number to add (``한 명 더``,
    ``두 명 추가``: 1, 2) or, negative, to take away (``한 명 빼줘``, ``한 명 빼고``: -1), or None.

    >>> count_change("한 명 더"), count_change("두 명 추가요"), count_change("한 잔 빼주세요"), count_change("한 명")
    ((1, '명'), (2, '명'), (-1, '잔'), None)
    >>> count_change("한 명 늘려줘"), count_change("두 명 빠졌어요"), count_change("한 명 빠질")
    ((1, '명'), (-2, '명'), (-1, '명'))
    """
    m = _CHANGE.fullmatch(text.strip()) if isinstance(text, str) else None
    got = count(m.group("count")) if m is not None else None
    if got is None or got[0] <= 0:
        return None
    return got[0] * _CHANGE_WORDS[m.group("word")], got[1]   # type: ignore[union-attr]


# --------------------------------------------------------------------------- digits read out one by one
_DIGIT_SYLLABLES = {"공": "0", "영": "0", "빵": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육": "6",
                    "륙": "6", "칠": "7", "팔": "8", "구": "9"}
# a word of digits read out (이공이육, 공일공, 2026), with an ending at most (일이삼이요: 이요, not a 2)
_SPOKEN_WORD = re.compile(rf"([{''.join(_DIGIT_SYLLABLES)}\d-]+?)(이요|이에요|이고|입니다|예요|요|번이요|번입니다|번)?")


def spoken_digits(text: str) -> tuple[str, list[int]]:
    """``text`` with digits read out one by one written as digits (``이공이육일일이삼`` → ``20261123``,
    ``이 공 이 육`` → ``2026``, ``공일공`` → ``010``; 공, 영 and 빵 are 0), and for each character of the
    result, and its end, the offset in ``text`` it comes from. Words made only of digit syllables (or
    digits) in a row, an ending after the last (``이요``), count when they hold at least three digits;
    words of one digit run together (``이 공 이 육``), longer ones keep their space (``이공이육
    일일이삼`` → ``2026 1123``). For a value of digits asked for (an order number), not for any text:
    ``이사`` and ``오일`` are words.

    >>> spoken_digits("이공이육일일이삼 공공공일이삼이요")[0], spoken_digits("공일공")[0]
    ('20261123 000123이요', '010')
    """
    words = [(m.start(), m.end(), _SPOKEN_WORD.fullmatch(m.group(0))) for m in re.finditer(r"\S+", text)]
    runs: list[list[tuple[int, int, re.Match[str]]]] = []
    for a, b, m in words:
        if m is None or not any(ch in _DIGIT_SYLLABLES or ch.isdigit() for ch in m.group(1)):
            continue
        run = runs[-1] if runs else None
        if run is not None and run[-1][2].group(2) is None and text[run[-1][1]:a].strip() == "":
            run.append((a, b, m))
        else:
            runs.append([(a, b, m)])
    out: list[str] = []
    where: list[int] = []
    at = 0
    for run in runs:
        if sum(ch in _DIGIT_SYLLABLES or ch.isdigit() for _, _, m in run for ch in m.group(1)) < 3:
            continue
        for k, (a, _, m) in enumerate(run):
            if k == 0:
                out += text[at:a]
                where += range(at, a)
            elif len(m.group(1)) > 1 and len(run[k - 1][2].group(1)) > 1:
                out.append(" ")
                where.append(a - 1)
            for i, ch in enumerate(m.group(1)):
                out.append(_DIGIT_SYLLABLES.get(ch, ch))
                where.append(a + i)
            at = a + len(m.group(1))
    out += text[at:]
    where += range(at, len(text) + 1)
    return "".join(out), where
