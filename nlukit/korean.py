"""Korean particles that fit the word before them: 은/는, 이/가, (으)로, (이)랑 ...

A particle's form depends on how the preceding word *sounds*: the form with a final
consonant (batchim) follows a word that ends in one, and ``(으)로`` takes ``로`` after
a vowel **or** after ㄹ. Digits and Latin letters are read the Korean way, so
``1`` (일) and ``KTX`` (케이티엑스) are judged by their reading, numbers by their last
spoken unit (``10`` 십, ``1000`` 천, ``10000`` 만), and trailing punctuation or a
closing bracket is skipped. All-capital acronyms are spelled out (``BTS`` 비티에스) but a
pronounceable capital word is read as English (``BIGBANG`` 빅뱅, ``LILAC`` 라일락); English
words end the way Korean writes them (``Velvet`` 벨벳 ㅅ, ``Cake`` 케이크: a vowel).

>>> choose_particle("서울", "은/는"), choose_particle("부산", "(으)로"), choose_particle("서울", "(으)로")
('은', '으로', '로')
>>> attach("KTX", "을/를"), attach("3", "이/가"), attach("10", "(으)로"), attach("SRT", "(이)랑")
('KTX를', '3이', '10으로', 'SRT랑')
>>> render("{origin}에서 {destination}(으)로 가는 기차", {"origin": "서울", "destination": "부산"})
'서울에서 부산으로 가는 기차'

Either order of a slash pair is accepted (``는/은`` is ``은/는``). When nothing in the
word can be read (Hanja, emoji, an empty string) the neutral written form is used,
as Korean software does: ``을(를)``, ``(으)로``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from .errors import InputError

__all__ = ["PARTICLE_PAIRS", "attach", "choose_particle", "ends_with_rieul", "final_consonant",
           "has_batchim", "is_particle_pair", "match_particle", "render", "slot_names"]

_JONG = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
         "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")

# Final sound of each digit read in Sino-Korean: 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT_FINAL = ("ㅇ", "ㄹ", "", "ㅁ", "", "", "ㄱ", "ㄹ", "ㄹ", "")
# Final sound of the last spoken unit after n trailing zeros: 십 백 천 만 ... 억 ... 조 ... 경.
_UNIT_FINAL = {1: "ㅂ", 2: "ㄱ", 3: "ㄴ"}
_BIG_UNIT_FINAL = ("ㄴ", "ㄱ", "", "ㅇ")  # 만 (10^4..7), 억 (10^8..11), 조 (10^12..15), 경 (10^16..)
# Final sound of each Latin letter's Korean name: 에이 비 씨 디 이 에프 지 에이치 아이 제이 케이
# 엘 엠 엔 오 피 큐 알 에스 티 유 브이 더블유 엑스 와이 제트(지).
_LETTER_FINAL = {c: "" for c in "ABCDEFGHIJKOPQSTUVWXYZ"}
_LETTER_FINAL.update({"L": "ㄹ", "M": "ㅁ", "N": "ㄴ", "R": "ㄹ"})

# Units and symbols after a number, by the final sound of their Korean reading.
_UNIT_FINAL_SOUND = {"km": "", "cm": "", "mm": "", "m": "", "kg": "ㅁ", "g": "ㅁ", "mg": "ㅁ",
                     "ml": "", "mL": "", "l": "", "t": "", "kcal": "ㄹ", "cal": "ㄹ", "h": "", "min": "ㄴ",
                     "s": "", "ms": "", "GB": "", "MB": "", "KB": "", "TB": "", "kW": "", "W": "",
                     "V": "", "Hz": "", "px": "", "x": ""}
_SYMBOL_FINAL = {"%": "", "℃": "", "°": "", "㎞": "", "㎏": "ㅁ", "$": "ㄹ", "€": "", "¥": "", "￦": "ㄴ",
                 "₩": "ㄴ"}

# Slash pairs: (form after a consonant, form after a vowel).
_SLASH = {
    "은/는": ("은", "는"), "이/가": ("이", "가"), "을/를": ("을", "를"), "과/와": ("과", "와"),
    "아/야": ("아", "야"), "이에요/예요": ("이에요", "예요"), "이어요/여요": ("이어요", "여요"),
    "이었/였": ("이었", "였"), "이라/라": ("이라", "라"), "이랑/랑": ("이랑", "랑"),
    "으로/로": ("으로", "로"), "이나/나": ("이나", "나"),
}
# The parenthesised markers: (으)X drops 으 after a vowel or ㄹ, (이)X drops 이 after a vowel.
_PAREN_EXAMPLES = ("(으)로", "(으)로서", "(으)로써", "(으)로부터", "(으)로는", "(으)로도", "(으)로만",
                   "(이)랑", "(이)나", "(이)라고", "(이)여", "(이)며", "(이)야", "(이)에요", "(이)라서",
                   "(이)라도", "(이)든지", "(이)든가", "(이)라면", "(이)고", "(이)지만", "(이)란")

#: Every particle pair written in the canonical order, consonant form first. Either
#: order of a slash pair, and ``(으)``/``(이)`` followed by any Hangul, are accepted too.
PARTICLE_PAIRS: tuple[str, ...] = tuple(_SLASH) + _PAREN_EXAMPLES

_SLASH_ANY: dict[str, tuple[str, str]] = {}
for _k, (_c, _v) in _SLASH.items():
    _SLASH_ANY[f"{_c}/{_v}"] = (_c, _v)
    _SLASH_ANY[f"{_v}/{_c}"] = (_c, _v)
    _SLASH_ANY[f"{_c}({_v})"] = (_c, _v)  # 을(를): the neutral written form
    _SLASH_ANY[f"{_v}({_c})"] = (_c, _v)  # 를(을)
_SLASH_BY_LENGTH = sorted(_SLASH_ANY, key=len, reverse=True)
_PAREN_RE = re.compile(r"\((으|이)\)([가-힣]+)")
# After a vowel, (이) contracts with a following 에/었/어: 파리예요, 의사였다, 의사여서.
_CONTRACT = {"에": "예", "었": "였", "어": "여"}


# English words whose final sound the rule below gets wrong (lower case → final jamo).
_WORD_FINAL = {
    "hit": "", "set": "", "net": "", "bit": "", "kit": "", "check": "", "ballet": "", "buffet": "",
    "type": "ㅂ", "club": "ㅂ", "pub": "ㅂ", "web": "ㅂ", "lab": "ㅂ", "tab": "ㅂ", "job": "ㅂ",
    "good": "ㅅ", "shoot": "ㅅ", "tweet": "ㅅ", "bag": "ㄱ", "big": "ㄱ", "york": "ㄱ", "toeic": "ㄱ",
}
_STOP_FINAL = {"t": "ㅅ", "p": "ㅂ", "k": "ㄱ", "c": "ㄱ"}
# Vowel digraphs that still read short before the stop: book 북, deep 딥, cheap 칩, out 아웃.
_SHORT_DIGRAPHS = {("oo", "k"), ("ee", "p"), ("ea", "p"), ("ou", "t")}


def _latin_word_final(word: str) -> str:
    """Final sound of an English word as it is usually transcribed (Google 구글, iPhone 아이폰).

    -ng ㅇ, -m/-me/-mb ㅁ, -n/-ne ㄴ, -l/-le/-ll ㄹ. A final t/p/k (also -ck, -c) right
    after a single short vowel letter is a batchim, as the loanword rules write it
    (Velvet 벨벳 ㅅ, Up 업 ㅂ, Rock 록 ㄱ, Magic 매직 ㄱ; also book 북, deep 딥, out 아웃);
    after a consonant, a long vowel or a silent e it takes 으 and ends in a vowel
    (Heart 하트, Street 스트리트, Cake 케이크). Every other ending (-s 스, -r 어, -d 드,
    -x 스 ...) ends in a vowel. ``_WORD_FINAL`` lists common words that break the rule
    (Hit 히트, Check 체크, Type 타입, Club 클럽, Good 굿, York 욕).
    """
    w = word.lower()
    if w in _WORD_FINAL:
        return _WORD_FINAL[w]
    if w.endswith("ng"):
        return "ㅇ"
    if w.endswith("mb"):
        return "ㅁ"
    if w.endswith("e") and len(w) > 2 and w[-2] in "mnl":
        w = w[:-1]
    last = w[-1]
    if last in "mnl":
        return {"m": "ㅁ", "n": "ㄴ", "l": "ㄹ"}[last]
    if last not in _STOP_FINAL:
        return ""
    core = w[:-2] if w.endswith("ck") else w[:-1]
    if not core or core[-1] not in "aeiou":
        return ""  # a consonant cluster before the stop: 하트, 점프, 데스크
    if len(core) >= 2 and core[-2] in "aeiouy" and (core[-2:], "k" if last == "c" else last) not in _SHORT_DIGRAPHS:
        return ""  # a long vowel: 스트리트, 보트, 브레이크
    return _STOP_FINAL[last]


# All-capital words: acronyms are spelled out (KTX 케이티엑스), pronounceable names read as
# words (BIGBANG 빅뱅). The heuristic below decides; these tables override it.
_CAPS_WORDS = frozenset({"UP", "TOP", "POP", "BIG"})  # short words read as words: 업 톱 팝 빅
_CAPS_ACRONYMS = frozenset({"ASMR", "KOTRA", "OLED", "ISBN", "ESPN", "OECD"})  # spelled out, vowels or not
_ONSETS = frozenset({"BL", "BR", "CH", "CL", "CR", "DR", "FL", "FR", "GL", "GR", "KL", "KN", "KR", "PH", "PL",
                     "PR", "QU", "SC", "SH", "SK", "SL", "SM", "SN", "SP", "ST", "SW", "TH", "TR", "TW", "WH", "WR",
                     "SCH", "SCR", "SHR", "SPL", "SPR", "SQU", "STR", "THR", "CHR"})


@lru_cache(maxsize=4096)
def _caps_read_as_word(run: str) -> bool:
    """True when an all-capital Latin run is read as an English word, not letter by letter.

    A run of 4+ letters is a word when it looks pronounceable: it has a vowel (A E I O
    U, or Y after the first letter), starts with a vowel or an English onset (B, BL,
    STR ...; not BT, MB, NM) and has no run of 4+ consonants: BIGBANG 빅뱅, WINNER 위너,
    LILAC 라일락, TWICE 트와이스, NAVER 네이버. Shorter runs (KTX, BTS, IU, EXO, CNN) and
    runs failing a test (HTML, MBTI, BTOB, NMIXX) are acronyms. ``_CAPS_WORDS`` and
    ``_CAPS_ACRONYMS`` override the heuristic (UP 업; ASMR 에이에스엠알).
    """
    if run in _CAPS_WORDS:
        return True
    if run in _CAPS_ACRONYMS or len(run) < 4:
        return False
    marked = run[0] + run[1:].replace("Y", "A")  # Y after the first letter sounds as a vowel
    if not any(v in marked for v in "AEIOU"):
        return False  # no vowel: HTML, SNSD
    if any(len(r) >= 4 for r in re.findall(r"[^AEIOU]+", marked)):
        return False  # SECHSKIES-like clusters are not English syllables
    onset = re.match(r"[^AEIOU]*", marked).group(0)  # type: ignore[union-attr]
    return len(onset) <= 1 or onset in _ONSETS


def _number_final(digits: str, fraction: bool) -> str:
    """Final sound of a digit string read as a Sino-Korean number (or digit by digit)."""
    if fraction:  # after a decimal point digits are read one by one: 3.14 삼 점 일사
        return _DIGIT_FINAL[int(digits[-1])]
    stripped = digits.lstrip("0")
    if not stripped:
        return _DIGIT_FINAL[0]  # 0, 00: 영
    zeros = len(stripped) - len(stripped.rstrip("0"))
    if zeros == 0:
        return _DIGIT_FINAL[int(stripped[-1])]
    if zeros in _UNIT_FINAL:
        return _UNIT_FINAL[zeros]
    return _BIG_UNIT_FINAL[min((zeros - 4) // 4, 3)]


# A clock time H:MM or H:MM:SS (not a ratio like 3:1): read 시, 분 or 초 after its last
# non-zero field: 19:00 열아홉 시 (vowel), 7:30 일곱 시 삼십 분 (ㄴ), 12:30:45 ... 초 (vowel).
_CLOCK_RE = re.compile(r"(?<![\d:])([01]?\d|2[0-4]):([0-5]\d)(?::([0-5]\d))?$")


def _clock_final(m: re.Match[str]) -> str:
    """Final sound of a clock time by the unit read last: 초 and 시 end in a vowel, 분 in ㄴ."""
    seconds = m.group(3)
    if seconds is not None and seconds != "00":
        return ""  # 초
    return "ㄴ" if m.group(2) != "00" else ""  # 분 / 시


_FULLWIDTH = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)}


@lru_cache(maxsize=65536)
def final_consonant(word: str) -> str | None:
    """The final consonant (compatibility jamo) of ``word`` as read aloud.

    ``""`` when it ends in a vowel, ``None`` when nothing in it can be read.

    >>> final_consonant("서울"), final_consonant("부산"), final_consonant("파리")
    ('ㄹ', 'ㄴ', '')
    >>> final_consonant("100"), final_consonant("1,000"), final_consonant("KTX"), final_consonant("BTS")
    ('ㄱ', 'ㄴ', '', '')
    >>> final_consonant("서울(강남)!"), final_consonant("東京") is None
    ('ㅁ', True)
    >>> final_consonant("30%"), final_consonant("5kg"), final_consonant("10km"), final_consonant("TM")
    ('', 'ㅁ', '', 'ㅁ')
    >>> final_consonant("19:00"), final_consonant("7:30"), final_consonant("3:1")
    ('', 'ㄴ', 'ㄹ')
    >>> final_consonant("BIGBANG"), final_consonant("LILAC"), final_consonant("MBTI"), final_consonant("Red Velvet")
    ('ㅇ', 'ㄱ', '', 'ㅅ')
    """
    if not isinstance(word, str):
        raise InputError(f"expected a str, got {type(word).__name__}; pass the word as a string")
    # full-width digits and letters (３, ＫＴＸ) read like their ASCII forms
    text = word.translate(_FULLWIDTH) if any("\uff01" <= c <= "\uff5e" for c in word) else word
    i = len(text) - 1
    while i >= 0:
        ch = text[i]
        o = ord(ch)
        if 0xAC00 <= o <= 0xD7A3:
            return _JONG[(o - 0xAC00) % 28]
        if 0x3131 <= o <= 0x314E:  # a bare consonant jamo (ㅋㅋ)
            return ch
        if 0x314F <= o <= 0x3163:  # a bare vowel jamo
            return ""
        if "0" <= ch <= "9":
            j = i
            while j >= 0 and ("0" <= text[j] <= "9" or (text[j] == "," and j > 0 and j < i
                                                         and text[j - 1].isdigit())):
                j -= 1
            digits = text[j + 1:i + 1].replace(",", "")
            clock = _CLOCK_RE.search(text, 0, i + 1)
            if clock is not None and clock.end() == i + 1:
                return _clock_final(clock)
            fraction = j >= 1 and text[j] == "." and "0" <= text[j - 1] <= "9"
            return _number_final(digits, fraction)
        if ch.isascii() and ch.isalpha():
            j = i
            while j >= 0 and text[j].isascii() and text[j].isalpha():
                j -= 1
            run = text[j + 1:i + 1]
            if j >= 0 and "0" <= text[j] <= "9" and run in _UNIT_FINAL_SOUND:  # 10km 십 킬로미터
                return _UNIT_FINAL_SOUND[run]
            if len(run) == 1 or (run.isupper() and not _caps_read_as_word(run)):
                return _LETTER_FINAL[ch.upper()]
            return _latin_word_final(run)
        if ch.isalpha():  # Hanja, kana, other scripts: no reading known
            return None
        if ch in _SYMBOL_FINAL and i > 0 and "0" <= text[i - 1] <= "9":  # 30% 삼십 퍼센트
            return _SYMBOL_FINAL[ch]
        i -= 1  # punctuation, brackets, spaces, symbols: look further left
    return None


def has_batchim(word: str) -> bool:
    """True when ``word`` ends in a consonant sound (``서울``, ``3`` 삼, ``LTE`` 이: False).

    >>> has_batchim("서울"), has_batchim("파리"), has_batchim("3"), has_batchim("2")
    (True, False, True, False)
    """
    return bool(final_consonant(word))


def ends_with_rieul(word: str) -> bool:
    """True when ``word`` ends in ㄹ (``서울``, ``1`` 일, ``7`` 칠, ``L`` 엘): ``(으)로`` → ``로``.

    >>> ends_with_rieul("서울"), ends_with_rieul("7"), ends_with_rieul("부산")
    (True, True, False)
    """
    return final_consonant(word) == "ㄹ"


def match_particle(text: str, pos: int = 0) -> str | None:
    """The particle pair written at ``text[pos:]`` (longest match), or None.

    >>> match_particle("(으)로 가는"), match_particle("는/은 어때"), match_particle("에서")
    ('(으)로', '는/은', None)
    """
    for key in _SLASH_BY_LENGTH:
        if text.startswith(key, pos):
            return key
    m = _PAREN_RE.match(text, pos)
    if m:
        # the pair is the marker plus the one Hangul syllable that decides contraction
        return m.group(0)
    return None


def is_particle_pair(pair: str) -> bool:
    """True when ``pair`` is a particle pair :func:`choose_particle` understands."""
    return match_particle(pair) == pair


@lru_cache(maxsize=65536)
def choose_particle(word: str, pair: str) -> str:
    """The form of ``pair`` that fits after ``word``.

    >>> [choose_particle(w, "이/가") for w in ("서울", "파리", "1", "2", "KTX", "LG")]
    ['이', '가', '이', '가', '가', '가']
    >>> [choose_particle(w, "(이)에요") for w in ("서울", "파리")]
    ['이에요', '예요']
    >>> choose_particle("東京", "을/를")
    '을(를)'
    """
    final = final_consonant(word)
    if pair in _SLASH_ANY:
        cons, vowel = _SLASH_ANY[pair]
        if final is None:
            return f"{cons}({vowel})"
        return cons if final else vowel
    m = _PAREN_RE.fullmatch(pair)
    if not m:
        raise InputError(f"unknown particle pair {pair!r}; use one of {', '.join(PARTICLE_PAIRS)} "
                         "(either order of a slash pair, or (으)/(이) before any ending)")
    marker, rest = m.group(1), m.group(2)
    if final is None:
        return pair
    if final and not (marker == "으" and final == "ㄹ"):
        return marker + rest
    if marker == "이" and rest[0] in _CONTRACT:
        return _CONTRACT[rest[0]] + rest[1:]
    return rest


def attach(word: str, pair: str) -> str:
    """``word`` followed by the fitting form of ``pair``: ``attach("서울", "을/를") == "서울을"``."""
    return word + choose_particle(word, pair)


# a slot {name} (any text without braces: an unknown name is an error, not literal text), or {{ / }}
_SLOT_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
# closing quotes and brackets that may stand between a slot and its particle: '{name}'은/는
_CLOSING_RE = re.compile(r"['\"’”)\]」』>]+")


def slot_names(template: str) -> list[str]:
    """The slot names a :func:`render` template uses, in order (repeats kept).

    >>> slot_names("{origin}에서 {destination}(으)로 {{x}} {origin}")
    ['origin', 'destination', 'origin']
    """
    return [m.group(1) for m in _SLOT_RE.finditer(template) if m.group(1) is not None]


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` slots and fit the particle pair written right after each slot.

    ``{{`` and ``}}`` stand for literal braces; any other ``{...}`` is a slot, and a
    name missing from ``values`` is an error. A closing quote or bracket may stand
    between a slot and its particle (``'{name}'은/는``). An empty value drops its
    particle, and the space it would leave doubled (or at either end) is closed.
    Text that is not right after a slot is left alone.

    >>> render("{date} {location}은/는 맑아요. {food}(이)랑 같이 드세요.",
    ...        {"date": "내일", "location": "제주", "food": "김밥"})
    '내일 제주는 맑아요. 김밥이랑 같이 드세요.'
    >>> render("「{song}」을/를 틀게요 {{}}", {"song": "봄날"})
    '「봄날」을 틀게요 {}'
    >>> render("{date} {time} {song}을/를 틀게요", {"date": "내일", "time": "", "song": ""})
    '내일 틀게요'

    ``[...]`` holding a slot is an optional part: written (without the brackets) when every
    slot in it has a value, left out whole when one is empty, the space it would leave doubled
    closed. A particle pair right after ``]`` fits what ends up before it: the part, or the word
    before the part when it is left out. Brackets holding no slot are text (``[안내]``); ``[[`` and
    ``]]`` are literal brackets anywhere. A ``[`` before a slot that no ``]`` closes, parts inside
    parts, and a ``]`` right after a slot that no ``[`` opened are errors
    (:func:`template_problem` names them).

    >>> tpl = "{dept}[ {doctor} 선생님](으)로 예약할까요?"
    >>> render(tpl, {"dept": "내과", "doctor": "김민수"}), render(tpl, {"dept": "내과", "doctor": ""})
    ('내과 김민수 선생님으로 예약할까요?', '내과로 예약할까요?')
    >>> render("{dept} [{doctor} 선생님으로] 예약할까요? [[안내]]", {"dept": "내과", "doctor": ""})
    '내과 예약할까요? [안내]'
    """
    out: list[str] = []
    dropped = after_part = False
    for piece, optional in _pieces(template):
        if optional:
            names = slot_names(piece)
            for name in names:
                _value(template, values, name)
            dropped = not all(str(values[name]).strip() for name in names)   # "  " is none said
            if not dropped:
                before = "".join(out)
                if (not before or before.endswith(" ")) and piece.startswith(" "):
                    piece = piece[1:]   # after a part left out: [{a}][ {b}]
                _fill(template, piece, values, out)
            after_part = True
            continue
        if not piece:   # between two parts, [{a} ][{b} ]: nothing to write, nor a space to close
            continue
        if after_part:
            pair = match_particle(piece)
            if pair is not None:
                piece = piece[len(pair):]
                before = "".join(out)
                if before and not before[-1].isspace():
                    out.append(choose_particle(before.split()[-1], pair))
            if dropped:
                before = "".join(out)
                if (not before or before.endswith(" ")) and piece.startswith(" "):
                    piece = piece[1:]
                elif not piece and before.endswith(" "):
                    out[:] = [before[:-1]]
        dropped = after_part = False
        _fill(template, piece, values, out)
    if dropped and "".join(out).endswith(" "):
        out[:] = ["".join(out)[:-1]]
    return "".join(out)


def _value(template: str, values: Mapping[str, str], name: str) -> str:
    if name not in values:
        raise InputError(f"template {template!r} names slot {{{name}}} but it has no value "
                         f"(given: {', '.join(sorted(values)) or 'none'})")
    return str(values[name])


def _fill(template: str, piece: str, values: Mapping[str, str], out: list[str]) -> None:
    """Append ``piece`` (text without optional parts) to ``out`` with its slots filled."""
    pos = 0
    for m in _SLOT_RE.finditer(piece):
        if m.start() < pos:
            continue
        out.append(piece[pos:m.start()])
        pos = m.end()
        name = m.group(1)
        if name is None:  # {{ or }}
            out.append(m.group(0)[0])
            continue
        value = _value(template, values, name)
        out.append(value)
        closing = _CLOSING_RE.match(piece, pos)
        after = closing.end() if closing else pos
        pair = match_particle(piece, after)
        if pair is not None:
            out.append(piece[pos:after])
            if value:
                out.append(choose_particle(value, pair))
            pos = after + len(pair)
        if not value:
            before = "".join(out)
            if not before or before.endswith(" "):
                if piece.startswith(" ", pos):
                    pos += 1
                elif pos == len(piece) and before:
                    out[:] = [before[:-1]]
    out.append(piece[pos:])


_BRACKET_RE = re.compile(r"\[\[|\]\]|[\[\]]")
# a slot, and closing quotes after it, ending the text before a ]: '{name}']
_AFTER_SLOT_RE = re.compile(r"(?<!\{)\{[^{}]*\}['\"’”)」』>]*$")


def _pieces(template: str) -> list[tuple[str, bool]]:
    """``template`` cut into text and optional parts (``[...]`` holding a slot, brackets off):
    ``(piece, optional)`` in order, ``[[``/``]]`` read as brackets. Bad brackets raise InputError."""
    out: list[tuple[str, bool]] = []
    text: list[str] = []
    pos = 0
    opened: int | None = None   # where a [ that may open a part stands
    part: list[str] = []        # what follows it so far, [[ and ]] read as brackets
    for m in _BRACKET_RE.finditer(template):
        mark = m.group(0)
        if opened is not None:
            part.append(template[pos:m.start()])
            pos = m.end()
            if mark == "[" and slot_names("".join(part)):
                raise InputError(f"template {template!r}: an optional part [...] holds another '[' "
                                 f"(at {m.start()}); parts do not nest: close the first with ']' before it, "
                                 "or write '[[' for a bracket")
            if mark != "]":
                if mark == "[":   # the [ before was a bracket: this one may open the part
                    text.append("[" + "".join(part))
                    opened, part = m.start(), []
                else:             # [[ or ]] inside a part: a bracket of its text
                    part.append(mark[0])
                continue
            inside = "".join(part)
            if slot_names(inside):
                out.append(("".join(text), False))
                out.append((inside, True))
                text = []
            else:
                text.append("[" + inside + "]")
            opened, part = None, []
            continue
        text.append(template[pos:m.start()])
        pos = m.end()
        if mark == "[":
            opened = m.start()
        elif mark == "]" and _AFTER_SLOT_RE.search(template, 0, m.start()):
            raise InputError(f"template {template!r}: ']' after a slot (at {m.start()}) closes no optional "
                             "part: open the part with '[' before its first slot, or write ']]' for a bracket")
        else:
            text.append(mark[0])
    if opened is not None:
        rest = "".join(part) + template[pos:]
        if slot_names(rest):
            hint = (" (']]' is a bracket written as text, so '[{a}]]' leaves the part open: '[{a}]]]' "
                    "is the part and a ']')") if "]]" in template[opened:] else ""
            raise InputError(f"template {template!r}: the optional part opened by '[' (at {opened}) is not "
                             "closed: end it with ']' (e.g. '[{doctor} 선생님]'), or write '[[' for a bracket"
                             + hint)
        text.append("[" + rest)
    else:
        text.append(template[pos:])
    out.append(("".join(text), False))
    return out


def template_problem(template: str) -> str | None:
    """What is wrong with the brackets of ``template`` (an optional part not closed, parts inside
    parts, a ``]`` after a slot that no ``[`` opened) and how to fix it, or None."""
    try:
        _pieces(template)
    except InputError as exc:
        return str(exc).removeprefix(f"template {template!r}: ")
    return None


def _jamo_table() -> dict[int, str]:
    """str.translate table: each Hangul syllable → conjoining initial+medial(+final) jamo."""
    table: dict[int, str] = {}
    for code in range(0xAC00, 0xD7A4):
        s = code - 0xAC00
        ini, med, fin = s // 588, (s % 588) // 28, s % 28
        table[code] = chr(0x1100 + ini) + chr(0x1161 + med) + (chr(0x11A7 + fin) if fin else "")
    return table


_JAMO: dict[int, str] | None = None


def to_jamo(text: str) -> str:
    """Split every precomposed Hangul syllable into conjoining jamo (for the jamo models,
    and for comparing spellings letter by letter: ``부산`` and ``부샨`` differ in one jamo).

    >>> [hex(ord(c)) for c in to_jamo("값")]
    ['0x1100', '0x1161', '0x11b9']
    """
    global _JAMO
    if _JAMO is None:
        _JAMO = _jamo_table()
    return text.translate(_JAMO)


def jamo_distance(a: str, b: str, limit: int = 3) -> int:
    """Edit distance between ``a`` and ``b`` counted in jamo (insert, delete, substitute),
    ``limit + 1`` as soon as it is known to exceed ``limit``.

    >>> jamo_distance("부산", "부샨"), jamo_distance("서울", "서을"), jamo_distance("내일", "매일")
    (1, 1, 1)
    >>> jamo_distance("대전", "대구"), jamo_distance("서울", "서울")
    (3, 0)
    """
    x, y = to_jamo(a), to_jamo(b)
    if abs(len(x) - len(y)) > limit:
        return limit + 1
    prev = list(range(len(y) + 1))
    for i, cx in enumerate(x, 1):
        cur = [i] + [0] * len(y)
        for j, cy in enumerate(y, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (cx != cy))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return min(prev[-1], limit + 1)


# -- text typed with the keyboard left in English mode (dkssud -> 안녕) ------------------------
# The standard two-set (두벌식) layout: key -> compatibility jamo. Shifted keys other than
# these give the unshifted jamo (capital letters are typed by Caps Lock as often as by Shift).
_KEYS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ", strict=True))
_KEYS.update({"Q": "ㅃ", "W": "ㅉ", "E": "ㄸ", "R": "ㄲ", "T": "ㅆ", "O": "ㅒ", "P": "ㅖ"})
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = "".join(j or " " for j in _JONG)   # " " for no final, so each has one place
_VOWEL_PAIRS = {"ㅗㅏ": "ㅘ", "ㅗㅐ": "ㅙ", "ㅗㅣ": "ㅚ", "ㅜㅓ": "ㅝ", "ㅜㅔ": "ㅞ", "ㅜㅣ": "ㅟ", "ㅡㅣ": "ㅢ"}
_FINAL_PAIRS = {"ㄱㅅ": "ㄳ", "ㄴㅈ": "ㄵ", "ㄴㅎ": "ㄶ", "ㄹㄱ": "ㄺ", "ㄹㅁ": "ㄻ", "ㄹㅂ": "ㄼ", "ㄹㅅ": "ㄽ",
                "ㄹㅌ": "ㄾ", "ㄹㅍ": "ㄿ", "ㄹㅎ": "ㅀ", "ㅂㅅ": "ㅄ"}
_LATIN_RUN = re.compile(r"[A-Za-z]+")
_HANGUL_OR_JAMO = re.compile("[\uac00-\ud7a3\u3131-\u318e]")
_SYLLABLE = re.compile("[\uac00-\ud7a3]")


def _syllable(ini: str, med: str, fin: str = "") -> str:
    return chr(0xAC00 + (_INITIALS.index(ini) * 21 + _MEDIALS.index(med)) * 28
               + (_FINALS.index(fin) if fin else 0))


def _compose(jamo: list[str]) -> str | None:
    """Jamo typed in order, composed as a Korean input method composes them; None when a
    vowel is left without a consonant before it (``ㅗㅑ``: not Korean typed in English)."""
    out: list[str] = []
    i, n = 0, len(jamo)
    while i < n:
        c = jamo[i]
        if c in _MEDIALS:
            return None
        if i + 1 >= n or jamo[i + 1] not in _MEDIALS:
            # a consonant alone: ㅋㅋ, ㅇㅇ, ㄱㄱ are typed so; keep it, it composes nothing
            out.append(c)
            i += 1
            continue
        med = jamo[i + 1]
        i += 2
        if i < n and (med + jamo[i]) in _VOWEL_PAIRS:
            med = _VOWEL_PAIRS[med + jamo[i]]
            i += 1
        fin = ""
        # a consonant is this syllable's final unless a vowel follows it (then it starts the next)
        if i < n and jamo[i] in _FINALS and jamo[i] != " " and (i + 1 >= n or jamo[i + 1] not in _MEDIALS):
            fin = jamo[i]
            i += 1
            if (i < n and (fin + jamo[i]) in _FINAL_PAIRS
                    and (i + 1 >= n or jamo[i + 1] not in _MEDIALS)):
                fin = _FINAL_PAIRS[fin + jamo[i]]
                i += 1
        out.append(_syllable(c, med, fin))
    return "".join(out)


def hangul_from_keys(text: str) -> str | None:
    """The Hangul a text of Latin letters means when typed on a Korean keyboard left in
    English mode (``dkssud`` → ``안녕``, ``tjdnf skfTl`` → ``서울 날씨``), or None.

    A run of letters that does not compose into syllables (a vowel with no consonant before
    it, as ``hello``, ``ok`` or ``BTS`` give) is English and stays (``bts shfo`` → ``bts
    노래``); None when no run composes, the text holds Hangul already or has fewer than two
    letters. A run may end in lone consonants (``dkssudzz`` → ``안녕ㅋㅋ``). A shifted letter is its shifted jamo
    (``dkfdkTdj`` → ``알았어``) unless the whole run is in capitals (Caps Lock: ``TJDNF`` →
    ``서울``). Digits, spaces and punctuation stay.

    >>> hangul_from_keys("dkssudgktpdy"), hangul_from_keys("gksrmf zz"), hangul_from_keys("hello")
    ('안녕하세요', '한글 ㅋㅋ', None)
    """
    if _HANGUL_OR_JAMO.search(text):
        return None
    runs = list(_LATIN_RUN.finditer(text))
    if sum(len(m.group()) for m in runs) < 2:
        return None
    out: list[str] = []
    pos = 0
    for m in runs:
        run = m.group()
        if len(run) > 1 and run.isupper():   # Caps Lock was on: the keys meant are the plain ones
            run = run.lower()
        composed = _compose([_KEYS.get(ch) or _KEYS[ch.lower()] for ch in run])
        out += [text[pos:m.start()], m.group() if composed is None else composed]
        pos = m.end()
    out.append(text[pos:])
    result = "".join(out)
    if result == text or (not _SYLLABLE.search(result) and len(result.strip()) < 2):
        return None
    return result


def keys_from_hangul(text: str) -> str:
    """The keys typed for ``text`` on a two-set Korean keyboard, as they come out in English mode
    (``안녕`` → ``dkssud``): the inverse of :func:`hangul_from_keys`, for tests and benchmarks.
    Anything that is not a Hangul syllable or jamo is kept."""
    inverse = {j: k for k, j in _KEYS.items()}
    pairs = {v: k for k, v in {**_VOWEL_PAIRS, **_FINAL_PAIRS}.items()}

    def keys(jamo: str) -> str:
        return "".join(inverse[j] for j in pairs.get(jamo, jamo))

    out: list[str] = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            fin = _FINALS[code % 28].strip()
            out.append(keys(_INITIALS[code // 588]) + keys(_MEDIALS[(code % 588) // 28]) + (keys(fin) if fin else ""))
        elif ch in inverse or ch in pairs:
            out.append(keys(ch))
        else:
            out.append(ch)
    return "".join(out)
