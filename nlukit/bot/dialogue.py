"""The scenario bot: turns parses into a slot-filling conversation, one state per session.

Each turn: parse the text (outside any lock), then, holding the session's lock, read
its state from the store, decide, and write it back. The decision, in order:

1. a cancel phrase (``취소``, ``그만``, ``됐어`` ...) drops the active scenario → ``cancelled``
   (with nothing under way, a confident intent goes first: ``그만할게`` may be a goodbye);
2. with a scenario active, a *confident* different intent switches scenario, unless the
   text is a bare answer to the slot just asked (``부산``, ``내일이요``);
3. otherwise entities fill slots: a bare value fills the asked slot (role included);
   an entity with a role fills that role's slot; one without fills the asked slot or
   the first empty slot of its type. The asked slot's value is also looked up in the
   dictionary surfaces (and its regex pattern), so an answer the intent model cannot
   read still fills it. Values said together (``서울이랑 부산``, ``서울, 부산``) all fill a
   ``multiple`` slot, answered once per value; a one-value slot asks which. A value misspelled
   by a jamo (``[bot] typo_fix``) is read as the dictionary's: the model's (``내일 부샨 날씨`` →
   부산) and a word it did not tag, for a slot still missing (``서을 날씨`` → 서울), never a word
   MeCab knows (``매일`` is no 내일);
4. a missing required slot is asked with its prompt → ``ask_slot``; when none is
   missing, defaults are applied and the response template (or the action) answers
   → ``complete``; nothing understood → ``fallback`` (a different reply once it repeats). With
   nothing under way, a request the model reads not surely enough (between its own threshold and
   ``confidence_threshold``, or within ``clarify_band`` below its own when that is higher) as a scenario with a
   ``title`` is asked about instead (``[bot] clarify``: 혹시 '기차
   예매'를 원하세요? → ``confirm``): a yes starts it with the values said, a no gets ``clarify_denied``;
5. after a scenario completed, a turn of its values alone (``부산은?``, ``내일은요``) that no
   confident intent claims runs it again with those values in place of the last ones
   (a follow-up; ``follow_up = false`` turns it off per scenario or in ``[bot]``);
6. a scenario with a ``confirm`` question asks it first → ``confirm``: a yes (``네``,
   ``응 부탁해``) then completes; a plain no (``아니요``) asks what to change; a new value
   (``아니 대구로``, ``모레로``) replaces the slot's and the question is asked again; a
   cancel phrase or another confident intent leaves, as while asking for a slot.

A message of several requests (``기차 예매하고 부산 날씨도 알려줘``; ``[bot] split_requests``) is first
split at its clause boundaries when each part makes a confident request of its own; the parts
are decided in order as above, the answered ones first in the reply, the first that asks a
question last; a later one that asks too is queued and runs once nothing is under way
(docs/scenarios.md, section 3, "Several requests in one message").

``Turn.state`` is one of ``complete``, ``ask_slot``, ``confirm``, ``fallback`` and
``cancelled`` (the user cancelled; the session is back to idle).
"""
from __future__ import annotations

import contextvars
import copy
import dataclasses
import datetime
import hashlib
import logging
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import InputError, ScenarioError
from ..korean import ends_with_rieul, final_consonant, hangul_from_keys, has_batchim, jamo_distance
from ..numerals import (
    COUNTERS,
    PEOPLE_COUNTERS,
    amount_extent,
    amounts_in,
    count_extent,
    count_text,
    digits,
    money,
    money_text,
    spoken_digits,
)
from ..temporal import (
    _PART_OF_DAY,
    DAWN,
    KINDS,
    RESOLVERS,
    in_part_of_day,
    parts_of_day,
    resolve,
    small_hours_day,
)
from ..text import get_tokenizer, normalize
from ..types import Entity, IntentScore, ParseResult
from .scenario import Scenario, Scenarios, Slot, render_template
from .store import MemoryStore, SessionStore
from .turnlog import TurnWriter, hash_session, open_turn_log, turn_record

__all__ = ["Bot", "Parser", "Turn", "STATES"]

log = logging.getLogger("nlukit.bot")

STATES = ("complete", "ask_slot", "confirm", "fallback", "cancelled")
STATE_VERSION = 1
MAX_SESSION_ID = 200
#: an answer is "bare" when, besides the value, at most this many characters remain
#: (particles and endings such as 으로요, 이요, 입니다)
BARE_REST = 4
_PUNCT_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)
#: what follows a value the user rules out: 부산 말고 대구로, 내일 아니고 모레, 서울 대신 수원
_NOT_THIS = ("말고", "아니고", "아니라", "대신", "빼고", "은 말고", "는 말고", "이 아니라", "가 아니라",
             "은 아니고", "는 아니고",
             # 서울에서 말고 대전에서, 부산으로 말고 대구로: the ruled-out value said with its slot's particle
             *(f"{q}{gap}{no}" for q in ("에서", "부터", "으로", "로", "까지", "에") for gap in (" ", "")
               for no in ("말고", "아니고")))

_NOT_THIS_SQUASHED = frozenset(p.replace(" ", "") for p in _NOT_THIS)
#: what follows a value the user says no to (부산 안 갈래, 부산은 안 돼요); not 서울 안에 (inside)
#: a verb of getting off or on right after a value, with or without 에서/에 (대구에서 내릴게요, 대전에서
#: 탈게요): the value goes to the slot of its type that lists 도착 (off) or 출발 (on) among its particles
#: or names, whatever 에서 or the model's role says (not 내려오다/내려와, come down from)
_GET_OFF_ON = re.compile(r"(?:에서|서|에)?\s*(?:(?P<off>내리(?!오)|내릴|내려(?!오|와)|내렸|하차)|"
                         r"(?P<on>타(?:고|요|는|서|면|야|려|$|\s)|탈|탑니다|탈게|탑승|승차))")
#: a value followed by these is a stop on the way (서울에서 대전 거쳐 부산으로, 대전 경유 부산행, 대전에
#: 들러), for a type with several slots (from, to): it fills none unless one of its type lists the word.
#: Not 들려 (봄날 들려줘: let me hear)
_STOP_OVER = re.compile(r"(?:을|를|에|에서)?\s*(?P<word>거쳐|거치(?:는|고|며|면)|경유|들러|들렀|들르)(?![가-힣])"
                        r"|(?:을|를|에|에서)?\s*(?P<word2>거쳐서|경유(?:해서|해|하는|하고|하며|로|지|요|할)|들러서|들르는|들르고|들를|들렀다가?)")
#: ... and a stop-over word written solid between two places (대전경유부산, 대전거쳐부산)
_STOP_OVER_SOLID = re.compile(r"(?P<word>거쳐|경유)(?=[가-힣])")
_SAID_NO = re.compile(r"(?:[은는이가을를도]|에는|으로는|로는)?\s*안(?:\s+[가-힣]|돼|되|갈|가|할|해|탈|타|살|사)")

#: words that ask for a change with a new value read back (모레로 바꿔줘)
_CHANGE = frozenset(("바꿔", "바꿔줘", "바꿔요", "바꿔주세요", "변경", "변경해줘", "변경해주세요", "수정",
                     "수정해줘", "수정해주세요", "으로", "로"))
#: what follows a slot's name said to change it without a value (출발지 바꿔줘, 날짜는 다시 할래요)
_CHANGE_SLOT = re.compile(r"(?:은|는|을|를|이|가|도)?좀?(?:다시)?(?:바꿔|바꾸|바꿀|변경|수정|고쳐|고치|고칠|다시)[가-힣]{0,6}")
#: the other way round, said alone (반대로, 거꾸로요, 반대로 해줘, 반대로는?)
#: a part of the day alone (오후, 저녁에, 아침에는): no date, though a model may tag it as one
#: (``서울 오후 날씨``); with a date (``내일 저녁``) it stays the date's
_PART_OF_DAY_ALONE = re.compile(rf"(?:{_PART_OF_DAY})(?:에|에는|엔|은|는|도|에도)?")
_REVERSED = re.compile(r"(?:반대|거꾸로|역방향)(?:로|요|로요|로는|는|도|로도)?(?:해|해줘|해요|해주세요|바꿔|바꿔줘|바꿔주세요|예매|예매해|예매해줘)?(?:요|용)?")
#: asking for it to be done, after a value (오후로 해줘)
_DO = frozenset(("해", "해줘", "해요", "해주세요", "해줄래", "할게", "할게요", "할래", "할래요"))
#: laughter and crying jamo around a yes or a no (네 ㅎㅎ, ㅠㅠ 아니요)
_ANSWER_NOISE = "ㅋㅎㅠㅜ"
#: interjections before an answer (아 됐어, 음 목요일로 바꿔줘): they change nothing in it
#: asking about a value said before it (부산은 어때?, 강남역은요)
_ASKING_ABOUT = frozenset(("어때", "어때요", "어떄", "는요", "은요", "좀", "으로요", "로요",
                           # ... or asking to be told it (부산 알려줘, 부산 좀 보여주세요, 부산 부탁해요)
                           "알려", "보여", "말해", "부탁", "부탁해", "줘", "줘요", "주세요", "줄래", "줄래요",
                           "해요", "합니다", "드려요", "드립니다",
                           # ... or where and which of it (부산 쪽, 강남역 근처로, 서울이랑 부산 둘 다, 지금 부산)
                           "쪽", "지역", "근처", "부근", "둘", "다", "모두", "전부", "지금", "여기"))
_FILLERS = frozenset(("아", "앗", "어", "음", "흠", "에이", "헐", "그냥", "그럼", "잠깐", "잠깐만", "잠시만",
                     *_ANSWER_NOISE))
#: asking to wait, said alone while a question is open (잠깐만요, 음 잠시만여)
_WAIT = frozenset(("잠깐", "잠깐만", "잠시", "잠시만", "기다려", "기다려줘", "기다려봐", "기다려요", "기다려주세요",
                   "요", "용", "여", "염"))
#: what joins two values of one type and role into a list, spaces and punctuation aside (so a
#: space or a comma alone is ""): 서울이랑 부산, 서울하고 부산, 서울, 부산, 서울 및 부산
_AND = frozenset(("", "이랑", "랑", "하고", "와", "과", "및", "그리고", "이랑도", "하고도"))
#: the same for an or (서울이나 부산, 서울 또는 부산, 서울 아니면 부산): a one-value slot asks which,
#: a ``multiple`` slot answers both
_OR = frozenset(("이나", "나", "또는", "혹은", "아니면", "이든", "든"))
#: what may join values said together: an and or an or
_JOINTS = _AND | _OR
#: an answer picking one of the values offered (첫 번째, 2번, 뒤에 거), with a short ending after it
_PICK = re.compile(r"(첫|두|둘|세|셋|네|넷|다섯|여섯|일곱|여덟|아홉|열|[1-9])(?:번째|째|번)(?:거|꺼|것)?"
                   r"|(앞|뒤|마지막)(?:에|의)?(?:거|꺼|것)?")
#: an answer taking all of the values offered (둘 다, 다요, 전부 해줘, 셋 다 돼요?, 둘 다 예매해줘), squashed,
#: after any interjections: a one-value slot takes one at a time
_ALL = re.compile(r"(?:(?:(?:둘|셋|두개|세개|두곳|세곳|두군데|세군데|양쪽)(?:다|모두)|양쪽|전부다?|모두다?)"
                  r"(?:(?!취소|그만|변경|바꿔|수정|안)[가-힣]{1,4}(?:줘|줘요|주세요))?|다)"
                  r"(?:요|이요|해줘|해줘요|해주세요|주세요|해요|돼|돼요|되나요)?[ㅋㅎㅠㅜ]*")   # 둘 다 안돼요 is a neither
_PICK_INDEX = {"첫": 0, "두": 1, "둘": 1, "세": 2, "셋": 2, "네": 3, "넷": 3, "다섯": 4, "여섯": 5, "일곱": 6,
               "여덟": 7, "아홉": 8, "열": 9}
#: how a word asking to go ahead ends (예매해주세요, 예약해줘, 부탁해요), squashed
_GO_AHEAD = ("해줘", "해줘요", "해주세요", "해주십시오", "해주라", "해줄래", "부탁해", "부탁해요", "부탁합니다",
             "부탁드려요", "부탁드립니다", "해요", "해", "하자", "해봐")   # 그래그래 예매해, 응 예매하자
#: what may follow a word naming a slot before its value (목적지는 광주, 출발지를 대전으로)
_NAME_PARTICLES = ("", "은", "는", "을", "를", "이", "가", "도", "만")
#: what a bare answer may add as a word of its own (부산 이요, 서울 입니다): polite endings and particles
_ENDINGS = frozenset(("요", "이요", "입니다", "이에요", "예요", "에요", "이예요", "임", "이야", "야", "이지", "지",
                      "으로", "로", "에서", "까지", "부터", "이랑", "랑", "은", "는", "이", "가", "도"))
#: the parts of speech (MeCab's) that name a thing: nouns (not the bound 거 of 갈 거야, nor pronouns), numbers,
#: foreign words, hanja and roots; a word of an answer holding one is a word of its own request (시세, 집값)
_THING = frozenset(("NNG", "NNP", "NR", "SN", "SL", "SH", "XR"))
# ... and words that deny or doubt what is told (부산 안 가, 7시는 너무 일러, 부산 몰라, 부산 말고, 가기 싫어):
# (part of speech, how the word starts) by MeCab
_NOT_TOLD = (("MAG", ("안", "못", "너무", "별로", "전혀", "절대")), ("VX", ("않", "말")), ("VV", ("말", "모르", "몰")),
             ("VA", ("싫",)), ("VCN", ("아니",)))
#: a polite decline (괜찮아요: no, thanks) before a cancel (괜찮아요 안 할래요); alone it may be a yes
_DECLINE = frozenset(("괜찮아", "괜찮아요", "괜찮습니다", "괜찮음"))
#: a said "won't" (squashed): 안 + a verb in the ending of an intention (안 할래요, 안 살게요, 안 먹을래)
#: or 안 해(요), 안 해도 돼(요): a refusal of whatever is under way, in any bot
_WONT = re.compile(r"안(?:[가-힣]{0,2}[가-힣](?:래|게|께)요?|해요?|합니다|하겠습니다|해도(?:돼|되|됩니다|돼요|되요))")
_WONT_MAX = 7
#: 안 and a short verb in the plain present (안 사요, 안 가): a "won't" only after a refusal
_WONT_PLAIN = re.compile(r"안[가-힣]{1,2}요?")
#: a word that ends a clause before the request (바쁜데, 됐고, 왔는데, 출근이라서, 비싸지만): a value
#: said in it is what the user tells about (오늘 바쁜데 | 내일은 서울 날씨 어때?), not what they ask for
_CONNECTIVE = re.compile(r"[가-힣]*(?:[가-힣]데|지만|니까|으니|[가-힣]서|면서|려고|[가-힣]고)")
#: words ending in 고 that join values or rule one out rather than end a clause (오늘하고 내일, 오늘 말고)
#: words joining thanks said in passing to an answer (고마워 근데 4시로 바꿔줘)
_BY_THE_WAY = frozenset(("근데", "그런데", "그리고", "그럼", "아그리고"))
#: words that drop the request under way for the one said with them (됐고 부산 날씨 어때, 그냥 날씨나)
_DROPPING = frozenset(("그냥", "됐고", "됐구", "관두고", "그만두고"))
#: a follow-up asked with a topic marker (내일은?, 부산은요?, 모레는 어때?): after an answer given in
#: passing, it follows that answer up rather than answer the question asked again
_TOPIC_ASKED = re.compile(r"[가-힣\d](?:은|는)요?(?:\s*어때요?)?\s*[?？!~.]*\s*$")
_NOT_CONNECTIVE = frozenset(("하고", "그리고", "말고", "빼고", "이고", "랑고"))
#: words between two requests of one message (날씨 알려주고 그리고 나서 알람 맞춰줘), squashed; they
#: belong to neither
_THEN = ("그리고나서", "그러고나서", "그다음에", "그다음", "그담에", "그런다음에", "그런다음", "그리고", "그리구",
         "다음에", "그러고")
#: what follows a verb in -고/-구 that ends no request: a helping verb (예매하고 싶어, 찾고 있어,
#: 맞추고 나서: one request)
_HELPING = re.compile(r"(?:싶|있|계시|계세|계신|나서|나면|나니|나야|나선|보니|말았|말겠|말거)")
#: a verb of asking in -고/-구 that ended a request of a message, and how the request reads alone:
#: 알려주고 → 알려줘, 맞추고 → 맞춰줘, 틀고 → 틀어줘; 예매하고 → 예매 (a noun names the request)
_ASKED_AS = {"주": "줘", "추": "춰줘", "틀": "틀어줘", "켜": "켜줘", "끄": "꺼줘", "찾": "찾아줘", "놓": "놓아줘",
             "두": "둬줘", "보내": "보내줘", "잡": "잡아줘", "하": ""}
_ASKED_END = re.compile(r"(" + "|".join(_ASKED_AS) + r")[고구]$")
#: the words of one message that may end a request before another: a verb of asking in -고/-구
#: (예매하고, 맞춰 주고, 알려주구, 틀고, 찾고; not 먹고, 만나고, 알아보고: 밥 먹고 7시에 알람 맞춰줘 is one
#: request; nor a quotation, 간다고, 하라고), a noun with 이랑/랑 (맛집이랑 날씨), a polite or plain request ending (해주세요,
#: 틀어줘) and laughter (고마워 ㅎㅎ 부산은?); a comma or period is checked apart
_CLAUSE_END = re.compile(r"(?:(?:" + "|".join(_ASKED_AS) + r")[고구]|이랑|[가-힣]랑|[가-힣]요|[가-힣]줘|[ㅋㅎㅠㅜ]{2,}|\^\^)$")
#: a word of a text, for the misspelled-value search (what ends one: a space or these)
_WORD_BREAK = ",.!?~…;"
_TYPO_WORD = re.compile(r"[^\s,.!?~…;]+")
#: thanks said as a word of its own, plain or with a polite ending as typed in chat (고마워, 고마워요,
#: 고마워용, 고마워여, 감사해용, 고맙습니당, 땡큐 ㅎㅎ), squashed: it ends a clause as 고마워요 does
#: (고마워용 모레는?: thanks, then a follow-up). Whole words only: 고맙다고 문자 보내줘 is one request
_THANKS_WORD = re.compile(r"(?:고마워|고마웡|고마웠어|고마웠습니다|고맙습니다|고맙습니당|고맙습니닷|고맙슴다|고맙다|"
                          r"고맙당|고맙네|감사해|감사했어|감사합니다|감사합니당|감사합니닷|감사했습니다|감사드려|"
                          r"감사드립니다|땡큐|땡스|땡쓰|ㄱㅅ|ㄳ)(?:요|여|용|염|욤|유|영|욥)?[ㅋㅎㅠㅜ]*")
#: a held time (오후 3시 15분, 3시 반) as its half of the day and hour, and the time without its half
_HELD_TIME = re.compile(r"(?:(?:오전|오후|새벽|아침|낮|저녁|밤) )?((\d{1,2}시)(?: (?:\d{1,2}분|반))?)")
#: minutes said alone, a time changed by them (아니 45분으로): no hour before, no 뒤/후/전 after, nor
#: a delay (10분 더, 10분만 늦게, 10분 일찍)
_MINUTES_ALONE = re.compile(r"(?<![\d시])(?<!시 )(\d{1,2})분(?!만? ?(?:뒤|후|전|동안|간|더|늦|일찍|빨리|미뤄|미루|당겨|앞당))(?:으로|로|이요|요|에)?(?![가-힣\d])")
#: a half of the day said alone, as a word with 으로/로 or a polite ending (아니 오후로)
_HALF_ALONE = re.compile(r"(?<![가-힣\d])(오전|오후)(?:으로|로|이요|요|에|야|이야)?(?![가-힣\d])")
#: 에서 said short after a vowel (거기서, 대구서는), as the text after a value starts
_SHORT_EOSEO = re.compile(r"(?:서(?:는|도|부터|요)?|선)(?![가-힣])")
#: a date typed in numbers only (12.3, 2026. 12. 3., 12/25, 2026-12-03): said back in words
#: where a clause ends and another starts (와서, 있는데, 그런데, 먹고, 있으니까, 오면): a part of the day
#: said before it is not the time of the request after it (Bot._part_of_day_said)
_CLAUSE_BREAK = re.compile(r"(?:(?<!에)서|[는은인던]데|니까|지만|(?<=[가-힣])고|면서?|(?<![가-힣])(?:그런데|근데|그래서|그리고|"
                           r"그러니까|하지만|그럼))(?:요)?(?![가-힣])")
_NUMBER_DATE = re.compile(r"\d[\d\s./-]*\d\.?")
_TYPED_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
#: a message split in more parts than this is not split
MAX_REQUESTS = 4
#: what may follow a misspelled value inside a request (부샨에서, 서을은, 부샨으로요): particles and polite
#: endings, taken off before the value is looked for (``[bot] typo_fix``)
_TYPO_ENDINGS = frozenset(("", "은", "는", "이", "가", "을", "를", "의", "도", "만", "에", "에서", "으로", "로",
                           "까지", "부터", "랑", "이랑", "하고", "와", "과", "이나", "나", "에는", "에서는", "으로는",
                           "로는", "까지는", "부터는", "에도", "에서도", "으로도", "로도", "요", "이요", "은요", "는요",
                           "도요", "으로요", "로요", "에서요", "까지요", "아", "야", "라는", "이라는", "라고", "이라고",
                           "란", "이란"))
_HANGUL_WORD = re.compile(r"[가-힣]{2,}")
#: the rest of a word from a point in it (what follows a value found in a text)
_WORD_REST = re.compile(r"[^\s,.!?~…;]*")
#: the user's date and time of the turn being handled (:meth:`Bot.handle`'s ``now``), for an action's
#: ``context["now"]``; per thread and task, so turns of other sessions never see it
_NOW: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar("nlukit_bot_now", default=None)
#: ``now`` as the caller gave it (None when not given): only the user's own clock says it is before
#: dawn (a server's clock may run in another time zone than its users')
_SAID_NOW: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar("nlukit_bot_said_now",
                                                                                    default=None)
#: the stop-overs a turn's values left out (``서울에서 대전 거쳐 부산으로``: 대전), by intent, to say so once
#: (``[bot] stop_over``): ``{"left": {intent: [values]}, "said": {(intent, value)}}``, per turn
_STOPS: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("nlukit_bot_stops", default=None)
#: the state of the scenario under way, set aside while another request of the message runs
_UNDER_WAY = ("intent", "slots", "asked", "turns", "confirming", "resolved", "multi", "choose", "multi_note",
              "filled", "order", "misunderstood", "texts", "items", "order_count")
#: the user's messages of a request kept for its action (``context["texts"]``), the latest
TEXTS_KEPT = 10


class Parser(Protocol):
    """What the bot needs from an NLU model (``nlukit.load`` returns one)."""

    @property
    def intents(self) -> Sequence[str]: ...

    @property
    def entity_types(self) -> Sequence[str]: ...

    @property
    def dictionary(self) -> Any: ...

    def parse(self, text: str) -> ParseResult: ...


@dataclass(frozen=True)
class Turn:
    """The bot's answer to one user turn; :meth:`to_dict` is the ``POST /chat`` JSON."""

    reply: str
    state: str
    intent: str | None
    slots: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    parse: ParseResult | None = None
    #: per filled time or date slot, what it means (``nlukit.temporal``: kind, value ...),
    #: for the program behind the bot: ``{"date": {"kind": "date", "value": "2026-11-23"}}``
    resolved: dict[str, Any] = field(default_factory=dict)
    #: the answers the asked slot allows, when it lists them (``values = ["아이스", "따뜻한"]``):
    #: a page can offer them as buttons
    choices: list[str] = field(default_factory=list)
    #: every value of a ``multiple`` slot given several (``{"location": ["서울", "부산"]}``), in the
    #: order said; ``slots`` then holds them joined with ", " for display
    multiple: dict[str, list[str]] = field(default_factory=dict)
    #: a message of several requests (``기차 예매하고 부산 날씨도 알려줘``): one entry per request, in
    #: the order said: its words (``text``), ``intent``, ``state`` (``queued`` for one waiting for
    #: the request being asked about) and ``reply``; empty for a message of one request
    requests: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"reply": self.reply, "state": self.state, "intent": self.intent,
                "slots": dict(self.slots), "missing": list(self.missing),
                "parse": self.parse.to_dict() if self.parse is not None else None,
                "resolved": dict(self.resolved), "choices": list(self.choices),
                "multiple": {k: list(v) for k, v in self.multiple.items()},
                "requests": [dict(r) for r in self.requests]}


@dataclass(frozen=True)
class _Cand:
    """An entity mention that may fill a slot: from the parser, the dictionary or a pattern."""

    entity: str
    role: str | None
    value: str
    text: str
    start: int
    end: int
    source: str
    after: str = ""   # what follows in the text, from its first non-space (a particle: 로, 에서, 까지)
    resolved: Mapping[str, Any] | None = None   # the parser's reading of a time or date
    #: the value ruled out right before this one (부산 in 부산 말고 대구): the slot holding it is this one's
    replaces: _Cand | None = None
    #: values of the same type and role said together with this one (서울이랑 | 부산, 서울이나 |
    #: 부산): the candidate then spans them all, and ``after`` follows the last
    also: tuple[_Cand, ...] = ()
    #: this candidate before the values after it joined it
    alone: _Cand | None = None
    #: the slot a word right before the value names (출발지 대전으로): the value is that slot's
    named: str | None = None
    #: the date said right before this time, its own (오늘 저녁 9시랑 | 내일 아침 7시: 내일), when each
    #: time of a list has one
    day: _Cand | None = None

    @property
    def span_start(self) -> int:
        """Where the value starts, with the value it replaces and its 말고 (부산 말고 | 대구)."""
        return self.replaces.start if self.replaces is not None else self.start


_LONE_JAMO = re.compile(r"[\u3131-\u318e]+")

# the kinds of people a party is told in (어른 2명 아이 1명, 성인 둘 소아 하나), each right before its count
_PERSON_WORD = re.compile(r"(?:^|(?<=[\s,]))(?:어른|성인|대인|아이|애|애들|아기|애기|어린이|소아|유아|아동|청소년|학생|"
                          r"노인|경로|남자|여자|남성|여성)\s?$")
_PARTS_JOINT = re.compile(r"\s*(?:,|와|과|이랑|랑|하고|및|에)?\s*")


def _party_of_parts(text: str, cands: list[_Cand], kinds: Mapping[str, str]) -> list[_Cand]:
    """``cands`` with the counts of a party told in parts (``어른 2명 아이 1명``, ``성인 둘, 소아 하나``: a
    kind of people right before each, nothing else between them) as one count, their sum (``3명``):
    the slot took the first, 2명, and dropped the rest. Counts with roles are the scenario's to tell."""
    out: list[_Cand] = []
    run: list[_Cand] = []

    def flush() -> None:
        if len(run) < 2:
            out.extend(run)
        else:
            total = 0
            for c in run:
                got = c.resolved if (c.resolved or {}).get("kind") == "count" else resolve("count", c.text)
                total += got["value"]   # type: ignore[index]
            said = count_text(total, "명")
            out.append(dataclasses.replace(run[0], value=said, text=text[run[0].start:run[-1].end], end=run[-1].end,
                                           resolved=resolve("count", said), after=""))
        run.clear()

    for c in sorted(cands, key=lambda c: c.start):
        got = (c.resolved if (c.resolved or {}).get("kind") == "count" else resolve("count", c.text)) \
            if kinds.get(c.entity) == "count" and c.role is None else None
        person = _PERSON_WORD.search(text, 0, c.start)
        part = got is not None and isinstance(got.get("value"), int) and got["value"] > 0 \
            and not got.get("approx") and "delta" not in got and got.get("unit") in ("명", None) and person is not None
        if part and run and run[-1].entity == c.entity \
                and _PARTS_JOINT.fullmatch(text, run[-1].end, person.start()) is not None:   # type: ignore[union-attr]
            run.append(c)
            continue
        flush()
        if part:
            run.append(c)
        else:
            out.append(c)
    flush()
    return out if len(out) < len(cands) else cands


# an amount said alone, with at most an ending (오천 원이요, 3만원으로, 만 원입니다); 만 (only) only after
# 원 (만원만): 오천만, 백만, 5만 are amounts in 만, not 5,000원, 100원 and 5원
_BARE_AMOUNT = re.compile(r"\s*(?:음|그럼|아|어)?\s*(\S.*?)\s*(?:이요|요|입니다|이에요|예요|으로|로|을|를|(?<=원)만)?"
                          r"\s*(?:보내\S*|해\S*)?[.!~]*\s*")


# a count said alone to its question, with at most 만, an ending, a verb and laughter (넷이요, 4명이요,
# 혼자요, 저 혼자요, 세 명으로 할게요, 둘이서 갈게요, 둘만요, 셋이요 ㅎㅎ); resolve_count reads what is left
_BARE_COUNT = re.compile(r"\s*(?:음|그럼|아니요|아뇨|아니|아|어|저희|우리|저|나|제가|내가)?\s*(\S.*?)\s*(?:(?<=[^\d\s])만)?(?:으로|로)?\s*"
                         r"(?:할게요|할게|해\S*|갈게요|갈게|가요|갈\s?거예요|예약\S*|부탁\S*|주세요|이요|요)?[.!~?]*"
                         r"(?:\s*(?:[ㅋㅎㅠㅜ]{2,}|\^\^;?))?\s*")
# the same, with the most kept (두 명 추가요: not 두 명 추 and 가요)
_BARE_COUNT_WHOLE = re.compile(_BARE_COUNT.pattern.replace(r"(\S.*?)", r"(\S.*)", 1))
# the counter a count slot's question names (몇 분이세요? 몇 잔 드릴까요?): the unit of a number said alone
_ASKED_COUNTER = re.compile(rf"몇\s?({'|'.join(COUNTERS)})|(?P<people>인원|일행)")   # 인원은요? 일행이 몇이세요?: 명


# a minus right before an amount (-5000원, 마이너스 5만원), not a range's dash (2-3만원)
_MINUS_BEFORE = re.compile(r"(?:^|(?<=[^\w.,]))([-−–]|마이너스\s?)$")


# 만원 더 (more), 5천원 덜 / 빼고 (less) right after an amount: a change of the amount held
_MORE_OR_LESS = re.compile(r"\s*(?:을|를)?\s*(더(?:해\S*)?|덜|빼\S*)(?=$|\s|[.!?~])")
_MINUS_AMOUNT = re.compile(r"(?:[-−–]|마이너스)\s?(.+)")


# an order's item and the count said after it: a particle at most between (짜장면 두 개, 김밥은 세 줄)
_ITEM_GAP = re.compile(r"\s*(?:은|는|도|을|를|이|가)?\s*")
# a count said before its item: 두 잔 라떼, 라떼 말고 두 잔의 아메리카노
_COUNT_GAP = re.compile(r"\s*(?:의|씩)?\s*")
# an item said to leave the order (짬뽕은 빼주세요, 짬뽕 빼고, 짬뽕 취소요, 짬뽕 없이)
_LEAVE_OUT = re.compile(r"\s*(?:은|는|도|을|를)?\s*(?:빼|취소|없이|제외)")
# a no first (아니 짬뽕으로): the items said are the order, in place of the one read back
_NO_FIRST = re.compile(r"\s*(?:아니요|아니오|아뇨|아니야|아냐|아니|ㄴㄴ)(?![가-힣])")
# an item said as one more (짬뽕도, 짬뽕 추가, 짬뽕 하나 더): added to the order, whatever came first
_ALSO_ITEM = re.compile(r"도|\s*(?:\S+\s*)?(?:추가|더)(?![가-힣])")
# what may follow a count read after an item: the end, a space, an and, a particle or an ending
_AFTER_COUNT = re.compile(r"$|[\s,.!?~]|이랑|랑|하고|과|와|이요|요|씩|만|을|를|이|가|도|으로|로|더|추가|주세요|줘")
# between two items a count with 씩 is each one's: 도 (짜장면도 짬뽕도 하나씩), or an and right after a word of the
# item before (짜장면 곱빼기랑 짬뽕 하나씩), besides what _joint takes
_EACH_LISTED = re.compile(r"\s*(?:[가-힣]+)?(?:도|이랑|랑|하고|와|과)\s*,?\s*")
# every item held, said right before a count naming no item (다 두 개로, 둘 다 하나씩, 전부 하나씩 더)
_ALL_ITEMS = re.compile(r"(?:^|\s)(?:둘\s*다|셋\s*다|다|모두|전부)\s*$")
# an item said as what the order is to be (짬뽕으로 바꿔주세요, 짬뽕으로 할게요): the one item held replaced
_CHANGE_TO = re.compile(r"\s*(?:으로|로)\s*(?:바꿔|바꾸|변경|교체|할게|해\s?주)")


# nouns that name the thing in general, or no thing, never a value a list lacks (제품을 교환하고 싶어요, 물건을
# 반품하고 싶어요, 택배를 반품, 전부요, 추천이요)
_NO_VALUE_NOUNS = frozenset((
    "제품", "물건", "상품", "물품", "택배", "주문", "주문건", "배송", "구매", "자리", "좌석", "테이블", "모임", "회식",
    "행사", "일정", "예약", "전부", "전체", "모두", "추천", "종류", "목록", "처음", "다음", "나중", "기본", "아무거",
    "이것", "그것", "저것", "이거", "그거", "저거", "문제", "내용"))
# particles of any one (아무거나, 뭐든지, 아무 데라도): no value named
_ANY_OF = frozenset(("나", "이나", "든지", "이든지", "든가", "라도", "이라도"))


# a word of change that takes a count held (늘려, 줄여, 빼, 빠져, 덜): with none held, no count at all
_CHANGES_HELD = re.compile(r"늘|줄(?:여|였|이(?=[고면기자다세시려는])|어|었|일)|빼|빠|덜")   # not the counter 줄 (김밥 한 줄 더,
# 한 줄 추가, 한 줄이 더): 줄이 only as the verb (줄이고, 줄이면, 줄이세요, 줄이려고)


def _words_tokens(text: str) -> list[tuple[re.Match[str], list[Any]]] | None:
    """Each space-delimited word of ``text`` with its MeCab tokens, in order; None without MeCab."""
    try:
        tokens = get_tokenizer("mecab").tokenize(text)
    except Exception:  # noqa: BLE001 - the callers read no value without MeCab
        return None
    return [(w, [t for t in tokens if w.start() <= t.start < w.end()]) for w in re.finditer(r"\S+", text)]


def _most_of(got: Mapping[str, Any]) -> dict[str, Any] | None:
    """A rough count (``한두 개``, ``2~3개``, ``10개 이상``, ``최대 6개``, ``5개 정도``) as the most it says, or
    the number said when it names no most (``10개 이상``: 10, enough for at least): what an optional count
    slot takes, as a stock question asked for the most answers the question for the least too."""
    said = str(got.get("qualifier") or "")
    most, least = got.get("max"), got.get("min")
    if isinstance(most, int) and (said == "미만" or said.startswith("안")):
        most -= 1   # 10개 미만, 10개 안 되게: 9
    if isinstance(least, int) and said in ("초과", "넘게", "넘는", "넘어"):
        least += 1   # 10개 넘게: 11
    n = most if isinstance(most, int) else least if isinstance(least, int) else got.get("value")
    if not isinstance(n, int) or n <= 0:
        return None
    return {"kind": "count", "value": n, "unit": got.get("unit")}


def _count_after(text: str, end: int) -> tuple[int, int, str] | None:
    """The count said right after an item ending at ``end`` that the model did not tag (``짬뽕 하나``,
    ``라떼 한 잔이요``): its span and words, the longest that reads as a count (a rough one too, to be
    refused), or None."""
    m = _ITEM_GAP.match(text, end)
    start = m.end() if m else end
    for stop in range(min(len(text), start + 10), start, -1):
        words = text[start:stop]
        if words != words.strip() or not _AFTER_COUNT.match(text, stop):
            continue
        got = resolve("count", words)
        if got and (isinstance(got.get("value"), int) or got.get("approx")):
            return start, stop, words
    return None

def _new_state() -> dict[str, Any]:
    return {"v": STATE_VERSION, "intent": None, "slots": {}, "asked": None, "turns": 0,
            "misunderstood": 0, "total_turns": 0, "updated": 0.0, "confirming": False}


def _remember_meaning(meanings: dict[str, Any], name: str, c: _Cand, value: str, follows: bool = False) -> None:
    """Keep the parser's reading of the value slot ``name`` took from ``c`` (it saw the 오후
    typed before 세 시); without one the value is read again when needed. A follow-up's
    hour without 오전/오후 keeps the half of the day of the one it replaces."""
    if c.resolved and (c.value == value or value == _spelled_date(c) or value == c.resolved.get("text")):
        got = dict(c.resolved)
        meanings[name] = _same_half(got, meanings.get(name)) if follows else got
    else:
        meanings.pop(name, None)


def _free_words(text: str, taken: Sequence[tuple[int, int]]) -> Iterator[tuple[str, int, Callable[[int], int]]]:
    """Each word of ``text`` (``_TYPO_WORD`` on its normalised form) that no ``(start, end)`` of
    ``taken`` overlaps: the word, its start in ``text``, and a function giving the end in ``text``
    of its first ``n`` characters (a value with an ending after it: 부샨하고 → 부샨)."""
    norm = normalize(text)
    for m in _TYPO_WORD.finditer(norm.text):
        start = m.start()
        a, b = norm.to_original(start, m.end())
        if not any(x < b and a < y for x, y in taken):
            yield m.group(0), a, (lambda n, s=start: norm.to_original(s, s + n)[1])


def _joined_to(text: str, said: Sequence[tuple[int, str]], at: int, instead: bool = False) -> str | None:
    """The entity type of the value said last before offset ``at`` of ``text`` when an and or an
    or joins them (``서울이랑 |``, ``서울 아니면 |``), else None. ``said``: ``(end, type)`` of the
    values said, the last end first. ``instead``: a value ruled out before it counts too
    (``블랙 말고 |``)."""
    prev = next(((end, etype) for end, etype in said if end <= at), None)
    if prev is None:
        return None
    joint = _squash(text[prev[0]:at])
    if instead and joint in _NOT_THIS_SQUASHED:
        return prev[1]
    # a comma lists too (서울, 부샨, 대규); a space alone does not (서울 부샨: which slot is which?)
    return prev[1] if (joint and joint in _JOINTS) or (not joint and "," in text[prev[0]:at]) else None


def _spelled_date(c: _Cand) -> str | None:
    """The day a date value the parser read (``c.resolved``) means, in words: ``12.3`` → ``12월 3일``,
    with the year when the user typed one (``2026. 12. 3`` → ``2026년 12월 3일``); None for any
    other value, or one already said in words (``내일``, ``12월 3일``)."""
    r = c.resolved
    if not r or r.get("kind") != "date" or not isinstance(r.get("value"), str) \
            or not _NUMBER_DATE.fullmatch(c.text.strip()):
        return None
    year, month, day = (int(x) for x in r["value"].split("-"))
    return (f"{year}년 " if _TYPED_YEAR.search(c.text) else "") + f"{month}월 {day}일"


def _same_half(new: dict[str, Any], last: Any) -> dict[str, Any]:
    """An hour said without 오전/오후 in a follow-up (``4시는?`` after 오후 3시) taken in the
    half of the day of the time it follows up, when that one was not ambiguous."""
    if not new.get("ambiguous") or not isinstance(last, dict) or last.get("kind") != "time" \
            or last.get("ambiguous") or not isinstance(last.get("hour"), int):
        return new
    cands = [tuple(int(x) for x in c.split(":")) for c in new.get("candidates") or ()]
    if any(h == 12 for h, _ in cands):
        # 12시 after 오전 11시 is noon, after 오후 11시 midnight: the nearer one (the halves put
        # noon after 11 p.m. and midnight after 11 a.m.)
        at = last["hour"] * 60 + int(last.get("minute") or 0)
        hour, minute = min(cands, key=lambda c: min(abs(c[0] * 60 + c[1] - at), 1440 - abs(c[0] * 60 + c[1] - at)))
        return {"kind": "time", "hour": hour, "minute": minute, "value": f"{hour:02d}:{minute:02d}"}
    for hour, minute in cands:
        if (hour >= 12) == (last["hour"] >= 12):
            return {"kind": "time", "hour": hour, "minute": minute, "value": f"{hour:02d}:{minute:02d}"}
    return new


def _little_else(text: str, cands: Sequence[_Cand]) -> bool:
    """True when, the candidates' spans taken out, at most a short ending is left (``부산은?``)."""
    rest = text
    for c in sorted(cands, key=lambda c: -c.span_start):
        rest = rest[:c.span_start] + rest[c.end:]
    return len(_squash(rest)) <= BARE_REST


def _squash(text: str) -> str:
    """Lower-cased text without spaces and punctuation, for phrase comparison (full-width
    letters as ASCII: ｏｋ is ok)."""
    return _PUNCT_SPACE.sub("", normalize(text).text).lower()


class _SurfaceIndex:
    """Every surface of one entity type mapped to its canonical value, longest match first."""

    def __init__(self, values: Mapping[str, Iterable[str]]) -> None:
        self.canonical: dict[str, str] = {}
        self.values: frozenset[str] = frozenset(values)
        for value, synonyms in values.items():
            for s in (value, *synonyms):
                key = unicodedata.normalize("NFC", s).strip().lower()
                if key:
                    self.canonical.setdefault(key, value)
        self.max_len = max((len(k) for k in self.canonical), default=0)
        # surfaces by character: a word one or two jamo off a surface keeps at least one of its
        # syllables (limit < length), so closest() compares a word only with the surfaces that
        # share a character with it
        self._by_char: dict[str, set[str]] = {}
        for key in self.canonical:
            if len(key) >= 2:
                for ch in set(key):
                    self._by_char.setdefault(ch, set()).add(key)
        self._closest: dict[tuple[str, bool], str | None] = {}

    def lookup(self, surface: str) -> str | None:
        return self.canonical.get(unicodedata.normalize("NFC", surface).strip().lower())

    def closest(self, word: str, same_length: bool = False) -> str | None:
        """The value whose surface ``word`` misspells by one jamo (two from four syllables
        on: ``부샨`` → 부산, ``서을`` → 서울), when exactly one surface is that close.
        ``same_length``: only surfaces of as many characters (a syllable misspelled, none
        added or left out)."""
        word = unicodedata.normalize("NFC", word).strip().lower()
        if len(word) < 2:
            return None
        memo = self._closest.get((word, same_length), ...)
        if memo is not ...:
            return memo
        limit = 1 if len(word) <= 3 else 2
        best, found = limit + 1, set()
        spread = 0 if same_length else 1
        keys: set[str] = set()
        for ch in set(word):
            keys |= self._by_char.get(ch, set())
        for key in sorted(keys):
            if abs(len(key) - len(word)) > spread:
                continue
            d = jamo_distance(word, key, limit)
            if d < best:
                best, found = d, {self.canonical[key]}
            elif d == best:
                found.add(self.canonical[key])
        got = next(iter(found)) if best <= limit and len(found) == 1 else None
        if len(self._closest) < 10_000:   # the same words come back every turn
            self._closest[(word, same_length)] = got
        return got

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping ``(start, end, canonical)`` matches starting at word starts."""
        low = text.lower()
        if len(low) != len(text):
            low = text
        out: list[tuple[int, int, str]] = []
        i, n = 0, len(text)
        while i < n:
            if i > 0 and text[i - 1].isalnum():
                i += 1
                continue
            for ln in range(min(self.max_len, n - i), 0, -1):
                value = self.canonical.get(low[i:i + ln])
                if value is not None:
                    out.append((i, i + ln, value))
                    i += ln
                    break
            else:
                i += 1
        return out


def _dictionary_entities(dictionary: Any) -> dict[str, dict[str, list[str]]]:
    """``{entity: {canonical: [synonyms]}}`` from a Dictionary, a plain dict, or None."""
    if dictionary is None:
        return {}
    ents = getattr(dictionary, "entities", dictionary)
    if isinstance(ents, Mapping):
        return {str(k): {str(v): list(s or []) for v, s in vals.items()} for k, vals in ents.items()}
    # only the methods of the interface: surfaces() and canonical()
    out: dict[str, dict[str, list[str]]] = {}
    for etype in getattr(dictionary, "entity_types", ()):
        vals: dict[str, list[str]] = {}
        for s in dictionary.surfaces(etype):
            canon = dictionary.canonical(etype, s) or s
            vals.setdefault(canon, [])
            if s != canon:
                vals[canon].append(s)
        out[etype] = vals
    return out


class Bot:
    """A slot-filling chatbot over any parser (an :class:`nlukit.nlu.NLU` or a stand-in).

    ``store`` defaults to a :class:`MemoryStore`; pass a Redis store to share sessions
    between processes. Turns of one session are serialised by the store's lock;
    different sessions never see each other's state.

    ``log`` (a file path or a :class:`~nlukit.bot.turnlog.TurnLog`) appends one JSON line per
    handled turn, for ``nlukit review``; a log that cannot be written logs one warning and the
    conversation goes on.
    """

    def __init__(self, parser: Parser, scenarios: Scenarios, store: SessionStore | None = None, *,
                 clock: Callable[[], float] = time.time, check: bool = True,
                 log: str | os.PathLike[str] | TurnWriter | None = None) -> None:
        if not hasattr(parser, "parse"):
            raise InputError(f"parser must have a parse(text) method, got {type(parser).__name__}; "
                             "pass nlukit.load(model_dir)")
        self.parser = parser
        self.scenarios = scenarios
        self.settings = scenarios.settings
        self.store: SessionStore = store if store is not None else MemoryStore()
        self._clock = clock
        self.fallback_intent = getattr(parser, "fallback_intent", "fallback")
        if check:
            scenarios.check(getattr(parser, "intents", None), getattr(parser, "entity_types", None))
        entities = _dictionary_entities(getattr(parser, "dictionary", None))
        self._index = {etype: _SurfaceIndex(vals) for etype, vals in entities.items()}
        if check:
            self._check_dictionary_slots()
        self._cancel = tuple(sorted({_squash(p) for p in self.settings.cancel} - {""}, key=len,
                                    reverse=True))
        self._affirm = _chat_endings(frozenset(_squash(p) for p in self.settings.affirm) - {""})
        self._deny = _chat_endings(frozenset(_squash(p) for p in self.settings.deny) - {""})
        self._yes_or_no = self._affirm | self._deny
        # phrase sets the turn rules read often, built once
        self._no_or_filler = self._deny | _FILLERS                      # 아 아니, 음
        self._around_values = _ENDINGS | _FILLERS | self._deny          # what values alone may carry
        # what may come before a cancel: a no, an interjection, a polite decline, another cancel
        # with its polite 요 (됐어요 안 해요, 괜찮아요 안 할래요, 아니 됐어), and 그리고 (아니 그리고 취소)
        self._cancel_lead = (self._no_or_filler | _DECLINE | frozenset(self._cancel)
                             | frozenset(p + "요" for p in self._cancel) | frozenset(("그리고", "그리구")))   # 아니 그리고 취소
        self.log = open_turn_log(log)
        self._log_failing = False
        self._words: dict[str, bool] = {}   # is_word, asked of MeCab once per word
        self._own_words: dict[str, tuple[frozenset[str], frozenset[str]]] = {}   # per scenario: _scenario_words
        # the slots of scenarios that answer at once (no confirm): an optional count takes a rough one's most.
        # Not where an action runs (커피 두세 잔 주문해줘 would order 3 unasked): the count is asked there
        self._at_once = {id(s) for sc in scenarios for s in sc.slots if sc.confirm is None and sc.action is None}

    # ------------------------------------------------------------------ public API

    def handle(self, session_id: str, text: str, *, today: datetime.date | None = None,
               now: datetime.datetime | None = None) -> Turn:
        """Answer one user turn of ``session_id``.

        ``today`` is the user's date: relative dates in the parse (``내일``) count from
        it and actions get it as ``context["today"]``; by default this machine's date.
        ``now`` is the user's date and time (``today`` is then its date unless given), for
        actions as ``context["now"]`` (an alarm for a time already past); with neither given,
        this machine's; with only ``today`` given, None (the user's time is not known).
        """
        self._check_session_id(session_id)
        if not isinstance(text, str):
            raise InputError(f"text must be a str, got {type(text).__name__}")
        if now is not None and not isinstance(now, datetime.datetime):
            raise InputError(f"now must be a datetime.datetime, got {type(now).__name__}")
        said = _SAID_NOW.set(now)   # the user's time, when the caller knows it (not this machine's)
        if now is None and today is None:
            now = datetime.datetime.now()
        elif now is not None and today is None:
            today = now.date()
        token = _NOW.set(now)
        stops = _STOPS.set({"left": {}, "said": set()})
        try:
            return self._handle(session_id, text, today)
        finally:
            _STOPS.reset(stops)
            _NOW.reset(token)
            _SAID_NOW.reset(said)

    def _handle(self, session_id: str, text: str, today: datetime.date | None) -> Turn:
        parse = self._parse(text, today)
        typed = text
        if self.settings.keyboard_fix:
            text, parse = self._keyboard_fixed(text, parse, today)
        text, parse = self._said_twice(text, parse, today)
        # the clauses of a message that may make several requests, read before taking the lock
        pieces = self._pieces(text, parse, today) if self.settings.split_requests else None
        with self.store.lock(session_id):
            state = self.store.get(session_id)
            now = self._clock()
            if (state is None or state.get("v") != STATE_VERSION
                    or now - float(state.get("updated", 0.0)) > self.settings.session_expiry):
                state = _new_state()
            before = ({"scenario": state["intent"], "slot": state.get("asked"),
                       "confirming": bool(state.get("confirming"))} if state.get("intent") else None)
            misunderstood = int(state.get("misunderstood", 0))
            parts = self._split(text, parse, state, today, pieces) if pieces else None
            if parts is not None:
                turn = self._run_parts(session_id, state, parts, today, parse)
            else:
                turn = self._part(session_id, state, text, parse, today)
            if turn.state == "cancelled":   # 취소 stops everything asked for, the queued requests too
                state.pop("queue", None)
            elif state.get("queue") and not state.get("intent") and not state.get("clarify"):   # after one request or several
                turn = self._run_queue(session_id, state, text, turn, today)
            state["updated"] = now
            self.store.set(session_id, state, ttl=self.settings.session_expiry)
        if self.log is not None:
            self._write_log(session_id, typed, parse, turn, now, before,
                            int(state.get("misunderstood", 0)) > misunderstood,
                            state.get("asked") if turn.state == "ask_slot" else None, bool(state.get("clarify")))
        log.debug("session %r: %s intent=%s slots=%s missing=%s", session_id, turn.state, turn.intent,
                  turn.slots, turn.missing)
        return turn

    # ------------------------------------------------------------------ several requests in one message

    def _part(self, sid: str, state: dict[str, Any], text: str, parse: ParseResult,
              today: datetime.date | None, of_several: bool = False) -> Turn:
        """One request's turn: the decision of section 3 over ``text`` and its parse."""
        last = state.get("last")
        # what the slots held before this turn: of the request under way, else of the last answer
        # (a follow-up, 출발지 대구는?)
        held_by, held = state.get("intent"), state.get("slots")
        if not held_by and isinstance(last, dict):
            held_by, held = last.get("intent"), last.get("slots")
        held = dict(held) if isinstance(held, dict) else {}
        turn = self._step(sid, state, text, self._referred(text, parse, state), today)
        if turn.state == "complete" and self._small_talk(turn.intent) and isinstance(last, dict):
            # 고마워 ㅎㅎ 부산은?, and 고마워 then 부산은?: thanks leave the weather to follow up (an
            # answer without slots has nothing to follow up itself)
            state["last"] = last
        self._note_recent(state, turn, held if held_by == turn.intent else {})
        return turn

    def _parse(self, text: str, today: datetime.date | None) -> ParseResult:
        return self._small_hours(self._parse_typed(text, today))

    def _parse_typed(self, text: str, today: datetime.date | None) -> ParseResult:
        parse = self.parser.parse(text) if today is None else self.parser.parse(text, today=today)
        if not self.settings.typo_fix:
            return parse
        fixed = self._typos_fixed(parse)
        untagged = self._untagged_typos(fixed)
        return parse if fixed is parse and not untagged else self._reread(fixed, parse, today, untagged)

    def _small_hours(self, parse: ParseResult) -> ParseResult:
        """``parse`` with each ``내일`` said before dawn (the user's ``now``, given to :meth:`handle`,
        before :data:`~nlukit.temporal.DAWN`) as the day it means, in words: ``내일 아침 7시`` at
        01:00 is this morning's 7시 (``11월 23일``), other 내일s the next day's date
        (:func:`~nlukit.temporal.small_hours_day`); a part of the day said with it stays
        (``11월 23일 아침``). The read-back then shows which day the bot took, to be corrected.
        Without the user's ``now`` (this machine's clock, or ``today`` only) 내일 stays 내일."""
        now = _SAID_NOW.get()
        if now is None or now.hour >= DAWN:
            return parse
        kinds = self._resolve_kinds()
        times = [e for e in parse.entities if kinds.get(e.entity) == "time" and e.resolved]
        entities = list(parse.entities)
        for i, e in enumerate(entities):
            if kinds.get(e.entity) != "date" or not e.resolved or e.resolved.get("kind") != "date":
                continue
            after = [t for t in times if t.start >= e.end]
            time = dict(after[0].resolved) if after else (dict(times[0].resolved) if times else None)
            day = small_hours_day(e.text, now, time, parse.text[e.end:])
            if day is None:
                continue
            # a part of the day as a word (내일 아침밥 is breakfast, not the morning)
            part = next((w for w, _, _ in parts_of_day(e.text)), None)
            if part is None:   # 내일 | 아침: the part of the day after it, unless a time has it (아침 7시)
                at = len(parse.text) - len(parse.text[e.end:].lstrip())
                part = next((w for w, a, _ in parts_of_day(parse.text[at:])[:1] if a == 0), None)
                if part is not None and any(t.start <= at < t.end for t in times):
                    part = None
            value = f"{day.month}월 {day.day}일" + (f" {part}" if part else "")
            entities[i] = Entity(e.entity, value, e.text, e.start, e.end, e.confidence, e.role,
                                 {"kind": "date", "value": day.isoformat(), "before_dawn": True})
        if entities == list(parse.entities):
            return parse
        return dataclasses.replace(parse, entities=tuple(entities))

    def _untagged_typos(self, parse: ParseResult) -> list[tuple[int, int, str]]:
        """``(start, end, value)`` of each word the model did not tag that misspells a dictionary
        value of exactly one type (``서을 날씨`` → 서울), by :meth:`_typo`: the words a slot may take
        (:meth:`_typo_candidates`), for the intent read again (:meth:`_reread`)."""
        if not self._index:
            return []
        out: list[tuple[int, int, str]] = []
        for word, a, end_of in _free_words(parse.text, [(e.start, e.end) for e in parse.entities]):
            typos = {t for etype in self._index if (t := self._typo(word, self._index[etype])) is not None}
            if len(typos) == 1:
                n, value = next(iter(typos))
                out.append((a, end_of(n), value))
        return out

    def _reread(self, fixed: ParseResult, parse: ParseResult, today: datetime.date | None,
                untagged: Sequence[tuple[int, int, str]] = ()) -> ParseResult:
        """``fixed`` with the intent of its text as corrected (each misspelled surface replaced by its
        value: ``대젼에서 출발할게요`` read again as ``대전에서 출발할게요``, a word the model did not tag,
        ``untagged``, as well as a value it did) when the model is surer of that one: a misspelling may
        lead the model astray (a goodbye). One more parse, only for a correction; the entities keep
        their offsets in the text as typed (an untagged word is taken as a value when a slot needs it)."""
        text = fixed.text
        changed = [(e.start, e.end, e.value) for e, o in zip(fixed.entities, parse.entities, strict=True)
                   if e is not o]
        for start, end, value in sorted([*changed, *untagged], key=lambda x: -x[0]):
            text = text[:start] + value + text[end:]
        again = self.parser.parse(text) if today is None else self.parser.parse(text, today=today)

        def sure(p: ParseResult) -> float:   # the model's best intent, a fallback below the threshold or not
            return max((s.confidence for s in p.ranking), default=p.intent.confidence if p.intent else 0.0)

        if again.intent is None or sure(again) <= sure(fixed):
            return fixed
        return ParseResult(fixed.text, again.intent, fixed.entities, again.ranking)

    # ------------------------------------------------------------------ misspelled values in a request

    def _is_word(self, word: str) -> bool:
        """True when ``word`` is a word in its own right: mecab-ko-dic reads it whole as one of
        its entries (``매일``, ``날씨``, ``모래``), so it is no typo of a value (``내일``, ``모레``)."""
        known = self._words.get(word)
        if known is None:
            try:
                tokenizer: Any = get_tokenizer("mecab")
                known = bool(tokenizer.is_word(word))
            except Exception as exc:  # noqa: BLE001 - without MeCab nothing counts as a typo
                known = True
                if not getattr(self, "_said_no_mecab", False):
                    self._said_no_mecab = True
                    log.warning("typo_fix is off: MeCab could not read words (%s); install "
                                "mecab-python3 and mecab-ko-dic, or set [bot] typo_fix = false", exc)
            if len(self._words) < 10_000:
                self._words[word] = known
        return known

    def _typo(self, word: str, index: _SurfaceIndex, listed: bool = False) -> tuple[int, str] | None:
        """``(length, value)`` when ``word`` is a value of ``index`` misspelled by a jamo, a particle
        or a polite ending after it (``부샨에서`` → 2, 부산; ``서을은`` → 2, 서울), by the rule of the
        asked slot's answers (:meth:`_SurfaceIndex.closest`: exactly one value that close), a
        syllable misspelled (none added or left out). None for a value the dictionary lists, a
        word in its own right (``매일`` is no 내일) or no Hangul word. ``listed``: the word is said in
        a list of values of that type (``서울하고 부샨하고 대규``), which says what it is: a word in its
        own right may be one misspelled (대규 is a word of mecab-ko-dic)."""
        if not _HANGUL_WORD.fullmatch(word):
            return None
        stems = [n for n in range(2, len(word) + 1) if word[n:] in _TYPO_ENDINGS]
        if any(index.lookup(word[:n]) is not None for n in stems):
            return None   # a value as typed, with its particle (서울역으로 is no typo of 서울역)
        for n in stems:   # the shortest first: a particle is no misspelling (부샨으로: 부샨 + 으로)
            value = index.closest(word[:n], same_length=True)
            if value is not None:
                return None if not listed and (self._is_word(word[:n]) or self._is_word(word)) else (n, value)
        # else a value typed without a space before a word (부샨날씨, 서을날씨): the shortest first
        glued = [n for n in range(2, len(word) - 1) if self._glued_word(word[n:])]
        if any(index.lookup(word[:n]) is not None for n in glued):
            return None   # 서울날씨: a value as typed
        for n in glued:
            value = index.closest(word[:n], same_length=True)
            if value is not None:
                return None if self._is_word(word[:n]) or self._is_word(word) else (n, value)
        return None

    def _glued_word(self, rest: str) -> bool:
        """True when ``rest``, the end of a word after a misspelled value typed without a space
        (``날씨`` of ``부샨날씨``, ``맛집은`` of ``강냠맛집은``), is a word MeCab knows of two syllables
        or more, with a particle or polite ending after it or none; not a syllable and a particle
        (``시의`` of ``챙원시의``, ``구로`` of ``나원구로``: the value is the longer word)."""
        if len(rest) < 2 or not _HANGUL_WORD.fullmatch(rest) or rest[1:] in _TYPO_ENDINGS:
            return False
        return any(len(rest) - len(p) >= 2 and rest.endswith(p) and self._is_word(rest[:len(rest) - len(p)])
                   for p in _TYPO_ENDINGS)

    def _typos_fixed(self, parse: ParseResult) -> ParseResult:
        """The parse with each value the model tagged that the dictionary does not list read as
        the value it misspells (:meth:`_retyped`); the others as they were."""
        out = [self._retyped(parse.text, e, parse.entities) or e for e in parse.entities]
        if all(a is b for a, b in zip(out, parse.entities, strict=True)):
            return parse
        return ParseResult(parse.text, parse.intent, tuple(out), parse.ranking)

    def _retyped(self, text: str, e: Entity, others: Sequence[Entity]) -> Entity | None:
        """``e`` read as the dictionary value its word misspells by a jamo (:meth:`_typo`), when the
        dictionary does not list its value: the entity keeps the text as typed (``부샨``) and takes the
        value (``부산``). A span the model cut inside the word (``부`` of ``부샨으로``, ``포역`` of
        ``막포역``) grows to the whole misspelled word, its particle left out. A value of no type of
        its own but of exactly one other (``탕영`` tagged as a food: 통영) takes that type, without the
        model's role (the particle after it picks the slot). None otherwise."""
        index = self._index.get(e.entity)
        if e.resolved is not None or text[e.start:e.end] != e.text \
                or (index is not None and (index.lookup(e.value) is not None or index.lookup(e.text) is not None)):
            return None
        start = e.start
        while start > 0 and not text[start - 1].isspace() and text[start - 1] not in _WORD_BREAK:
            start -= 1
        m = _TYPO_WORD.match(text, start)
        word = m.group(0) if m else ""
        if e.end > start + len(word):
            return None   # the span runs beyond the word
        found: list[tuple[str, tuple[int, str]]] = []
        for etype in sorted(self._index, key=lambda t: t != e.entity):   # its own type first
            typo = self._typo(word, self._index[etype])
            if typo is not None and e.end <= start + typo[0]:
                found.append((etype, typo))
                if etype == e.entity:
                    break
        if len(found) != 1:
            return None
        etype, (n, value) = found[0]
        end = start + n
        if any(o is not e and o.start < end and start < o.end for o in others):
            return None
        return Entity(etype, value, text[start:end], start, end, e.confidence,
                      e.role if etype == e.entity else None)

    def _typo_candidates(self, text: str, parse: ParseResult, sc: Scenario, held: Mapping[str, Any],
                         found: Sequence[_Cand]) -> list[_Cand]:
        """Words the model did not tag that misspell a value (``서을 날씨`` → 서울) of the type of a
        slot still missing (not in ``held`` and no value ``found`` for it this turn), one per
        missing slot, in order. A word that misspells values of two such types fills neither.
        A word joined by an and or an or to a value of a slot's type before it (``서울 아니면 부샨``,
        ``서울이랑 부샨``) is one more value of that type, said with it, whatever room is left."""
        room: dict[str, int] = {}
        for s in sc.slots:
            if s.name not in held and s.entity in self._index:
                room[s.entity] = room.get(s.entity, 0) + 1
        for c in found:
            if c.entity in room:
                room[c.entity] -= 1 + len(c.also)
        room = {k: v for k, v in room.items() if v > 0}
        said = sorted(((c.end, c.entity) for c in found if c.entity in self._index
                       and any(s.entity == c.entity for s in sc.slots)), reverse=True)
        if not room and not said:
            return []
        taken = [(e.start, e.end) for e in parse.entities] + [(c.span_start, c.end) for c in found]
        out: list[_Cand] = []
        for word, a, end_of in _free_words(text, taken):
            joined = _joined_to(text, said, a)
            types = set(room) | ({joined} if joined else set())
            typos = [(etype, t) for etype in sorted(types)
                     if (t := self._typo(word, self._index[etype], listed=etype == joined)) is not None]
            if len(typos) != 1 or (typos[0][0] != joined and room.get(typos[0][0], 0) == 0):
                continue
            etype, (n, value) = typos[0]
            if etype != joined:
                room[etype] -= 1
            b = end_of(n)
            out.append(_Cand(etype, None, value, text[a:b], a, b, "typo"))
            said = sorted([*said, (b, etype)], reverse=True)   # 서울이나 부샨이나 대규: a list goes on
        return out

    def _listed_after(self, text: str, sc: Scenario, found: Sequence[_Cand]) -> list[_Cand]:
        """Words the model did not tag that the dictionary lists as a value of the type of the value
        right before them, an and or an or between (``아이유랑 방탄``: 방탄소년단 too; ``서울이나 부산``),
        a particle or polite ending after them or none: values said together with it; and so is
        such a word said in place of the value before it (``블랙 말고 화이트``)."""
        types = {s.entity for s in sc.slots}
        said = sorted(((c.end, c.entity) for c in found if c.entity in types and c.entity in self._index),
                      reverse=True)
        if not said:
            return []
        out: list[_Cand] = []
        for word, a, end_of in _free_words(text, [(c.span_start, c.end) for c in found]):
            etype = _joined_to(text, said, a, instead=True)
            if etype is None:
                continue
            index = self._index[etype]
            n = next((n for n in range(len(word), 0, -1)
                      if word[n:] in _TYPO_ENDINGS and index.lookup(word[:n]) is not None), None)
            if n is None:
                continue
            b = end_of(n)
            out.append(_Cand(etype, None, index.lookup(word[:n]) or word[:n], text[a:b], a, b, "dictionary"))
            said = sorted([*said, (b, etype)], reverse=True)
        return out

    def _scenario_words(self, sc: Scenario) -> tuple[frozenset[str], frozenset[str]]:
        """The nouns of ``sc``'s own sentences (title, prompts, read-back, response, slot names: 시설,
        예약) and among them its verbs' nouns (a noun before 하다: 예약 of 예약할까요, and the title's last
        noun), by MeCab; empty without it."""
        got = self._own_words.get(sc.intent)
        if got is not None:
            return got
        texts = [sc.title or "", *sc.wordings("confirm"), *sc.wordings("response"),
                 *(w for slot in sc.slots for w in (*slot.wordings("prompt"), *slot.names))]
        nouns: set[str] = set()
        verbs: set[str] = set()
        try:
            tokenizer: Any = get_tokenizer("mecab")
            for k, t in enumerate(texts):
                tokens = list(tokenizer.tokenize(re.sub(r"\{[^}]*\}", " ", t)))
                for i, x in enumerate(tokens):
                    if x.pos.split("+")[0] in ("NNG", "NNP"):
                        nouns.add(x.surface)
                        if i + 1 < len(tokens) and tokens[i + 1].pos.startswith("XSV") \
                                or (k == 0 and i == len(tokens) - 1):
                            verbs.add(x.surface)
        except Exception:  # noqa: BLE001 - without MeCab no word is read as an unlisted value
            nouns, verbs = set(), set()
        got = (frozenset(nouns), frozenset(verbs))
        if len(self._own_words) < 1_000:
            self._own_words[sc.intent] = got
        return got

    def _unlisted(self, text: str, parse: ParseResult, sc: Scenario, asked: Slot | None, held: Mapping[str, Any],
                  found: Sequence[_Cand]) -> list[_Cand]:
        """A noun the model did not tag, said where the value of a slot with a closed list of values
        (``values``) would be, that the list lacks: the slot's value to refuse (its ``invalid`` reply,
        then its question, which may list the values). Where the value would be: the answer to the
        slot's question (``수영장이요``, ``수영장으로 해줘``), or the object of the request's verb, said
        with 을/를 (``수영장을 예약하고 싶어요``) or bare when it ends as one of the listed values does
        (``수영장 예약해줘`` with 헬스장, 골프장 listed; not ``추가 예약해줘``). Never a word of the
        scenario's own sentences (``시설 예약``), a slot's name, a value of any type, a date, time or part
        of the day, nor when the slot holds a value or one of its type is said, nor when the model reads
        another scenario's request surely (``관리비요`` while the facility is asked); none without MeCab."""
        other = self._confident(parse)
        if other is not None and other != sc.intent and other in self.scenarios:
            return []
        closed = [s for s in sc.slots if s.values is not None and s.name not in held
                  and not any(c.entity == s.entity for c in found)
                  and sum(t.entity == s.entity for t in sc.slots) == 1]
        if not closed:
            return []
        got = _words_tokens(text)
        if got is None:   # without MeCab nothing is read as an unlisted value
            return []
        own, verbs = self._scenario_words(sc)
        words = [w for w, _ in got]
        for k, (w, mine) in enumerate(got):
            n = next((i for i, t in enumerate(mine) if t.pos.split("+")[0] not in ("NNG", "NNP")), len(mine))
            rest = mine[n:]
            if n == 0 or any(t.pos.split("+")[0][:1] not in ("J", "E") and not t.pos.startswith("VCP") for t in rest):
                continue   # a noun (or a run of nouns: 실내수영장) and its particles or endings, nothing else
            a, b = mine[0].start, mine[n - 1].end
            noun = text[a:b]
            if len(noun) < 2 or any(c.start < b and a < c.end for c in found) or not self._free_noun(noun, sc, own):
                continue
            before, after = text[:w.start()], text[w.end():]
            alone = not _squash(before) and (not _squash(after) or self._made_of(_squash(after), _DO | _CHANGE))
            # the object of the request's verb (예약해줘, 예약할래요), 좀 or 한번 between them or not
            verb = next((x.group(0) for x in words[k + 1:k + 3] if _squash(x.group(0)) not in ("좀", "한번", "다시")), "")
            marks = {t.pos.split("+")[0] for t in rest}
            said_as_object = any(verb.startswith(v) for v in verbs) and marks <= {"JKO", "JX"}
            # an answer, not a word of time or choice: 나중에요, 아무거나요 (MeCab: 아무거 NNG+VCP)
            answer = alone and not any("+" in t.pos for t in mine[:n]) and not any(
                t.pos.startswith("JKB") and t.surface not in ("로", "으로") or t.surface in _ANY_OF for t in rest)
            # with 을/를 alone, only where the list is all the request asks: a booking that asks a date too
            # books a 자리, a 회식, not a value the list lacks (자리를 예약하고 싶어요)
            asks_more = any(s.required and s.default is None and s not in closed for s in sc.slots)
            for slot in closed:
                if (answer and asked is slot) or (said_as_object and (
                        ("JKO" in marks and not asks_more) or self._like_listed(noun, slot))):
                    return [_Cand(slot.entity, None, noun, noun, a, b, "unlisted")]
        return []

    def _unlisted_items(self, text: str, sc: Scenario, found: Sequence[_Cand]) -> list[_Cand]:
        """In an order (a count slot with ``counts``) whose item slot has ``values``: each noun the model
        did not tag said right before a count, a particle at most between (``우동 하나``, ``마라탕은 두 개``),
        that may be a value no list has (:meth:`_free_noun`): an item to refuse by name, as the model's
        own unlisted guess is, instead of its count going to another item or nowhere; none without MeCab."""
        pair = sc.counted
        if pair is None or pair[0].values is None:
            return []
        got = _words_tokens(text)
        if got is None:   # without MeCab nothing is read as an unlisted item
            return []
        own, _ = self._scenario_words(sc)
        out: list[_Cand] = []
        for w, mine in got:
            n = len(mine)
            while n and mine[n - 1].pos.startswith("J"):
                n -= 1
            # a word ending in a noun, its particle after it (MeCab may read the start of an unknown
            # dish as a verb: 마라 of 마라탕), Hangul alone
            if n == 0 or mine[n - 1].pos.split("+")[0] not in ("NNG", "NNP"):
                continue
            a, b = w.start(), mine[n - 1].end
            noun = text[a:b]
            if not re.fullmatch(r"[가-힣]+", noun) or any(
                    c.entity == pair[0].entity and c.end <= a and not text[c.end:a].strip() for c in found):
                continue   # 짜장면 곱빼기 하나: right after an item, a word of that item's
            if len(noun) < 2 or any(c.start < b and a < c.end for c in found) or _count_after(text, b) is None \
                    or not self._free_noun(noun, sc, own):
                continue
            out.append(_Cand(pair[0].entity, None, noun, noun, a, b, "unlisted"))
        return out

    def _free_noun(self, noun: str, sc: Scenario, own: frozenset[str]) -> bool:
        """Whether ``noun`` may be a value no list has: no word of the scenario's own sentences or a
        slot's name, no surface the dictionary lists, no date, time, amount or count and no part of
        the day, no word of the bot's (yes, no, cancel, a filler)."""
        sq = _squash(noun)
        if noun in own or any(sq == _squash(n) for s in sc.slots for n in s.names) \
                or any(i.lookup(noun) is not None for i in self._index.values()) \
                or any(resolve(kind, noun) for kind in KINDS) or parts_of_day(noun) \
                or self._made_of(sq, self._yes_or_no | _FILLERS) or self._is_cancel(noun) or sq in _NO_VALUE_NOUNS:
            return False
        return not any(sq in words for words in self.settings.refer.values())

    def _like_listed(self, noun: str, slot: Slot) -> bool:
        """Whether ``noun`` ends as a value ``slot`` lists does, or one of its synonyms (수영장 like
        헬스장, 골프장: the last syllable names the kind of thing)."""
        listed = list(slot.values) if isinstance(slot.values, tuple) else []
        index = self._index.get(slot.entity)
        if index is not None:
            listed += list(index.canonical)
        return any(len(v) > 1 and v[-1] == noun[-1] for v in listed)

    def _clause_cuts(self, text: str, parse: ParseResult) -> list[tuple[int, int]]:
        """Where a request of ``text`` may end and the next start: ``(end, start)`` pairs, the
        words between them (그리고, 그 다음에, a comma) belonging to neither. Never inside a value,
        between two values of a type said together (서울하고 부산, 서울, 부산), nor before a helping
        verb (예매하고 싶어, 먹고 나서)."""
        words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", text)]
        cuts: list[tuple[int, int]] = []
        i = 0
        while i < len(words) - 1:
            a, b, w = words[i]
            bare = w.rstrip(",.!?~…;")
            punct = len(bare) < len(w) or not bare
            j = i + 1
            # 그리고, 그리고 나서, 그 다음에: joining words, dropped
            for n in (3, 2, 1):
                if j + n <= len(words) - 1 and _squash("".join(x[2] for x in words[j:j + n])) in _THEN:
                    j += n
                    break
            nxt = words[j][2]
            if j > i + 1 or punct:
                cut = True
            else:
                sq = _squash(bare)
                cut = bool(_CLAUSE_END.search(sq) or _THANKS_WORD.fullmatch(sq)) and sq not in _NOT_CONNECTIVE \
                    and not _HELPING.match(nxt)
            end, start = b - (len(w) - len(bare)) if bare else a, words[j][0]
            if cut and not self._inside_values(text, parse, end, start):
                cuts.append((end, start))
            i = j
        return cuts

    @staticmethod
    def _inside_values(text: str, parse: ParseResult, end: int, start: int) -> bool:
        """True when a cut at ``end``..``start`` falls inside a value or between two values of
        one type said together (서울하고 | 부산, 7시랑 | 8시, 서울 그리고 | 부산)."""
        if any(e.start < end < e.end or e.start < start < e.end for e in parse.entities):
            return True
        left = [e for e in parse.entities if e.end <= end]
        right = [e for e in parse.entities if e.start >= start]
        if not left or not right:
            return False
        lv, rv = max(left, key=lambda e: e.end), min(right, key=lambda e: e.start)
        gap = _squash(text[lv.end:rv.start])
        return lv.entity == rv.entity and (gap in _AND or gap in _OR or gap in _THEN
                                           or gap in {x + y for x in _AND for y in _THEN})

    def _request_of(self, text: str, parse: ParseResult, state: dict[str, Any],
                    before: Sequence[str]) -> str | None:
        """The request ``text`` makes as one part of a message after the parts ``before`` (their
        requests), by intent; None when it makes none. A confident intent with a scenario is one,
        unless the part is values alone (values carry no request of their own: ``서울에서 부산, 내일
        기차 예매해줘`` is one booking, whatever the model reads in ``서울에서 부산``). Values alone are
        one as an answer to the question under way (the first part; a yes or a no at a
        confirmation too), as a follow-up of the last answer (``고마워 ㅎㅎ | 부산은?``: nothing
        under way and no request before them) or of the part right before, when the model reads
        that part's request in them (``서울 날씨 어때? | 내일은?``)."""
        said = self._confident(parse)
        active = self.scenarios.scenarios.get(state.get("intent") or "")
        if active is not None and not before:   # an answer goes first, whatever the model reads (네 → thanks)
            t = _squash(text)
            asked = active.slot(state.get("asked") or "")
            cands = self._candidates(text, parse, active, asked)
            choose = state.get("choose") if isinstance(state.get("choose"), dict) else {}
            if self._is_bare(text, cands, asked) or (   # 두 번째 | 그리고 7시에 알람: a pick of the values offered
                    asked is not None and choose.get("slot") == asked.name
                    and _picked(text, len(choose.get("choices") or ())) is not None) or (state.get("confirming") and (
                    self._is_answer(t, self._yes_or_no) or self._is_correction(text, cands, active)
                    or self._says_yes(active, text, parse))):   # 네 고마워 | 그리고 부산 맛집도
                return active.intent
        alone = self._values_alone(text, parse)
        if said is not None and said in self.scenarios and not alone:
            return said
        if alone and before and said == before[-1]:
            return said
        last = state.get("last")
        if active is None and isinstance(last, dict) and (alone or said is None) \
                and not any(not self._small_talk(k) for k in before) \
                and self._follow_up("", state, text, parse, None, dry=True,
                                    strict=said is not None and said != last.get("intent")) is not None:
            return str(last.get("intent"))
        return None

    def _values_alone(self, text: str, parse: ParseResult) -> bool:
        """True when ``text`` is values with only particles, endings and interjections around
        them (``서울에서 부산``, ``부산은?``, ``아 내일은요``)."""
        if not parse.entities:
            return False
        rest = text
        for e in sorted(parse.entities, key=lambda e: -e.start):
            rest = rest[:e.start] + " " + rest[e.end:]
        return all(self._made_of(w, self._around_values) for w in map(_squash, rest.split()) if w)

    def _spans(self, text: str, parse: ParseResult) -> list[tuple[int, int]]:
        """The clauses of ``text`` between its cuts, as ``(start, end)``; [] without a cut or with
        too many."""
        cuts = self._clause_cuts(text, parse)
        if not cuts or len(cuts) >= 2 * MAX_REQUESTS:
            return []
        spans, start = [], 0
        for end, nxt in cuts:
            spans.append((start, end))
            start = nxt
        spans.append((start, len(text)))
        return spans

    def _pieces(self, text: str, parse: ParseResult, today: datetime.date | None) -> dict[str, ParseResult]:
        """Each clause of ``text`` read by the model, by its words: {} when there is one clause."""
        out: dict[str, ParseResult] = {}
        for a, b in self._spans(text, parse):
            piece = text[a:b].strip()
            if piece and piece not in out:
                out[piece] = self._parse(piece, today)
        return out

    def _split(self, text: str, parse: ParseResult, state: dict[str, Any], today: datetime.date | None,
               pieces: dict[str, ParseResult]) -> list[tuple[str, ParseResult, str]] | None:
        """The requests of a message that makes several (``기차 예매하고 부산 날씨도 알려줘``), each as
        ``(text, parse, intent)``, or None. Clauses without a request of their own join the request
        next to them; the split stands only when at least two parts make a request each and the
        whole text's confident intent does not already cover them (the others being only small
        talk); one request made twice only when each part says its own values and, for a scenario
        with a ``multiple`` slot, no 이랑/하고 joins them (서울 날씨랑 부산 날씨 is that slot's)."""
        spans = self._spans(text, parse)
        if not spans:
            return None
        parts: list[list[Any]] = []   # [start, end, parse, intent]
        lead: int | None = None
        for a, b in spans:
            a = a if lead is None else lead
            piece = text[a:b].strip()
            got = (pieces.get(piece) or self._parse(piece, today)) if piece else None
            kind = self._request_of(piece, got, state, [p[3] for p in parts]) if got else None
            if kind is None:
                lead = a   # no request of its own: it joins the next one
                continue
            parts.append([a, b, got, kind])
            lead = None
        if lead is not None and parts:   # words after the last request belong to it
            a = parts[-1][0]
            piece = text[a:].strip()
            got = self._parse(piece, today)
            if self._request_of(piece, got, state, [p[3] for p in parts[:-1]]) != parts[-1][3]:
                return None
            parts[-1][1:3] = [len(text), got]
        if len(parts) < 2 or len(parts) > MAX_REQUESTS:
            return None
        kinds = {p[3] for p in parts}
        whole = self._confident(parse)
        if len(kinds) < 2:
            # 서울 날씨 알려주고 부산 날씨도 알려줘: the same request twice, each with its own values
            sc = self.scenarios.scenarios.get(parts[0][3])
            joins = sc is not None and any(s.multiple for s in sc.slots) and any(
                _squash(text[:p[1]]).endswith(("이랑", "랑", "하고")) for p in parts[:-1])
            if joins or not self._each_its_values(parts, state, text):
                return None   # 서울 날씨랑 부산 날씨: values of a multiple slot said together
        elif whole is not None and all(p[3] == whole or self._small_talk(p[3], said=True) for p in parts):
            return None   # 안녕 서울 날씨 알려줘: the weather is what is asked
        elif state.get("intent") \
                and len({k for k in kinds if not self._small_talk(k, said=True)}) <= 1:
            # 네 ㅎㅎ 고마워요 at a confirmation: a yes with thanks, one request. Nothing under way, a
            # whole read as what no part asks (고마워 ㅎㅎ 9시는? as a greeting, or as weather after an
            # alarm) covers no request: the parts stand
            return None
        out = [(text[a:b].strip(), got, kind) for a, b, got, kind in parts]
        return self._shared(out, state, today)

    def _each_its_values(self, parts: Sequence[Sequence[Any]], state: dict[str, Any], text: str) -> bool:
        """True when, nothing under way, parts making the same request each say their own values of
        a type its slots take, and no two parts the same ones (서울 날씨 알려주고 | 부산 날씨도 알려줘);
        a misspelled value of a part ([bot] typo_fix: 부샨 날씨도 알려줘) is its own too."""
        if state.get("intent"):
            return False
        sc = self.scenarios.scenarios.get(parts[0][3])
        if sc is None or not sc.slots:
            return False
        types = {s.entity for s in sc.slots}
        said, roles = [], []
        for a, b, got, _ in parts:
            own = {(e.entity, e.value) for e in got.entities if e.entity in types}
            keys = {(e.entity, e.role) for e in got.entities if e.entity in types}
            if self.settings.typo_fix:
                typos = self._typo_candidates(text[a:b].strip(), got, sc, {}, [])
                own |= {(c.entity, c.value) for c in typos}
                keys |= {(c.entity, c.role) for c in typos}
            said.append(frozenset(own))
            roles.append(keys)
        if not (all(said) and len(set(said)) == len(said)):
            return False
        # 골프장 예약해줘 내일 오후4시: values alone, each for a required slot no other part fills,
        # complete the request they follow rather than make it again; for a request read back before
        # it is done, an optional slot's too (패딩 환불해 주세요 12만9천원: the refund's amount, no
        # second refund); a request answered at once is followed up (서울 날씨 어때? 내일은?). A slot
        # is told by its role too: 부산 가는 기차 예매해줘 서울에서 내일 — the destination is the
        # request's, the origin (서울, no role or the origin's) no other part fills
        required = [s for s in sc.slots if s.required or sc.confirm]

        def slots_of(entity: str, role: str | None) -> set[str]:
            return {s.name for s in sc.slots
                    if s.entity == entity and (role is None or s.role is None or s.role == role)}

        for i, (a, b, got, _) in enumerate(parts):
            filled: set[str] = set()   # the slots other parts' values surely fill (one slot each can)
            for j, keys in enumerate(roles):
                if j != i:
                    filled |= {n for entity, role in keys if len(ns := slots_of(entity, role)) == 1 for n in ns}
            free = {s.name for s in required} - filled
            if all(slots_of(entity, role) & free for entity, role in roles[i]) \
                    and self._values_alone(text[a:b].strip(), got):
                return False
        return True

    def _shared(self, parts: list[tuple[str, ParseResult, str]], state: dict[str, Any],
                today: datetime.date | None) -> list[tuple[str, ParseResult, str]]:
        """A value said once for two requests (``강남 맛집이랑 날씨``): a request whose scenario has one
        slot of a type, required, and no value of it gets the only value of that type the other
        parts give, said in front of its words (날씨 알려줘 → 강남 날씨 알려줘)."""
        out = []
        # a word pointing back (거기, [bot] refer) is a value here too: 거기 맛집 찾아주고 내일 날씨도
        said = [self._referred(t, p, state).entities for t, p, _ in parts]
        for i, (text, parse, intent) in enumerate(parts):
            sc = self.scenarios.scenarios.get(intent)
            if sc is not None and self._confident(parse) == intent:
                # a misspelled value of its own (부샨 날씨도 알려줘, [bot] typo_fix) is a value too
                typos = {c.entity for c in self._typo_candidates(text, parse, sc, {}, [])} \
                    if self.settings.typo_fix else set()
                for slot in sc.slots:
                    if not slot.required or sum(s.entity == slot.entity for s in sc.slots) != 1 \
                            or any(e.entity == slot.entity for e in said[i]) or slot.entity in typos \
                            or any(re.search(r"(?<!\w)" + re.escape(w), text)
                                   for w in self.settings.refer.get(slot.entity, ())):
                        continue
                    others = {e.value: e for j, ents in enumerate(said) if j != i
                              for e in ents if e.entity == slot.entity}
                    if len(others) == 1:
                        word = f"{next(iter(others.values())).text} {text}"
                        got = self._parse(word, today)
                        if self._confident(got) == intent and any(
                                e.entity == slot.entity for e in self._referred(word, got, state).entities):
                            text, parse = word, got
            out.append((text, parse, intent))
        return out

    def _run_parts(self, sid: str, state: dict[str, Any], parts: Sequence[tuple[str, ParseResult, str]],
                   today: datetime.date | None, parse: ParseResult | None, lead: Turn | None = None,
                   lead_text: str = "") -> Turn:
        """Handle the requests of one message in order. A request that is answered at once is
        answered; the first that asks a question (a slot, a confirmation) stays under way and its
        question is the last line of the reply; a later one that asks too is queued, run once
        nothing is under way (answered, or cancelled), and the reply says so (``[bot] queued``)."""
        done: list[tuple[int, str, Turn]] = []
        pending: tuple[int, str, Turn] | None = None
        waiting: dict[str, Any] = {}
        queued: list[tuple[int, str, str]] = []
        for i, (text, got, intent) in enumerate(parts):
            if pending is None:
                turn = self._part(sid, state, text, got, today, True)
                if state.get("intent"):
                    pending = (i, text, turn)
                    waiting = {k: copy.deepcopy(state[k]) for k in _UNDER_WAY if k in state}
                else:
                    done.append((i, text, turn))
                continue
            aside = state.get("aside")
            if intent == state.get("intent") == pending[2].intent != parts[pending[0]][2] \
                    and isinstance(aside, dict) and isinstance(aside.get("reply"), str):
                # 서울 날씨 알려주고 부산에서 출발할게: the weather answered in passing, the rest goes on with
                # the request under way (not queued as a second one)
                done.append((pending[0], pending[1], dataclasses.replace(
                    pending[2], reply=aside["reply"], intent=parts[pending[0]][2], state="complete")))
                turn = self._part(sid, state, text, got, today, True)
                if state.get("intent"):
                    pending = (i, text, turn)
                    waiting = {k: copy.deepcopy(state[k]) for k in _UNDER_WAY if k in state}
                else:
                    pending = None
                    done.append((i, text, turn))
                continue
            saved = copy.deepcopy(state)
            self._reset(state)
            turn = self._part(sid, state, text, got, today, True)
            if state.get("intent"):   # it asks too: undone, queued
                state.clear()
                state.update(saved)
                queued.append((i, text, intent))
                continue
            done.append((i, text, turn))
            for k in _UNDER_WAY:
                state.pop(k, None)
            state.update(copy.deepcopy(waiting))
        state["queue"] = [*state.get("queue", []), *(t for _, t, _ in queued)]
        if not state["queue"]:
            state.pop("queue", None)
        # the question asked is the last line, after the notes of what waits: the next message answers it
        lines = [t.reply for _, _, t in done]
        lines += [render_template(self.settings.queued, {"request": _quoted(t)}) for _, t, _ in queued]
        lines += [pending[2].reply] if pending else []
        main = pending[2] if pending is not None else done[-1][2]
        requests = [{"text": t, "intent": turn.intent, "state": turn.state, "reply": turn.reply}
                    for _, t, turn in sorted([*done, *([pending] if pending else [])], key=lambda x: x[0])]
        for i, t, intent in queued:
            requests.insert(i, {"text": t, "intent": intent or None, "state": "queued", "reply": ""})
        if lead is not None:
            lines.insert(0, lead.reply)
            # the lead: this message's requests when it made several, else the message as one
            requests[:0] = [dict(r) for r in lead.requests] or [
                {"text": lead_text, "intent": lead.intent, "state": lead.state, "reply": lead.reply}]
        return dataclasses.replace(main, reply="\n".join(x for x in lines if x), requests=requests,
                                   parse=parse if parse is not None else main.parse)

    def _run_queue(self, sid: str, state: dict[str, Any], text: str, turn: Turn,
                   today: datetime.date | None) -> Turn:
        """Nothing is under way any more: the requests queued by an earlier message run now, after
        this turn's reply."""
        texts = [t for t in state.pop("queue") or () if isinstance(t, str) and t]
        if not texts:
            return turn
        parts = []
        for t in texts:
            got = self._parse(t, today)
            parts.append((t, got, self._confident(got) or ""))
        return self._run_parts(sid, state, parts, today, turn.parse, lead=turn, lead_text=text)

    def _referred(self, text: str, parse: ParseResult, state: dict[str, Any]) -> ParseResult:
        """The parse with each word that points back (``[bot] refer``: 거기, 그날) read as the last
        value of its entity type in this conversation (``서울 날씨`` → ``거기 맛집``: 서울). The
        word's span is kept, so particles after it (거기서, 거기로) still name the slot; what the
        model tagged there gives way. A word with no value to point to is left as it was."""
        refer, recent = self.settings.refer, state.get("recent")
        if not refer:
            return parse
        recent = recent if isinstance(recent, dict) else {}
        found: list[tuple[int, int, str, str]] = []
        for etype, words in refer.items():
            value = recent.get(etype)
            for word in words:
                for m in re.finditer(re.escape(word), text):
                    if m.start() == 0 or not text[m.start() - 1].isalnum():   # at a word's start
                        found.append((m.start(), m.end(), etype, value if isinstance(value, str) else ""))
        # a word with nothing to point to is no value itself, of any type (the model's 거기 as a food)
        words = {w for ws in refer.values() for w in ws}
        blank = [(a, b) for a, b, _, v in found if not v]
        if blank:
            parse = ParseResult(parse.text, parse.intent, tuple(
                e for e in parse.entities if not (e.text in words and (e.start, e.end) in blank)), parse.ranking)
        found = [f for f in found if f[3]]
        chosen: list[tuple[int, int, str, str]] = []
        for a, b, etype, value in sorted(found, key=lambda f: f[0] - f[1]):   # longest first (그 동네 > 그)
            if not any(a < y and x < b for x, y, _, _ in chosen):             # a word under two types: the first
                chosen.append((a, b, etype, value))
        if not chosen:
            return parse
        kept = [e for e in parse.entities if not any(e.start < b and a < e.end for a, b, _, _ in chosen)]
        said = [Entity(etype, value, text[a:b], a, b, 1.0) for a, b, etype, value in chosen]
        return ParseResult(parse.text, parse.intent, tuple(sorted([*kept, *said], key=lambda e: e.start)),
                           parse.ranking)

    def _note_recent(self, state: dict[str, Any], turn: Turn, held: Mapping[str, Any] | None = None) -> None:
        """Keep, by entity type, the last value a turn's slots took: what 거기 or 그날 points to.
        A value the slot ``held`` before the turn was noted then and is passed over (출발지 대전으로
        바꿔줘 with 부산 the destination, then 네: 거기 is 대전)."""
        sc = self.scenarios.scenarios.get(turn.intent or "")
        if not self.settings.refer or sc is None or not turn.slots:
            return
        recent = state.get("recent")
        if not isinstance(recent, dict):
            recent = state["recent"] = {}
        held = held or {}
        for name, value in turn.slots.items():
            if name in held and held[name] == value:
                continue   # taken in an earlier turn and noted then (네 books it: nothing new said)
            slot = sc.slot(name)
            if slot is None or slot.entity not in self.settings.refer:
                continue
            if name in turn.multiple:   # 서울이랑 부산: no one value to point back to
                recent.pop(slot.entity, None)
            elif isinstance(value, str) and value:
                recent[slot.entity] = value

    def _keyboard_fixed(self, text: str, parse: ParseResult, today: datetime.date | None
                        ) -> tuple[str, ParseResult]:
        """``text`` read as Hangul typed in English mode (``tjdnf`` → ``서울``), with its parse, when
        that reading is understood better than the text as typed: a confident intent more sure
        than the typed text's, or (the typed text not understood) more entities, a yes, no or
        cancel. Otherwise the text and parse as they were."""
        hangul = hangul_from_keys(text)
        if hangul is None:
            hangul = self._values_from_keys(text)
            if hangul is None:
                return text, parse
            alt = self._parse(hangul, today)
            # tjdnf 날씨: a value more, the request as sure as typed or surer
            if len(alt.entities) > len(parse.entities) and (
                    self._confident(alt) == self._confident(parse) or (
                        alt.intent is not None and (parse.intent is None
                                                    or alt.intent.confidence > parse.intent.confidence))):
                return hangul, alt
            return text, parse
        alt = self._parse(hangul, today)
        typed_intent, alt_intent = self._confident(parse), self._confident(alt)
        if alt_intent is not None and (typed_intent is None
                                       or alt.intent.confidence > parse.intent.confidence):  # type: ignore[union-attr]
            return hangul, alt
        if typed_intent is None and (len(alt.entities) > len(parse.entities) or self._is_cancel(hangul)
                                     or self._made_of(_squash(hangul), self._yes_or_no)):
            return hangul, alt
        return text, parse

    def _said_twice(self, text: str, parse: ParseResult, today: datetime.date | None) -> tuple[str, ParseResult]:
        """``text`` and its parse, or, when the model is not sure of the text and it is a short word
        said over again (``ㄳㄳ``, ``고마워 고마워``, ``ㅇㅋㅇㅋ``), the word once with its parse when the
        model is sure of that."""
        t = _squash(text)
        if self._confident(parse) is not None or not 2 <= len(t) <= 12 or parse.entities:
            return text, parse
        unit = next((t[:n] for n in range(1, len(t) // 2 + 1) if len(t) % n == 0 and t[:n] * (len(t) // n) == t), None)
        if unit is None or (len(unit) == 1 and not _LONE_JAMO.fullmatch(unit)):
            return text, parse   # ㅋㅋ, ㅎㅎ are laughter as typed; 하하 is no 하
        once = self._parse(unit, today)
        if self._confident(once) is None or once.entities:
            return text, parse
        return unit, once

    def _values_from_keys(self, text: str) -> str | None:
        """``text``, Hangul with a word typed in English mode (``tjdnf 날씨``: the keyboard switched
        after the first word), with each such word that reads as a value the dictionary lists
        (a particle after it or none: ``tjdnfdptj`` → 서울에서) read as that Hangul; else None."""
        if not _HANGUL_WORD.search(text):
            return None
        out, pos, changed = [], 0, False
        for m in re.finditer(r"[A-Za-z]{2,}", text):
            read = hangul_from_keys(m.group())
            if read is None or not any(read[n:] in _TYPO_ENDINGS and index.lookup(read[:n]) is not None
                                       for index in self._index.values() for n in range(1, len(read) + 1)):
                continue
            out += [text[pos:m.start()], read]
            pos, changed = m.end(), True
        return "".join([*out, text[pos:]]) if changed else None

    def forget(self, session_id: str) -> bool:
        """Drop a session's state; True when there was one."""
        self._check_session_id(session_id)
        with self.store.lock(session_id):
            return self.store.delete(session_id)

    def session(self, session_id: str) -> dict[str, Any] | None:
        """A copy of a session's stored state (for debugging and tests), or None."""
        self._check_session_id(session_id)
        return self.store.get(session_id)

    # ------------------------------------------------------------------ internals

    def _write_log(self, sid: str, text: str, parse: ParseResult, turn: Turn, now: float,
                   before: dict[str, Any] | None, fallback: bool, slot: str | None, clarify: bool = False) -> None:
        """Append the turn to the turn log; a failure is a warning (once), never the user's problem.
        A clarifying question (혹시 '기차 예매'를 원하세요?) starts no scenario: it is logged without one,
        so ``nlukit review`` lists its text among the low-confidence ones, not as a question left open."""
        assert self.log is not None
        try:
            raw = bool(getattr(self.log, "raw_session_ids", False))
            meta = getattr(self.parser, "meta", None)
            model = ({"name": meta.get("name"), "version": meta.get("version")}
                     if isinstance(meta, Mapping) and (meta.get("name") or meta.get("version")) else None)
            self.log.write(turn_record(
                ts=now, session=hash_session(sid, str(getattr(self.log, "salt", "") or "")),
                session_id=sid if raw else None, text=text, parse=parse,
                fallback=fallback,
                state=turn.state, scenario=turn.intent if turn.intent in self.scenarios and not clarify else None,
                slot=slot, before=before, model=model))
        except Exception as exc:  # noqa: BLE001 - the log must never break a conversation
            if not self._log_failing:
                log.warning("cannot write the turn log %s (%s: %s); conversations go on without it "
                            "until it can be written again", getattr(self.log, "path", self.log),
                            type(exc).__name__, exc)
            self._log_failing = True
        else:
            if self._log_failing:
                log.warning("writing the turn log %s again", getattr(self.log, "path", self.log))
            self._log_failing = False

    def _check_dictionary_slots(self) -> None:
        problems = []
        for i, sc in enumerate(self.scenarios):
            for j, slot in enumerate(sc.slots):
                index = self._index.get(slot.entity)
                if slot.values == "dictionary" and (index is None or not index.values):
                    problems.append(f"{self.scenarios.source}: scenario[{i}].slot[{j}].values: "
                                    f"\"dictionary\" but the model's dictionary has no "
                                    f"{slot.entity!r} values; drop 'values' or add a {slot.entity} "
                                    "dictionary and retrain")
        if problems:
            raise ScenarioError("\n".join(problems))

    @staticmethod
    def _check_session_id(session_id: object) -> None:
        if not isinstance(session_id, str) or not session_id or len(session_id) > MAX_SESSION_ID:
            raise InputError(f"session_id must be a non-empty string of at most {MAX_SESSION_ID} "
                             f"characters, got {session_id!r}")

    def _is_cancel(self, text: str) -> bool:
        """A cancel phrase and a short ending (취소할게요), after a no or an interjection if any
        (아니 됐어, 아 그만, 아냐 취소해줘)."""
        t = _squash(text)
        # the cancel phrase with its ending is short: only the last few places can start it
        first = max(0, len(t) - max((*map(len, self._cancel), _WONT_MAX - BARE_REST)) - BARE_REST)
        lead = self._splits(t, self._cancel_lead)
        fillers = self._splits(t, _FILLERS)
        # 안 사요, 안 가요 say "won't" only after a refusal: 괜찮아요 안 사요, 아니요 안 가요
        return any(lead[n] and (any(t[n:] == p or (t[n:].startswith(p) and len(t) - n - len(p) <= BARE_REST)
                                    for p in self._cancel) or self._wont(t[n:])
                                or (not fillers[n] and _WONT_PLAIN.fullmatch(t[n:]) is not None))
                   for n in range(first, len(t))) or self._no_thanks(t)

    def _no_thanks(self, t: str) -> bool:
        """``아니 괜찮아``, ``아니에요 괜찮아요 ㅎㅎ`` (squashed): a no, then a polite decline."""
        if not self._made_of(t, self._no_or_filler | _DECLINE):
            return False
        lead, fillers = self._splits(t, self._no_or_filler), self._splits(t, _FILLERS)
        return any(lead[n] and not fillers[n] and self._made_of(t[n:], _DECLINE | _FILLERS)
                   and not self._made_of(t[n:], _FILLERS) for n in range(1, len(t)))

    @staticmethod
    def _wont(t: str) -> bool:
        """``안 할래요``, ``안 살게``, ``안 해도 돼요`` (squashed): a "won't" whose verb ends in an
        intention (ㄹ래, ㄹ게: the syllable before has ㄹ under it), or 안 해(요)."""
        m = _WONT.fullmatch(t)
        if m is None:
            return False
        if t.endswith(("래", "게", "께", "래요", "게요", "께요")) and not t.startswith("안해"):
            stem = t[:-1] if t.endswith("요") else t
            before = stem[-2]   # the syllable before 래/게: 할, 살, 을 (먹을래) carry ㄹ
            return len(stem) >= 3 and "가" <= before <= "힣" and ends_with_rieul(before)
        return True

    @staticmethod
    def _made_of(t: str, phrases: frozenset[str]) -> bool:
        """True when the squashed text ``t`` is one or more of ``phrases`` in a row (``네좋아요``)."""
        return bool(t) and Bot._splits(t, phrases)[-1]

    @staticmethod
    def _splits(t: str, phrases: frozenset[str]) -> list[bool]:
        """``ok[i]`` for each ``i`` in ``0..len(t)``: ``t[:i]`` is one or more of ``phrases`` in a
        row (``ok[0]``, the empty start, is True). One pass, so a long text costs little."""
        ok = [True] + [False] * len(t)
        if not phrases:
            return ok
        longest = max(map(len, phrases))
        for i in range(1, len(t) + 1):
            ok[i] = any(ok[i - n] and t[i - n:i] in phrases for n in range(1, min(longest, i) + 1))
        return ok

    def _confirming(self, sid: str, state: dict[str, Any], sc: Scenario, text: str, parse: ParseResult,
                    today: datetime.date | None) -> Turn | None:
        """The answer to a confirmation question when it is a yes or a no (a no-then-cancel,
        아니 됐어, is a cancel, handled before); None when the text is something else (a new
        value, another request)."""
        t = _squash(text)
        if self._says_yes(sc, text, parse):
            state["misunderstood"] = 0
            return self._complete(sid, state, sc, text, parse, today)
        if self._is_answer(t, self._deny):
            state["misunderstood"] = 0
            final = self._with_defaults(sc, state["slots"])
            # the slots as the read-back showed them: every item of a list or an order (짜장면, 짬뽕 | 2개, 1개)
            return Turn(self.settings.confirm_denied, "confirm", sc.intent, self._shown(state, sc, final, ", "), [],
                        parse, self._resolved(sc, state, final, today), [], self._lists(state, sc))
        return None   # 아니 됐어 (a no, then a cancel phrase) was cancelled before

    def _says_yes(self, sc: Scenario, text: str, parse: ParseResult) -> bool:
        """True when ``text`` says yes to ``sc``'s confirmation question."""
        said = self._confident(parse)
        return self._is_answer(_squash(text), self._affirm) or (
            # 네, 예매해 주세요: a yes, then the very request being confirmed; 네 감사합니다: a yes,
            # then small talk (thanks, a goodbye), which must not drop what was said yes to
            (said == sc.intent or self._small_talk(said)) and not parse.entities
            and self._starts_with_yes(text)) or (
            # 네네 ㅎㅎ 예매해주세요, 응 예약해줘: a yes, then one word asking to do it, whatever the
            # model reads (no other request it is sure of)
            said in (None, sc.intent) and not parse.entities and self._yes_then_go_ahead(text)) or (
            # 예매해줘, 기차 예매해 주세요: the very request being confirmed, asked again without a yes
            said == sc.intent and not parse.entities and _go_ahead_alone(text))

    def _swapped(self, text: str, parse: ParseResult, sc: Scenario, slots: Mapping[str, str]) -> dict[str, str] | None:
        """The two values of a type swapped (``{origin: 부산, destination: 서울}``) when ``text`` asks
        for the other way round without a value (``반대로``, ``아 거꾸로요``, ``반대로 해줘``) and two slots
        of one type, one of which must differ from the other, hold values; else None. (A model may
        tag 반대 itself as a place: that is no value.)"""
        if any(e.entity in sc.entity_types and not _REVERSED.match(_squash(e.text)) for e in parse.entities):
            return None
        t = _squash(text)
        leads = sorted((self._no_or_filler | self._affirm) - {""}, key=len, reverse=True)
        while t and not _REVERSED.fullmatch(t):
            lead = next((w for w in leads if t.startswith(w)), None)
            if lead is None:
                return None
            t = t[len(lead):]
        if not t:
            return None
        for s in sc.slots:
            other = sc.slot(s.differs_from) if s.differs_from else None
            if other is not None and other.entity == s.entity and slots.get(s.name) and slots.get(other.name):
                return {s.name: slots[other.name], other.name: slots[s.name]}
        return None

    def _slot_to_change(self, text: str, parse: ParseResult, sc: Scenario) -> Slot | None:
        """The slot that ``text`` names to change without a value (``출발지 바꿔줘``, ``시간 바꿔줘``,
        ``아 날짜 바꿀래요``, ``도착지 다시``), else None."""
        if any(e.entity in sc.entity_types for e in parse.entities):
            return None
        t = _squash(text)
        leads = sorted(self._no_or_filler - {""}, key=len, reverse=True)
        while t:
            for s in sc.slots:
                for n in sorted(s.names, key=len, reverse=True):
                    if t.startswith(_squash(n)) and _CHANGE_SLOT.fullmatch(t[len(_squash(n)):]):
                        return s
            # 아 아니 날짜 바꿀래: a no or an interjection before the name
            t = t[len(next((w for w in leads if t.startswith(w)), t)):]
        return None

    def _yes_then_go_ahead(self, text: str) -> bool:
        """``네네 ㅎㅎ 예매해주세요``, ``응 예약해줘``, ``네 예매 부탁드려요``: whole words making a yes
        (laughter around it), then a few letters ending in a request to do it (해줘, 해주세요, 부탁해요)."""
        words = [w for w in (_squash(x) for x in re.split(r"[\s,.!?~…]+", text)) if w]
        for k in range(len(words) - 1, 0, -1):
            rest = "".join(words[k:])
            if len(rest) > 10:
                break
            if rest.endswith(_GO_AHEAD) and self._is_answer("".join(words[:k]), self._affirm):
                return True
        return False

    def _starts_with_yes(self, text: str) -> bool:
        """True when whole words at the start of ``text`` make a yes and more words follow
        (``네, 예매해 주세요``, ``네 감사합니다``); ``고마워요`` does not start with the yes ``고``."""
        words = [w for w in re.split(r"[\s,.!?~…]+", text) if w]
        return any(self._made_of(_squash(" ".join(words[:k])), self._affirm) for k in range(1, len(words)))

    def _is_answer(self, t: str, phrases: frozenset[str]) -> bool:
        """True when the squashed text ``t`` is ``phrases`` (a yes, a no), with interjections,
        laughter or crying around them (네 ㅎㅎ, 아뇨 ㅠㅠ, 그럼 ㄱㄱ, 아 네), but not those alone."""
        return self._made_of(t, phrases) or (self._made_of(t, phrases | _FILLERS)
                                             and not self._made_of(t, _FILLERS))

    def _small_talk(self, intent: str | None, said: bool = False) -> bool:
        """True for an intent whose scenario only answers (thanks, goodbye): no slots, no action.
        With ``said``, for a part of a message of several requests: not one that answers a
        question of its own (``small_talk = false``: 위치도 알려줘 is not dropped beside a booking)."""
        sc = self.scenarios.scenarios.get(intent or "")
        return sc is not None and not sc.slots and sc.action is None and (sc.small_talk or not said)

    def _confident(self, parse: ParseResult) -> str | None:
        it = parse.intent
        if it is None or it.name == self.fallback_intent:
            return None
        return it.name if it.confidence >= self.settings.confidence_threshold else None

    def _step(self, sid: str, state: dict[str, Any], text: str, parse: ParseResult,
              today: datetime.date | None = None) -> Turn:
        st = self.settings
        state["total_turns"] = int(state.get("total_turns", 0)) + 1
        pending = state.pop("clarify", None)   # a question 혹시 '기차 예매'를 원하세요? asked last turn
        passed = state.pop("aside", None)   # an answer given in passing last turn (Bot._aside)
        # a cancel phrase cancels what is under way; with nothing under way, a confident
        # intent wins (그만할게 may be a goodbye) and only an unclear one reads as cancel
        if self._is_cancel(text) and (state.get("intent") or self._confident(parse) is None):
            had = state.get("intent")
            self._reset(state)
            state["misunderstood"] = 0
            state["last"] = None
            return Turn(st.cancel_reply, "cancelled", had, {}, [], parse)
        intent = self._confident(parse)
        active = self.scenarios.scenarios.get(state.get("intent") or "")
        if active is None and isinstance(pending, dict):
            answer = self._clarified(sid, state, pending, text, parse, today)
            if answer is not None:
                return answer   # a yes or a no; anything else is a new turn
        if active is None:
            # values alone after an answer (부산은?) follow it up, whether the model reads them
            # as no intent or as the same one again
            last = state.get("last") if isinstance(state.get("last"), dict) else {}
            # as no intent or the same one; as another only when nothing but endings is left
            # (부산은?, 모레는요: no word of that other request, the model's guess has nothing to go on)
            follow = self._follow_up(sid, state, text, parse, today,
                                     strict=intent is not None and intent != last.get("intent"))
            if follow is not None:
                return follow
            if st.acknowledge and last and self._made_of(_squash(text), self._affirm) \
                    and (intent is None or self._small_talk(intent)):
                # 네, 좋아요 after an answer, nothing asked: no thanks to answer (천만에요), no request
                state["misunderstood"] = 0
                return Turn(st.acknowledge, "complete", None, {}, [], parse)
            if intent is not None and intent in self.scenarios:
                return self._start(sid, state, self.scenarios[intent], text, parse, today)
            if intent is not None:
                state["misunderstood"] = 0
                return Turn(st.no_scenario, "fallback", None, {}, [], parse)
            offer = self._to_clarify(text, parse)
            if offer is not None:
                return self._clarify(state, offer, text, parse)
            return self._fallback(state, parse)

        state["turns"] = int(state.get("turns", 0)) + 1
        state["texts"] = [*(state.get("texts") or []), text][-TEXTS_KEPT:]
        if isinstance(passed, dict) and _TOPIC_ASKED.search(text):
            # 서울 날씨 어때 answered in passing, then 내일은?: the weather followed up, the question asked again
            again = self._aside(sid, state, active, None, text, parse, today, passed, follow=True)
            if again is not None:
                return again
        if state.get("confirming"):
            answer = self._confirming(sid, state, active, text, parse, today)
            if answer is not None and answer.state != "confirm":
                return answer   # a yes, or a cancel
            if state["turns"] >= st.max_turns:   # no end of no's: give up as while asking
                self._reset(state)
                state["misunderstood"] = 0
                return Turn(st.max_turns_reply, "fallback", active.intent, {}, [], parse)
            if answer is not None:
                return answer
            swapped = self._swapped(text, parse, active, state["slots"])
            if swapped is not None:   # 반대로: from 부산 to 서울, read back
                state["misunderstood"] = 0
                state["slots"].update(swapped)
                for name in swapped:
                    self._meanings(state).pop(name, None)
                return self._advance(sid, state, active, text, parse, "", today)
            again = self._slot_to_change(text, parse, active)
            if again is not None and not again.required:
                # 시간 바꿔줘, an optional slot: asked with its prompt or [bot] change_prompt, its value kept
                # until the answer replaces it (4시 after 오후 3시 is 오후 4시)
                state["misunderstood"] = 0
                state["asked"], state["confirming"] = again.name, False
                slots = state["slots"]
                shown = self._shown(state, active, {s.name: slots.get(s.name, "") for s in active.slots})
                question = render_template(self._wording(sid, state, f"{active.intent}.{again.name}", again, "prompt"),
                                           shown) if again.prompt is not None else \
                    render_template(st.change_prompt, {"slot": again.names[0] if again.names else again.name})
                return Turn(question, "ask_slot", active.intent, self._shown(state, active, slots, ", "), [], parse,
                            self._resolved(active, state, slots, today),
                            list(again.values) if isinstance(again.values, tuple) else [], self._lists(state, active))
            if again is not None:   # 출발지 바꿔줘, 날짜 바꿀래요: that slot is asked again
                state["misunderstood"] = 0
                state["slots"].pop(again.name, None)
                self._meanings(state).pop(again.name, None)
                return self._advance(sid, state, active, text, parse, "", today)
        asked = active.slot(state.get("asked") or "")
        cands = self._candidates(text, parse, active, asked, state["slots"])
        # 둘 다 to which one: a one-value slot takes one at a time, the question is asked again
        takes_all = self._takes_all(state, asked, text)
        if takes_all:
            cands = []
        bare = self._is_bare(text, cands, asked)
        if not bare and state.get("confirming"):
            # 모레, 아니 대구로: a new value for the question read back, whatever intent the model guesses;
            # 둘이 가요, 셋이서 갈게요: a count said alone, as it would be to its question
            bare = self._is_correction(text, cands, active) or self._count_alone(text, cands, active)
        # a yes or a no (네, 아니요) is no new request, whatever the model makes of it (네 → thanks);
        # nor are values of this scenario's slots alone (서울에서 부산, 내일 아침 7시 while a slot is asked):
        # values carry no request of their own
        yes_or_no = self._made_of(_squash(text), self._yes_or_no)
        if self._asks_to_wait(_squash(text)):   # whatever the tagger made of it (잠깐만 tagged as a menu item)
            state["misunderstood"] = 0   # 잠깐만요 while asked: no misunderstanding, the question waits
            state["turns"] = max(0, int(state.get("turns", 1)) - 1)   # nor a turn towards max_turns
            return self._advance(sid, state, active, text, parse, st.wait, today)
        answer = bare or takes_all or self._is_correction(text, cands, active) \
            or self._changes_count_held(cands, active, state["slots"])
        if intent is not None and intent != active.intent and intent in self.scenarios and not answer \
                and not yes_or_no:
            other = self.scenarios[intent]
            lead = self._said_in_passing(text, active, asked, state, today)
            passing = True
            if lead is not None:   # 고마워 근데 4시로 바꿔줘 read as an alarm: thanks, then a correction
                head = text[:len(text) - len(lead[1])]
                other, text, _, cands, bare = lead
                # 네 근데 시간은 9시로 (the model reads 네 as thanks): a yes, no thanks to answer
                passing = not self._made_of(_squash(head), self._yes_or_no | _FILLERS | _BY_THE_WAY)
            if passing and other.resume and (other.slots or other.action is not None):
                aside = self._aside(sid, state, active, other, text, parse, today, passed)
                if aside is not None:   # 탕수육 얼마예요? while an order is under way: answered, the order goes on
                    return aside
            elif passing and other.resume and other.response is not None:
                # 고마워 while the date is asked: answered in passing, and the question asked again
                state["misunderstood"] = 0
                said = other.resume if isinstance(other.resume, str) else \
                    self._wording(sid, state, other.intent, other, "response")
                pick = self._pick_after(state, asked, text, cands)
                if pick is not None:   # 고마워 첫 번째: the pick among the values offered answers
                    state["filled"], _ = self._fill_joined(state, pick, active, state["slots"], [], asked, True,
                                                           self._meanings(state))
                elif cands:   # 고마워 그리고 서울에서 출발: the values said with it answer what is asked
                    if asked is not None and not state.get("confirming"):
                        cands = self._taking_back(text, cands, active, state)
                    state["filled"], _ = self._fill_joined(state, text, active, state["slots"], cands, asked,
                                                           bare, self._meanings(state))
                return self._advance(sid, state, active, text, parse, render_template(said, {}), today)
            if passing:
                return self._start(sid, state, self.scenarios[intent], text, parse, today)
        slots: dict[str, str] = state["slots"]
        if asked is not None and not state.get("confirming"):
            cands = self._taking_back(text, cands, active, state)
        filled, rejected = self._fill_joined(state, text, active, slots, cands, asked, bare, self._meanings(state))
        state["filled"] = filled
        prefix = ""
        quiet = False
        if takes_all:
            state["misunderstood"] = 0
            prefix = render_template(st.one_at_a_time, {"choices": _and_list(state["choose"]["choices"])})
        elif filled or intent == active.intent:
            state["misunderstood"] = 0
            # (or for the slot it must differ from: 부산에서 출발 with 부산 the destination, as 출발지는 부산 is)
            # (or for the only slot of its type: 청바지 30 사이즈요 answering which item, with 30 no size)
            said_for = [(c, slot) for c, slot in rejected
                        if any(c.role == s.role and c.role or c.named == s.name or self._by_particle([s], c) is not None
                               for s in (slot, active.slot(slot.differs_from or "")) if s is not None)
                        or sum(s.entity == slot.entity for s in active.slots) == 1 and self._said_aloud(c)]
            if not said_for and not filled and asked is not None:
                # 4~5명이요 to 몇 분이세요?, read as the request under way: the answer refused, said so
                said_for = [(c, slot) for c, slot in rejected if slot.name == asked.name]
            if said_for:   # 서울에서 서울로 answering where from: 서울 taken, the one said for where to refused aloud
                prefix = self._invalid_reply(sid, state, active, *said_for[0])
                quiet = not self._said_aloud(said_for[0][0])
        elif rejected:
            prefix = self._invalid_reply(sid, state, active, *rejected[0])
            quiet = not self._said_aloud(rejected[0][0])
        else:
            prefix = self._fallback_reply(state)
        if state["turns"] >= st.max_turns and (self._missing(active, slots) or state.get("confirming")):
            self._reset(state)
            state["misunderstood"] = 0
            return Turn(st.max_turns_reply, "fallback", active.intent, {}, [], parse)
        return self._advance(sid, state, active, text, parse, prefix, today, quiet)

    def _to_clarify(self, text: str, parse: ParseResult) -> Scenario | None:
        """The scenario to ask about (``[bot] clarify``) for a request not understood surely enough:
        the model's best intent, from the model's own threshold up to ``confidence_threshold``, or,
        when the model's threshold is the higher, within ``clarify_band`` below it (what the model
        sent to its fallback), when its scenario has a ``title``; never for a bare yes or no (nor when
        the two thresholds are equal: an FAQ bot's, set to refuse a flat distribution). None when
        there is none."""
        st = self.settings
        it = parse.intent
        if not st.clarify or it is None:
            return None
        model = float(getattr(self.parser, "threshold", 0.0) or 0.0)
        if it.name == self.fallback_intent:
            # the model's own fallback: its best intent may still be near the model's threshold,
            # which may be above the bot's (a model of 0.62 sends 0.55 here); at or above that
            # threshold it fell back for another reason (nothing but ㅋㅋㅋ): no request
            if not parse.ranking or parse.ranking[0].confidence >= model:
                return None
            it = parse.ranking[0]
        floor = model if model <= st.confidence_threshold else model - st.clarify_band
        if it.confidence >= st.confidence_threshold and it is parse.intent or it.confidence < floor:
            return None
        sc = self.scenarios.scenarios.get(it.name)
        if sc is None or sc.title is None or self._made_of(_squash(text), self._yes_or_no):
            return None
        return sc

    def _clarify(self, state: dict[str, Any], sc: Scenario, text: str, parse: ParseResult) -> Turn:
        """Ask whether ``sc`` is what the user wants → ``confirm``; the text and its parse are kept
        in the session (JSON, as the store keeps it) so a yes starts ``sc`` with the values said."""
        state["clarify"] = {"intent": sc.intent, "text": text, "parse": parse.to_dict()}
        question = render_template(self.settings.clarify, {"title": sc.title or sc.intent})
        return Turn(question, "confirm", sc.intent, {}, [], parse)

    def _clarified(self, sid: str, state: dict[str, Any], pending: Mapping[str, Any], text: str,
                   parse: ParseResult, today: datetime.date | None) -> Turn | None:
        """The answer to the clarifying question: a yes starts the scenario asked about with the
        values of the request it was asked for; a no gets ``clarify_denied`` (→ ``fallback``);
        None for anything else, which is then handled as a new request."""
        sc = self.scenarios.scenarios.get(str(pending.get("intent") or ""))
        said = pending.get("text")
        if sc is None or not isinstance(said, str):
            return None
        t = _squash(text)
        if self._asks_to_wait(t) or self._made_of(t, _FILLERS):
            # 잠깐만요, 네 잠깐만요: the question waits (it was dropped, and the yes after it fell back);
            # 음 alone says nothing: not understood, as at other questions, and the question asked again
            state["clarify"] = dict(pending)
            question = render_template(self.settings.clarify, {"title": sc.title or sc.intent})
            lead = self.settings.wait if self._asks_to_wait(t) else self._fallback_reply(state)
            return Turn(f"{lead} {question}".strip(), "confirm", sc.intent, {}, [], parse)
        if self._says_yes(sc, text, parse) or self._yes_then_thanks(text, today):
            try:
                first = _parse_from_dict(pending.get("parse"), said)
            except (TypeError, ValueError, KeyError, AttributeError):   # a state not written by this bot
                first = ParseResult(text=said, intent=None)
            return self._start(sid, state, sc, said, first, today)
        if self._is_answer(_squash(text), self._deny):
            state["misunderstood"] = int(state.get("misunderstood", 0)) + 1
            return Turn(self.settings.clarify_denied, "fallback", None, {}, [], parse)
        more = self._yes_with_values(sc, text, parse, today)
        if more is not None:
            try:
                first = _parse_from_dict(pending.get("parse"), said)
            except (TypeError, ValueError, KeyError, AttributeError):
                first = ParseResult(text=said, intent=None)
            return self._start(sid, state, sc, said, first, today, then=more)
        return None

    def _asks_to_wait(self, t: str) -> bool:
        """``t`` (squashed) asks to wait, alone or after a yes or an interjection: ``잠깐만요``,
        ``음 잠시만``, ``네 잠깐만요``."""
        return self._made_of(t, _WAIT | _FILLERS | self._affirm) and any(w in t for w in ("잠깐", "잠시", "기다려"))

    def _yes_then_thanks(self, text: str, today: datetime.date | None) -> bool:
        """``네 고마워``, ``응 감사해요``: a yes, then words the model reads alone as small talk (thanks),
        whatever it reads the whole as."""
        words = list(re.finditer(r"[^\s,.!?~…]+", text))
        for k in range(1, len(words)):
            if self._is_answer(_squash(text[:words[k - 1].end()]), self._affirm):
                got = self._parse(text[words[k].start():], today)
                return self._small_talk(self._confident(got)) and not got.entities
        return False

    def _yes_with_values(self, sc: Scenario, text: str, parse: ParseResult,
                         today: datetime.date | None) -> tuple[str, ParseResult] | None:
        """An answer to a clarifying question about ``sc`` that gives values for it, with or without a
        yes in front (``네 부산``, ``응 7시로``, ``강남역``): ``(the words after the yes, their parse)``;
        None for a no in front (``아니 부산``), another request the model is sure of, or no value."""
        words = list(re.finditer(r"[^\s,.!?~…]+", text))
        if not words:
            return None
        for k in range(1, len(words)):
            if self._made_of(_squash(text[:words[k - 1].end()]), self._deny | _FILLERS) \
                    and not self._made_of(_squash(text[:words[k - 1].end()]), _FILLERS):
                return None   # 아니 부산: a no first
        rest, got, yes = text, parse, False
        for k in range(len(words) - 1, 0, -1):
            if self._is_answer(_squash(text[:words[k - 1].end()]), self._affirm):
                rest, yes = text[words[k].start():], True
                got = self._parse(rest, today)
                break
        said = self._confident(got)
        if said not in (None, sc.intent) and not self._small_talk(said):
            return None   # 부산 맛집 알려줘: a request of its own, handled as a new turn
        cands = self._candidates(rest, got, sc, None, {})
        if cands and not yes and (said is None or self._small_talk(said)):
            other = self._other_words(rest, cands)
            if other and not self._told_about(sc, rest, other, got):
                # 비트코인 시세 어때, not understood: its words are no answer to 혹시 '날씨 확인'을 원하세요?
                # (비트코인 tagged a place would start the weather unasked), nor 아이유 나이 몇 살이야, read
                # surely as small talk, to the music question; values alone (강남역, 4시로 해줘) are, and so
                # are values told about in words the ranking reads as about sc (부산 가는데)
                return None
        return (rest, got) if cands else None

    def _other_words(self, text: str, cands: Sequence[_Cand]) -> list[tuple[int, int]]:
        """The ``(start, end)`` of each word of ``text`` that no value of ``cands`` covers and that is
        no ending, yes or no, interjection or word asking for it to be done (``부산이요``, ``4시로 해줘``,
        ``음 강남역 어때`` have none; ``비트코인 시세 어때`` has 시세, ``부산 가는데`` 가는데)."""
        allowed = _ENDINGS | self._yes_or_no | _FILLERS | _CHANGE | _DO | _ASKING_ABOUT
        other = []
        for m in re.finditer(r"\S+", text):
            if any(m.start() < c.end and c.span_start < m.end() for c in cands):
                continue
            w = _squash(m.group(0))
            if w and not self._made_of(w, allowed):
                other.append((m.start(), m.end()))
        return other

    def _told_about(self, sc: Scenario, text: str, other: Sequence[tuple[int, int]], parse: ParseResult) -> bool:
        """True when the ``other`` words of an answer to the clarifying question about ``sc`` (no values,
        endings or asking words) only tell about its values (``부산 가는데``, ``나 부산 살아``, ``부산에
        있어``): they hold no noun, number or foreign word by MeCab (``시세``, ``집값``, the 결혼 of
        ``결혼했어``: a thing of another request), and the model's ranking of the answer does not point
        to another scenario: ``sc`` is its first or second intent, behind small talk only (``부산 가고
        싶다`` reads as a train first; ``부산 갔다 왔어`` has the weather third). False without MeCab."""
        try:
            tokens = get_tokenizer("mecab").tokenize(text)
        except Exception:  # noqa: BLE001 - without MeCab only the words listed answer
            return False
        for start, end in other:
            if any(start <= t.start and t.end <= end and any(p in _THING for p in t.pos.split("+"))
                   for t in tokens):
                return False
        # denied, doubted or asked back (부산 가기 싫어, 부산 몰라, 7시는 너무 일러, 너 부산 알아?, 부산 가봤어?),
        # its words or the no among them (싫어): told of no value
        if any(t.pos.split("+")[0] == pos and t.surface.startswith(words) for t in tokens for pos, words in _NOT_TOLD) \
                or text.rstrip(" ~!.ㅋㅎ").endswith("?"):
            return False
        ranking = [r.name for r in parse.ranking if r.name != self.fallback_intent]
        if sc.intent not in ranking[:2]:
            return False
        return all(self._small_talk(name) for name in ranking[:ranking.index(sc.intent)])

    def _said_in_passing(self, text: str, active: Scenario, asked: Slot | None, state: dict[str, Any],
                         today: datetime.date | None) -> tuple[Scenario, str, ParseResult, list[_Cand], bool] | None:
        """``고마워 근데 4시로 바꿔줘`` while ``active`` asks, which the model reads as another request: the
        first word or two make a ``resume`` scenario (thanks) and the words after them (a 근데, 그리고 or an
        interjection left out) answer the question: ``(that scenario, those words, their parse, their
        values, whether they are a bare answer)``; else None."""
        words = list(re.finditer(r"\S+", text))
        for k in (1, 2):
            if len(words) <= k:
                break
            got = self._parse(text[:words[k - 1].end()], today)
            other = self.scenarios.scenarios.get(self._confident(got) or "")
            if other is None or other is active or not other.resume or other.response is None \
                    or other.slots or other.action is not None:   # thanks, not a question of its own
                continue
            i = k
            while i < len(words) and self._made_of(_squash(words[i].group(0)), _FILLERS | _BY_THE_WAY):
                i += 1
            if i == len(words):
                return None
            rest = text[words[i].start():]
            parse = self._parse(rest, today)
            cands = self._candidates(rest, parse, active, asked, state["slots"])
            bare = self._is_bare(rest, cands, asked)
            if bare or self._is_correction(rest, cands, active):
                return other, rest, parse, cands, bare
        return None

    def _aside(self, sid: str, state: dict[str, Any], active: Scenario, other: Scenario | None, text: str,
               parse: ParseResult, today: datetime.date | None, passed: Mapping[str, Any] | None = None,
               follow: bool = False) -> Turn | None:
        """``탕수육 얼마예요?`` while ``active`` (an order) asks or reads back: ``other``, a ``resume``
        scenario with slots or an action, answered from this message alone, on a copy of the session
        (its values never reach the request under way, nor its items or counts), then the request
        under way asked again (its question or its read-back). None when ``other`` would have to ask
        something itself (날씨 어때? without a place): it then takes over, as any new request does, since
        with two questions open an answer (부산) could be meant for either; None too when the message
        drops what is under way (예매 말고 날씨). ``passed``: the answer given so the turn before, to carry
        over from (모레 날씨는?) or, with ``follow``, to follow up (``내일은?`` after 서울 날씨) rather than
        give the request under way a value."""
        if not follow and self._drops(text, parse):   # 예매 말고 날씨 알려줘: what was under way is dropped
            return None
        side = copy.deepcopy(state)
        if isinstance(passed, dict):
            side["last"] = dict(passed)
        if follow:   # 내일은? right after 서울 날씨 answered in passing: that answer followed up
            got = self._follow_up(sid, side, text, parse, today)
            if got is None:
                return None
            turn = got
        else:
            turn = self._start(sid, side, other, text, parse, today)
        if side.get("intent"):   # it asks (a slot, which one of two values): not answered in passing
            return None
        state["misunderstood"] = 0
        self._note_recent(state, turn)   # 서울 날씨 어때 then 거기서 출발: 거기 is 서울
        if isinstance(side.get("last"), dict):   # for 내일은? next, a follow-up of this answer
            state["aside"] = {**side["last"], "reply": turn.reply}
        # 배달로 하고 탕수육은 얼마예요?: values of the request under way said with it answer it, but none of
        # the types the question asks about (탕수육 priced is not ordered) nor an item's count
        own = {s.entity for s in (other or active).slots} | {s.entity for s in active.slots if s.counts}
        asked = active.slot(state.get("asked") or "")
        cands = [c for c in self._candidates(text, parse, active, asked, state["slots"]) if c.entity not in own]
        if cands and not follow:
            state["filled"], _ = self._fill_joined(state, text, active, state["slots"], cands, asked, False,
                                                   self._meanings(state))
        again = self._advance(sid, state, active, text, parse, turn.reply, today)
        if (not turn.reply.rstrip().endswith((".", "?", "!", "~", ")")) or "\n" in turn.reply) \
                and again.reply.startswith(turn.reply + " "):   # a list, a line a city: the question on a line of its own
            again = dataclasses.replace(again, reply=turn.reply + "\n" + again.reply[len(turn.reply) + 1:])
        return again

    def _drops(self, text: str, parse: ParseResult) -> bool:
        """True when ``text``, making another request, drops the one under way: a no first (아니 서울
        날씨 알려줘), a cancel phrase or a word of dropping (됐고 부산 날씨 어때, 그냥 날씨나 알려줘), or 말고
        or 대신 after no value (예매 말고 날씨, 그거 대신; 부산 말고 대구 날씨 rules out a value)."""
        words = list(re.finditer(r"\S+", text))
        for i, m in enumerate(words):
            w = _squash(m.group(0))
            if not w:
                continue
            if i == 0 and w in self._deny or w in _DROPPING or w.startswith(self._cancel):
                return True
            if w in ("말고", "대신") and i and not any(e.start < words[i - 1].end() and words[i - 1].start() < e.end
                                                     for e in parse.entities):
                return True
        return False

    def _takes_all(self, state: Mapping[str, Any], asked: Slot | None, text: str) -> bool:
        """True when ``text`` answers which one of the values offered for ``asked`` with all of them
        (``둘 다``, ``다요``, ``아 전부 해줘``)."""
        choose = state.get("choose")
        if asked is None or not isinstance(choose, dict) or choose.get("slot") != asked.name \
                or len(choose.get("choices") or ()) < 2:
            return False
        t = _squash(text)
        lead = self._splits(t, _FILLERS)
        return any(lead[n] and _ALL.fullmatch(t[n:]) for n in range(len(t)))

    @staticmethod
    def _pick_after(state: Mapping[str, Any], asked: Slot | None, text: str, cands: Sequence[_Cand]) -> str | None:
        """The words that end ``text`` picking one of the values offered for ``asked`` (``고마워 첫
        번째``, ``고마워 그리고 2번이요``: ``첫 번째``), unless one of those values is said; else None."""
        choose = state.get("choose")
        if asked is None or not isinstance(choose, dict) or choose.get("slot") != asked.name:
            return None
        offered = list(choose.get("choices") or ())
        if any(c.entity == asked.entity and c.value in offered for c in cands):
            return None
        return next((text[m.start():] for m in re.finditer(r"\S+", text)
                     if _picked(text[m.start():], len(offered)) is not None), None)

    def _follow_up(self, sid: str, state: dict[str, Any], text: str, parse: ParseResult,
                   today: datetime.date | None, strict: bool = False, dry: bool = False) -> Turn | None:
        """The last completed scenario run again with the values of ``text`` in place of its
        own, when ``text`` is those values and a short ending (``부산은?``); else None.
        ``strict``: what is left besides the values must be endings and interjections only."""
        last = state.get("last")
        if not self.settings.follow_up or not isinstance(last, dict):
            return None
        sc = self.scenarios.scenarios.get(str(last.get("intent")))
        if sc is None or not sc.follow_up or not sc.slots:
            return None
        # a follow-up replaces values: a misspelled one may stand for any slot (부샨은?)
        cands = self._candidates(text, parse, sc, None, {}, last.get("slots") or {})
        swapped = self._swapped(text, parse, sc, last.get("slots") or {})
        if swapped is not None:   # 반대로는? after a trip from 서울 to 부산: from 부산 to 서울
            if dry:
                return Turn("", "complete", sc.intent)
            slots = {**(last.get("slots") or {}), **swapped}
            meanings = {k: v for k, v in (last.get("resolved") or {}).items() if k not in swapped}
            self._reset(state)
            state.update(intent=sc.intent, slots=slots, turns=1, misunderstood=0, resolved=meanings,
                         order=list(slots))
            return self._advance(sid, state, sc, text, parse, "", today)
        # 방탄은? with nothing tagged, 방탄 봄날은? with the song alone: the dictionary's values of the
        # scenario's types the model tagged none of
        looked = self._looked_up(text, parse, sc)
        if looked is not parse:
            parse = looked
            cands = self._candidates(text, parse, sc, None, {}, last.get("slots") or {})
        if not cands or not _little_else(self._without_names(self._without_lead(text, cands), cands, sc), cands):
            return None
        if strict:
            rest = self._without_names(text, cands, sc)
            for c in sorted(cands, key=lambda c: -c.span_start):
                rest = rest[:c.span_start] + " " + rest[c.end:]
            if not all(self._made_of(w, self._around_values)
                       for w in map(_squash, rest.split()) if w):
                return None
        slots = dict(last.get("slots") or {})
        meanings = dict(last.get("resolved") or {})
        named: list[str] = []   # the slots this turn's values take, in the order said
        for c in cands:
            same = [s for s in sc.slots if s.entity == c.entity]
            # 대구는? after a trip: from or to? not a follow-up (대구로 is, with particles)
            held = [s for s in same if c.replaces is not None and slots.get(s.name) in (c.replaces.value,
                                                                                       c.replaces.text)]
            slot = next((s for s in same if s.name == c.named), None) if c.named else \
                next((s for s in same if s.role == c.role), None) if c.role else (
                same[0] if len(same) == 1 else self._by_particle(same, c) or (held[0] if len(held) == 1 else None))
            value = self._accept(slot, c) if slot is not None else None
            if slot is None or value is None or (slot.differs_from is not None
                                                 and slots.get(slot.differs_from) == value
                                                 and slot.differs_from in named):
                return None
            if slot.differs_from is not None and slots.get(slot.differs_from) == value:
                # 서울로는? after a trip from 서울: the slot it must differ from is asked again
                slots.pop(slot.differs_from, None)
                meanings.pop(slot.differs_from, None)
            _remember_meaning(meanings, slot.name, c, value, follows=True)
            # 4시는? after 오후 3시: read back as understood (오후 4시), as a correction is
            slots[slot.name] = self._with_half(slot, c, value, meanings.get(slot.name))
            named.append(slot.name)
            # 거기서 출발 after a trip to 부산: the new origin is the last destination, which the
            # next trip cannot have; a slot that must differ from this one and holds its value
            # (and that the turn does not name) is asked again
            for t in sc.slots:
                if t.differs_from == slot.name and slots.get(t.name) == slots[slot.name] \
                        and not any(d is not c and d.entity == t.entity for d in cands):
                    slots.pop(t.name, None)
                    meanings.pop(t.name, None)
        if dry:   # would it follow up? (a part of a message of several requests)
            return Turn("", "complete", sc.intent)
        self._reset(state)
        state.update(intent=sc.intent, slots=slots, turns=1, misunderstood=0, resolved=meanings,
                     order=[*(n for n in slots if n not in named), *named])
        self._follow_joined(state, sc, last, cands)
        counted = sc.counted
        if counted is not None and isinstance(last.get("items"), list) and not any(
                s.name in named for s in counted):   # 짜장면 2개, 짬뽕 1개 배달, then the address: both items kept
            state["items"] = copy.deepcopy(last["items"])
        return self._advance(sid, state, sc, text, parse, "", today)

    def _looked_up(self, text: str, parse: ParseResult, sc: Scenario) -> ParseResult:
        """``parse`` with the values the dictionary lists for those of ``sc``'s slot types the model
        tagged none of found in ``text`` (a span of two types is none, nor one inside a value the
        model tagged); else ``parse``."""
        types = {s.entity for s in sc.slots} - {e.entity for e in parse.entities}
        if not types:
            return parse
        norm = normalize(text)
        found: dict[tuple[int, int], list[tuple[str, str]]] = {}
        for etype in sorted(types):
            index = self._index.get(etype)
            for s, e, value in index.find(norm.text) if index is not None else ():
                # the value as a word, a particle or polite ending after it or none (방탄은?): not
                # the start of a longer word (방탄조끼, 보아하니)
                if _WORD_REST.match(norm.text, e).group(0) in _TYPO_ENDINGS:
                    found.setdefault((s, e), []).append((etype, value))
        spans = [(s, e, got[0]) for (s, e), got in found.items() if len(got) == 1
                 and not any(a < e and s < b and (a, b) != (s, e) for a, b in found)]
        if not spans:
            return parse
        said = []
        for s, e, (etype, value) in spans:
            a, b = norm.to_original(s, e)
            if not any(t.start < b and a < t.end for t in parse.entities):
                said.append(Entity(etype, value, text[a:b], a, b, 1.0))
        if not said:
            return parse
        return ParseResult(parse.text, parse.intent, tuple(sorted([*parse.entities, *said], key=lambda e: e.start)),
                           parse.ranking)

    @staticmethod
    def _without_names(text: str, cands: Sequence[_Cand], sc: Scenario) -> str:
        """``text`` with the words naming a slot right before its value blanked out (목적지는 대구로)."""
        for c in cands:
            if c.named is None:
                continue
            head = text[:c.span_start].rstrip()
            slot = sc.slot(c.named)
            for n in sorted(slot.names if slot is not None else (), key=len, reverse=True):
                m = re.search(re.escape(n) + "(?:" + "|".join(p for p in _NAME_PARTICLES if p) + ")?$", head)
                if m:
                    text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
                    break
        return text

    def _without_lead(self, text: str, cands: Sequence[_Cand]) -> str:
        """``text`` with the words before the first value blanked out when they are only a no or
        interjections (``아 아니 부산이요``, ``음 그럼 내일은요?``): they change nothing in the values."""
        first = min(c.span_start for c in cands)
        if self._made_of(_squash(text[:first]), self._no_or_filler):
            return " " * first + text[first:]
        return text

    def _reset(self, state: dict[str, Any]) -> None:
        state.update(intent=None, slots={}, asked=None, turns=0, confirming=False, resolved={}, multi={},
                     choose=None, multi_note=None, filled=[], order=[], part=None, texts=[], items=[], order_count=None, recount=None)

    @staticmethod
    def _said_aloud(c: _Cand) -> bool:
        """Whether a value an optional slot refused is said so before an answer given at once: not
        a value of one letter or syllable, more likely a word or the tagger's slip than a value
        (제 in 청바지 제 사이즈 있어요? "my size", or in 제고, a slip for 재고; 2 in 2~3개), which
        the answer goes without, as it went before; 30, XS, 280 are said."""
        return len(_squash(c.text)) > 1

    def _invalid_reply(self, sid: str, state: dict[str, Any], sc: Scenario, c: _Cand, slot: Slot) -> str:
        """The reply to the value ``c`` that ``slot`` refused (its ``invalid``, else ``[bot] invalid_value``).
        A count said not exactly (``5~6명 정도요``, ``5명 정도``) that the slot's ``pattern`` would take
        exactly gets ``[bot] inexact_count`` first, naming the count as said: its ``invalid`` (``20명까지
        예약돼요``) would tell of a limit the count is within."""
        unknown = self._count_unknown(state, c, slot)
        if unknown is not None:   # 인원 한 명 늘려줘 with no count held: how many in all?
            return unknown
        got = c.resolved if (c.resolved or {}).get("kind") == "count" else None
        if self._resolve_kinds().get(slot.entity) == "count" \
                and slot.values is None and (got := got or resolve("count", c.text) or {}).get("approx") is True:
            ns = [got.get(k) for k in ("value", "min", "max") if isinstance(got.get(k), int)]
            if slot.pattern is None or all(slot.pattern.fullmatch(count_text(n, got.get("unit"))) for n in ns):
                if not slot.required and slot.counts is None and slot.name not in state["slots"]:
                    state["recount"] = [slot.name, True]   # 두세 개 to an optional count read back: asked, not defaulted
                return render_template(self.settings.inexact_count, {"value": c.text})
        return render_template(self._wording(sid, state, f"{sc.intent}.{slot.name}", slot, "invalid")
                               or self._refusal(slot, c), {"value": c.text})

    def _refusal(self, slot: Slot, c: _Cand) -> str:
        """``[bot] inexact_amount`` for an amount said not exactly to a money slot, ``inexact_count`` for a
        count so said to a count slot (4~5명, 5명 정도), else ``invalid_value``."""
        kind = self._resolve_kinds().get(slot.entity)
        if kind in ("money", "count") and (resolve(kind, c.text) or {}).get("approx") is True:
            return self.settings.inexact_amount if kind == "money" else self.settings.inexact_count
        return self.settings.invalid_value

    @staticmethod
    def _wording(sid: str, state: dict[str, Any], where: str, owner: Scenario | Slot, key: str) -> str:
        """One wording of a reply the file gives several of (``response = ["…", "…"]``): the
        first time in a session one picked from the session id, then the next each time, so
        users read different ones, no user reads one twice in a row, and a session id (a
        story) always gets the same. "" when there is none."""
        options = owner.wordings(key)
        if len(options) <= 1:
            return options[0] if options else ""
        said = state.get("said")
        if not isinstance(said, dict):
            said = state["said"] = {}
        name = f"{where}.{key}"
        last = said.get(name)
        if not isinstance(last, int):   # a real hash: crc32's low bits follow the id's bits linearly
            last = int.from_bytes(hashlib.blake2b(f"{sid}\0{name}".encode(), digest_size=8).digest()) - 1
        n = (last + 1) % len(options)
        said[name] = n
        return options[n]

    def _taking_back(self, text: str, cands: list[_Cand], sc: Scenario, state: dict[str, Any]) -> list[_Cand]:
        """``아 아니 대구`` right after ``서울`` filled the origin (and the bot asked 서울에서 어디로
        가세요?): a no, then one value of the type of a slot the last turn filled, takes that
        answer back. The value goes to that slot, unless its role or particle says otherwise."""
        if len(cands) != 1:
            return cands
        c = cands[0]
        if c.named is not None or c.replaces is not None \
                or not self._is_answer(_squash(text[:c.start]), self._deny) \
                or self._made_of(_squash(text[:c.start]), _FILLERS):
            return cands
        last = [s for s in sc.slots if s.name in (state.get("filled") or ()) and s.entity == c.entity]
        if len(last) != 1 or (c.role and c.role != last[0].role):
            return cands
        same = [s for s in sc.slots if s.entity == c.entity]
        by_particle = self._by_particle(same, c) if len(same) > 1 else None
        if by_particle is not None and by_particle is not last[0]:
            return cands
        return [dataclasses.replace(c, named=last[0].name)]

    def _fallback_reply(self, state: dict[str, Any]) -> str:
        st = self.settings
        stops = _STOPS.get()
        if stops is not None and st.stop_over and stops["left"].get(state.get("intent") or ""):
            return ""   # 대전 경유로 해주세요 while the date is asked: understood, the stop-over said to be left out
        n = state["misunderstood"] = int(state.get("misunderstood", 0)) + 1
        if n >= st.fallback_repeat_after:
            return st.fallback_repeat[(n - st.fallback_repeat_after) % len(st.fallback_repeat)]
        return st.fallback[(n - 1) % len(st.fallback)]

    def _fallback(self, state: dict[str, Any], parse: ParseResult) -> Turn:
        return Turn(self._fallback_reply(state), "fallback", None, {}, [], parse)

    def _start(self, sid: str, state: dict[str, Any], sc: Scenario, text: str, parse: ParseResult,
               today: datetime.date | None = None, then: tuple[str, ParseResult] | None = None) -> Turn:
        """Start ``sc`` with the values of ``text``; ``then``, the words and parse of an answer adding
        values (a clarifying question's ``네 부산``), fills after them, its values replacing theirs."""
        after_answer = not state.get("intent")   # nothing under way: right after the last answer
        self._reset(state)
        state.update(intent=sc.intent, turns=1, misunderstood=0, texts=[text, *([then[0]] if then else [])])
        # 노래 틀어줘 아이유: a value the model did not tag (said after the request, where its training
        # sentences rarely put one) is the dictionary's, as in a follow-up (방탄은?)
        parse = self._looked_up(text, parse, sc)
        cands = self._candidates(text, parse, sc, None, state["slots"])
        state["filled"], rejected = self._fill_joined(state, text, sc, state["slots"], cands, None, False,
                                                      self._meanings(state))
        if after_answer:
            self._carry_over(state, sc)
        if then is not None:
            more, more_parse = then
            got, more_rejected = self._fill_joined(state, more, sc, state["slots"],
                                                   self._candidates(more, more_parse, sc, None, state["slots"]),
                                                   None, False, self._meanings(state))
            state["filled"] = list(dict.fromkeys([*state["filled"], *got]))
            rejected = [*rejected, *more_rejected]
        prefix = ""
        if rejected:
            prefix = self._invalid_reply(sid, state, sc, *rejected[0])
        return self._advance(sid, state, sc, text, parse, prefix, today,
                             bool(rejected) and not self._said_aloud(rejected[0][0]))

    def _carry_over(self, state: dict[str, Any], sc: Scenario) -> None:
        """``비 와?`` right after ``서울 날씨 알려줘`` was answered: the same scenario asked again without a
        required slot takes that slot's value (or values) from the last answer, for a scenario with
        ``carry_over`` (one that only answers). A request that books (기차 예매해줘 again) starts empty
        and asks."""
        last = state.get("last")
        if not sc.carry_over or not isinstance(last, dict) or last.get("intent") != sc.intent:
            return
        held = last.get("slots") if isinstance(last.get("slots"), dict) else {}
        lists = last.get("multi") if isinstance(last.get("multi"), dict) else {}
        meanings = last.get("resolved") if isinstance(last.get("resolved"), dict) else {}
        for name in self._missing(sc, state["slots"]):
            value = held.get(name)
            if not isinstance(value, str) or not value:
                continue
            state["slots"][name] = value
            state.setdefault("order", []).append(name)
            if name in meanings:
                self._meanings(state)[name] = meanings[name]
            values = lists.get(name)
            if isinstance(values, list) and len(values) > 1 and values[0] == value:
                if not isinstance(state.get("multi"), dict):
                    state["multi"] = {}
                state["multi"][name] = list(values)

    @staticmethod
    def _missing(sc: Scenario, slots: Mapping[str, str]) -> list[str]:
        return [s.name for s in sc.slots if s.required and s.name not in slots]

    def _advance(self, sid: str, state: dict[str, Any], sc: Scenario, text: str, parse: ParseResult,
                 prefix: str = "", today: datetime.date | None = None, quiet: bool = False) -> Turn:
        """The next question, the read-back or the answer, ``prefix`` first; ``quiet``: an answer
        given at once goes without ``prefix`` (a refused value likely no value, :meth:`_said_aloud`)."""
        slots: dict[str, str] = state["slots"]
        missing = self._order_missing(state, sc, self._missing(sc, slots))   # an item's count to ask
        self._say_stops(state, sc)
        prefix = self._noted(state, sc, prefix, bool(missing))
        choice = self._ask_choice(sid, state, sc, parse, prefix, today)
        if choice is not None:
            return choice   # 서울이랑 부산 for a one-value slot: which one?
        recount = self._ask_recount(sid, state, sc, parse, prefix, today)
        if recount is not None:
            return recount   # 한 명 늘려줘 with no count held: the count in all, asked
        blanks = self._shown(state, sc, {s.name: slots.get(s.name, "") for s in sc.slots})
        if missing:
            slot = sc.slot(missing[0])
            assert slot is not None and slot.prompt is not None  # checked when loading
            state["asked"] = slot.name
            state["confirming"] = False
            prompt = self._wording(sid, state, f"{sc.intent}.{slot.name}", slot, "prompt")
            reply = " ".join(x for x in (prefix, render_template(prompt, blanks)) if x)
            return Turn(reply, "ask_slot", sc.intent, self._shown(state, sc, slots, ", "), missing, parse,
                        self._resolved(sc, state, slots, today),
                        list(slot.values) if isinstance(slot.values, tuple) else [], self._lists(state, sc))
        if sc.confirm is not None:
            state["asked"] = None
            state["confirming"] = True
            final = self._with_defaults(sc, slots)
            question = render_template(self._wording(sid, state, sc.intent, sc, "confirm"),
                                       self._shown(state, sc, {s.name: final.get(s.name, "") for s in sc.slots}))
            return Turn(" ".join(x for x in (prefix, question) if x), "confirm", sc.intent,
                        self._shown(state, sc, final, ", "), [], parse,
                        self._resolved(sc, state, final, today), [], self._lists(state, sc))
        done = self._complete(sid, state, sc, text, parse, today)
        if prefix and not quiet:   # 청바지 30 사이즈 있어요? with 30 no size: the optional slot's invalid reply, then the answer
            done = dataclasses.replace(done, reply=" ".join(x for x in (prefix, done.reply) if x))
        return done

    @staticmethod
    def _meanings(state: dict[str, Any]) -> dict[str, Any]:
        got = state.get("resolved")
        if not isinstance(got, dict):
            got = state["resolved"] = {}
        return got

    def _resolved(self, sc: Scenario, state: dict[str, Any], final: Mapping[str, str],
                  today: datetime.date | None) -> dict[str, Any]:
        """What each filled time or date slot means: the parser's reading when the slot was
        filled from it, else the value read now (a default, a dictionary or pattern match)."""
        kinds = self._resolve_kinds()
        known = self._meanings(state)
        out: dict[str, Any] = {}
        for s in sc.slots:
            value = final.get(s.name)
            kind = kinds.get(s.entity)
            if not value or kind not in KINDS:
                continue
            got = known.get(s.name) if s.name in state["slots"] else None
            if got is None:
                got = resolve(kind, value, today or datetime.date.today())
            if got is not None:
                out[s.name] = dict(got)
        return out

    @staticmethod
    def _part_said(state: Mapping[str, Any], sc: Scenario, final: Mapping[str, str], parse: ParseResult) -> str | None:
        """The part of the day said for the request (an action's ``context["part_of_day"]``): apart
        from its time (``아침에 깨워줘`` … ``7시``: ``state["part"]``) or in the words of one of its
        values as typed (``아침 7시``, whose value may be ``오전 7시``), else None."""
        if isinstance(state.get("part"), str):
            return str(state["part"])
        types = {s.entity for s in sc.slots if final.get(s.name)}
        return next((w for e in parse.entities if e.entity in types for w, _, _ in parts_of_day(e.text)), None)

    @staticmethod
    def _with_defaults(sc: Scenario, slots: Mapping[str, str]) -> dict[str, str]:
        final = dict(slots)
        for s in sc.slots:
            if s.name not in final and s.default is not None:
                final[s.name] = s.default
        return final

    def _complete(self, sid: str, state: dict[str, Any], sc: Scenario, text: str, parse: ParseResult,
                  today: datetime.date | None = None) -> Turn:
        """Every required slot is filled (and confirmed): answer with the response or the action."""
        if state.get("multi") or state.get("multi_note"):
            return self._complete_each(sid, state, sc, text, parse, today)   # once per value
        final = self._with_defaults(sc, state["slots"])
        resolved = self._resolved(sc, state, final, today)
        part = self._part_said(state, sc, final, parse)
        items = self._order_items(state, sc)   # an order: each item with its count
        told = self._order_shown(state, sc, {s.name: final.get(s.name, "") for s in sc.slots}) if items else None
        final = self._order_shown(state, sc, final, ", ") if items else final
        total = int(state.get("total_turns", 0))
        said = list(state.get("texts") or [])
        if not said or said[-1] != text:
            said.append(text)
        state["last"] = {"intent": sc.intent, "slots": dict(state["slots"]),  # for a follow-up
                         "resolved": dict(self._meanings(state))}
        if items:   # an order's every item and count, for a follow-up that names none (108동 1905호요)
            state["last"]["items"] = copy.deepcopy(state.get("items") or [])
        self._reset(state)
        if sc.action_fn is not None:
            context = {"session_id": sid, "intent": sc.intent, "text": text,
                       "texts": said[-TEXTS_KEPT:], "parse": parse.to_dict(), "turns": total,
                       "today": today or datetime.date.today(), "now": _NOW.get(), "resolved": resolved,
                       "multiple": dict(state.get("each") or {}), "part_of_day": part, "items": items,
                       "every": list(state.get("every") or [])}
            try:
                out = sc.action_fn(dict(final), context) if sc.action_takes_context \
                    else sc.action_fn(dict(final))
                if not isinstance(out, str) or not out.strip():
                    raise TypeError(f"action {sc.action} returned {out!r}, not a non-empty str")
            except Exception:  # noqa: BLE001 - an action's failure must never crash the bot
                log.exception("action %s failed for intent %r, session %r", sc.action, sc.intent, sid)
                return Turn(self.settings.action_error, "fallback", sc.intent, final, [], parse, resolved)
            return Turn(out, "complete", sc.intent, final, [], parse, resolved)
        values = told or {s.name: final.get(s.name, "") for s in sc.slots}
        reply = render_template(self._wording(sid, state, sc.intent, sc, "response"), values)
        return Turn(reply, "complete", sc.intent, final, [], parse, resolved)

    # ------------------------------------------------------------------ slot filling

    def _candidates(self, text: str, parse: ParseResult, sc: Scenario, asked: Slot | None,
                    held: Mapping[str, Any] | None = None, changes: Mapping[str, Any] | None = None
                    ) -> list[_Cand]:
        """The values of ``text`` that may fill ``sc``'s slots. With ``held`` (the slots filled
        before this turn) a misspelled word may fill a slot still missing (``[bot] typo_fix``).
        Minutes or a half of the day said alone (``아니 45분으로``) change the time of ``changes``
        (by default ``held``; a follow-up's, the last answer's)."""
        types = sc.entity_types
        # a value made only of lone jamo (ㅇㅇ, ㅋㅋ), of yes and no (응, 아니) or of symbols (☀️, ^^) is chat,
        # not a value the parser should have tagged: unless the dictionary lists it, it fills nothing
        cands = [self._trimmed(_Cand(e.entity, e.role, e.value, e.text, e.start, e.end, "parser",
                                     resolved=getattr(e, "resolved", None)))
                 for e in parse.entities if e.entity in types and not self._is_chat_value(e)
                 and not self._part_of_day_as_date(e)]
        cands = [piece for c in cands for piece in self._run_of_values(c, sc)]
        cands = [piece for c in cands for piece in self._cut_at_stop(c)]   # 대전경유부산 tagged as one
        extra: list[_Cand] = []
        norm = normalize(text)
        index = self._index.get(asked.entity) if asked is not None else None
        if asked is not None and index is not None and index.canonical:
            for s, e, value in index.find(norm.text):
                a, b = norm.to_original(s, e)
                extra.append(_Cand(asked.entity, None, value, text[a:b], a, b, "dictionary"))
        if asked is not None and not any(c.entity == asked.entity for c in cands + extra) \
                and self._resolve_kinds().get(asked.entity) == "money":
            # an amount said alone to the question asking for it (오천, 오천 원이요, 2만5천):
            # the tagger may not tag a bare number, the question says what it is
            m = _BARE_AMOUNT.fullmatch(norm.text)
            # a unit, 원 or three digits say it is an amount (오천, 5000); 오 or 이 alone is a word
            minus = _MINUS_AMOUNT.fullmatch(m.group(1)) if m else None
            # -5000원 alone: taken to be refused as no amount to send (never 5,000원, never not understood)
            if m and (resolve("money", m.group(1)) or minus and resolve("money", minus.group(1))):
                a, b = norm.to_original(m.start(1), m.end(1))
                extra.append(_Cand(asked.entity, None, text[a:b], text[a:b], a, b, "pattern"))
        counted = asked
        if asked is None and held:
            # nothing asked (a read-back): the one count slot filled takes a count said alone (4명 read
            # back, 둘만요 or 아니 셋이요: a restaurant model read 둘만요 as a goodbye and ended the booking)
            kinds = self._resolve_kinds()
            held_counts = [s for s in sc.slots if kinds.get(s.entity) == "count" and s.name in held]
            counted = held_counts[0] if len(held_counts) == 1 else None
        if counted is not None and not any(c.entity == counted.entity for c in cands + extra) \
                and self._resolve_kinds().get(counted.entity) == "count":
            # a count said alone to the question asking for it (넷이요, 혼자요, 4명이요): the tagger may
            # not tag a bare number, the question says what it is
            m = _BARE_COUNT.fullmatch(norm.text)
            if m and not resolve("count", m.group(1)):   # 두 명 추가요: 가요 is no verb here
                m = _BARE_COUNT_WHOLE.fullmatch(norm.text)
            if m and resolve("count", m.group(1)):
                a, b = norm.to_original(m.start(1), m.end(1))
                if not any(c.start <= a and b <= c.end for c in cands):   # 108-1905 tagged as an address
                    extra.append(_Cand(counted.entity, None, text[a:b], text[a:b], a, b, "pattern"))
        for etype in {s.entity for s in sc.slots
                      if self._resolve_kinds().get(s.entity) == "money"}:
            # an amount with 원 is precise enough to read where the tagger missed it: 3만원 아니
            # 5만원 with only 3만원 tagged sent 30,000원 (the correction is read once both are there)
            taken = [(c.start, c.end) for c in cands + extra]
            for a0, b0 in amounts_in(norm.text):
                a, b = norm.to_original(a0, b0)
                if not any(s < b and a < e for s, e in taken):
                    extra.append(_Cand(etype, None, text[a:b], text[a:b], a, b, "pattern"))
        # a regex slot is precise enough to look for whenever the parser found nothing of its type
        for slot in sc.slots:
            if slot.pattern is not None:   # or only a piece of a match (108- of 108-1905): the match instead
                cands, extra = self._pattern_whole(norm, text, slot, cands, extra)
            if slot.pattern is None or any(c.entity == slot.entity for c in cands + extra):
                continue
            for m in slot.pattern.finditer(norm.text):
                if m.end() > m.start():
                    a, b = norm.to_original(m.start(), m.end())
                    extra.append(_Cand(slot.entity, None, m.group(0), text[a:b], a, b, "pattern"))
            if asked is slot and not any(c.entity == slot.entity for c in extra):
                extra += self._dictated(text, norm, slot)   # 이공이육일일이삼 to the order number asked
        extra += self._listed_after(text, sc, cands + extra)
        # a follow-up's change (the last answer's time) must be said as one (아니 오후로, 30분으로
        # 바꿔줘), not in passing (오후 약속은?, 15분 정도): the answer is given again at once
        strict, changes = changes is not None, held if changes is None else changes
        if changes:
            changed = self._time_changed(norm, text, sc, changes, [c for c in cands + extra if not (
                c.entity == "time" and _part_of_time(c.text))], strict)
            if changed:   # 30분 or 오후 tagged alone: the held hour's 30 minutes, its afternoon
                cands = [c for c in cands if not (c.entity == "time" and _part_of_time(c.text))]
                extra = [c for c in extra if c.entity != "time"] + changed
        if held is not None and self.settings.typo_fix:
            typos = self._typo_candidates(text, parse, sc, held, cands + extra)
            # 서울 말고 부샨, 서울 아니 부샨: a value ruled out leaves its slot to the misspelled one after it
            aside = [] if typos else [c for c in cands + extra if self._ruled_out_after(text, c)]
            if aside:
                typos = [t for t in self._typo_candidates(
                    text, parse, sc, held, [c for c in cands + extra if c not in aside])
                    if any(c.entity == t.entity and c.end <= t.start for c in aside)]
            extra += typos
        if asked is not None and index is not None and not cands and not extra:
            extra += self._misspelled(norm, text, asked, index)
        # 수영장 예약해줘: a value the list lacks, never tagged (after the misspelled ones: 헬쓰장 is 헬스장)
        extra += self._unlisted(text, parse, sc, asked, held or {}, cands + extra)
        extra += self._unlisted_items(text, sc, cands + extra)   # 짜장면 하나랑 우동 하나: 우동 is no item
        for x in extra:
            same = [c for c in cands if c.entity == x.entity and ((c.start < x.end and x.start < c.end)
                                                                  or (c.value == x.value and x.source != "typo"))]
            if same:
                continue  # the parser found it already, with its role
            # the asked slot's context beats the parser's guess of another type here
            cands = [c for c in cands if not (c.start < x.end and x.start < c.end)]
            cands.append(x)
        kinds = self._resolve_kinds()
        cands = [self._more_or_less(text, self._rough_amount(text, c), sc, held or {}) if kinds.get(c.entity) == "money"
                 else self._rough_amount(text, c, "count") if kinds.get(c.entity) == "count" else c for c in cands]
        cands = _party_of_parts(text, cands, kinds)
        out = sorted((dataclasses.replace(c, after=text[c.end:c.end + 8].lstrip()) for c in cands),
                     key=lambda c: (c.start, c.end))
        # 부산 말고 대구: the value said not to be it is no candidate, and the value right after it
        # takes its place (the slot that holds 부산 gets 대구)
        changed_from = self._changed_from(text, out, sc, changes or {})
        ruled_out = [c for c in out if c.after.startswith(_NOT_THIS) or _SAID_NO.match(c.after)
                     or self._corrected_on_the_fly(c, out, text) or c in changed_from]
        # 서울이랑 부산 말고 대구: the values said together with a ruled-out one go with it
        for k in range(len(out) - 2, -1, -1):
            a, b = out[k], out[k + 1]
            if b in ruled_out and a not in ruled_out and a.entity == b.entity and _joint(text, a, b):
                ruled_out.append(a)
        kept = [c for c in out if c not in ruled_out and not self._stop_over(text, c, sc)]
        self._left_out_stops(sc, [c for c in out if c not in ruled_out and c not in kept])
        for x in ruled_out:
            i = next((i for i, c in enumerate(kept) if c.entity == x.entity and c.start >= x.end), None)
            if i is not None and kept[i].replaces is None \
                    and (_squash(text[x.end:kept[i].start]) in _NOT_THIS_SQUASHED or x in changed_from
                         or self._a_no_between(text[x.end:kept[i].start])):
                kept[i] = dataclasses.replace(kept[i], replaces=x)
                kept[i] = self._in_place_of_part(kept[i], x, sc, changes or {})
        kept = self._roles_by_tense(text, kept, sc)   # M으로 샀는데 L로 바꿔주세요: M the old size
        return self._joined(text, self._without_asides(text, [self._named(text, c, sc) for c in kept], sc), sc, asked)

    @staticmethod
    def _roles_by_tense(text: str, cands: list[_Cand], sc: Scenario) -> list[_Cand]:
        """Two values of a type with two slots, one of which lists particles (the new value's:
        ``L로``) and the other none (the old one's): the value whose verb after it is in the past
        (``M으로 샀는데``, ``M 산 거``, ``M으로 주문했는데``: what the user has) takes the role of the slot
        without particles, the other (``L로 바꿔주세요``) the role of the slot with them, whatever
        roles the model gave (it tagged both sizes ``to``, read back L→M). As they were when neither
        or both verbs are past, or without MeCab."""
        out = list(cands)
        for etype in {c.entity for c in cands}:
            same = [s for s in sc.slots if s.entity == etype]
            new = [s for s in same if s.particles]
            old = [s for s in same if not s.particles]
            mine = [i for i, c in enumerate(cands) if c.entity == etype and not c.also and c.replaces is None]
            if len(same) != 2 or len(new) != 1 or len(old) != 1 or None in (new[0].role, old[0].role) \
                    or len(mine) != 2:
                continue
            try:
                tokens = get_tokenizer("mecab").tokenize(text)
            except Exception:  # noqa: BLE001 - without MeCab the roles stay as they were
                return cands
            past = [Bot._past_verb_after(text, tokens, cands[i].end,
                                         cands[mine[1]].start if k == 0 else len(text)) for k, i in enumerate(mine)]
            if past[0] == past[1]:
                continue
            for k, i in enumerate(mine):
                out[i] = dataclasses.replace(cands[i], role=(old if past[k] else new)[0].role)
        return out

    @staticmethod
    def _past_verb_after(text: str, tokens: Sequence[Any], start: int, end: int) -> bool:
        """Whether the first verb between ``start`` and ``end`` is in the past: a pre-final ending
        with ㅆ (샀, 했, 받았) or a past adnominal ㄴ (산, 주문한) in its word (MeCab's tags)."""
        verb = next((t for t in tokens if start <= t.start < end
                     and {"VV", "XSV", "XSA"} & set(t.pos.split("+"))), None)
        if verb is None:
            return False
        word_end = next((m.start() for m in re.finditer(r"\s", text[verb.start:])), len(text) - verb.start) + verb.start
        for t in tokens:
            if verb.start <= t.start < word_end:
                pos = t.pos.split("+")
                if "EP" in pos and any(final_consonant(ch) == "ㅆ" for ch in t.surface):
                    return True
                if "ETM" in pos and t.surface != "는" and final_consonant(t.surface[-1]) == "ㄴ":
                    return True
        return False

    @staticmethod
    def _more_or_less(text: str, c: _Cand, sc: Scenario, held: Mapping[str, Any]) -> _Cand:
        """``c`` as the amount held plus or minus it when 더 or 덜/빼고 follows it (5만원 held, then
        만원 더: 60,000원; 5천원 덜: 45,000원); only with an amount held in the slot it goes to. A
        result of 0 or less is no amount: refused with the slot's invalid reply."""
        m = _MORE_OR_LESS.match(text, c.end)
        slot = next((s for s in sc.slots if s.entity == c.entity and (c.role is None or s.role in (None, c.role))
                     and s.name in held), None)
        now = money(str(held[slot.name])) if m is not None and slot is not None else None
        said = (c.resolved or {}).get("value") if (c.resolved or {}).get("kind") == "money" else None
        said = said if isinstance(said, int) and not (c.resolved or {}).get("approx") else money(c.text)
        if now is None or said is None:
            return c
        total = now + said if m.group(1).startswith("더") else now - said
        span = text[c.start:m.end()]
        got = resolve("money", money_text(total)) if total > 0 else None
        return dataclasses.replace(c, value=got["text"] if got else span, text=span, end=m.end(), resolved=got)

    @staticmethod
    def _rough_amount(text: str, c: _Cand, kind: str = "money") -> _Cand:
        """``c`` over the words that make its amount no exact one (5만원 이하, 5만원 정도, 2~3만원), so
        the slot refuses it as said rather than taking 50,000원 or 30,000원 from it; a count (``kind``
        ``"count"``) likewise (두 | 세 잔, 5명 정도), so the refusal says what was said."""
        minus = _MINUS_BEFORE.search(text, 0, c.start) if kind == "money" else None
        if minus is not None:   # -5000원 tagged 5000원: a negative amount, refused, never 5,000원
            return dataclasses.replace(c, value=text[minus.start(1):c.end], text=text[minus.start(1):c.end],
                                       start=minus.start(1), resolved=None)
        around = (amount_extent if kind == "money" else count_extent)(text, c.start, c.end)
        got = resolve(kind, text[around[0]:around[1]]) or {} if around is not None else {}
        if got.get("approx") is not True and "delta" not in got:   # 한 명 더: a change, read so too
            return c
        said = text[around[0]:around[1]]
        return dataclasses.replace(c, value=said, text=said, start=around[0], end=around[1], resolved=None)

    @staticmethod
    def _run_of_values(c: _Cand, sc: Scenario) -> list[_Cand]:
        """``c`` cut into the values it is made of when the model tagged several said one after the
        other as one (``6시 7시 8시``): its slot's ``pattern`` refuses the whole and matches each piece
        between spaces; else ``[c]``."""
        slot = next((s for s in sc.slots if s.entity == c.entity and s.pattern is not None), None)
        if slot is None or slot.pattern is None or " " not in c.text or slot.pattern.fullmatch(digits(c.text)):
            return [c]
        out: list[_Cand] = []
        at = 0
        words = c.text.split(" ")
        while at < len(words):   # the longest run of words from here that the pattern takes
            end = next((e for e in range(len(words), at, -1)
                        if slot.pattern.fullmatch(digits(" ".join(words[at:e])))), None)
            if end is None:
                return [c]
            start = len(" ".join(words[:at])) + (1 if at else 0)
            piece = " ".join(words[at:end])
            out.append(dataclasses.replace(c, value=digits(piece), text=piece, start=c.start + start,
                                           end=c.start + start + len(piece), resolved=None))
            at = end
        return out if len(out) > 1 else [c]

    @staticmethod
    def _in_place_of_part(c: _Cand, x: _Cand, sc: Scenario, held: Mapping[str, Any]) -> _Cand:
        """``c``, said in place of ``x`` (``화요일 말고 수요일``), as the value a slot of its type
        holds with ``x`` put right (다음 주 화요일 → 다음 주 수요일) when ``x`` is a word of that
        value and not all of it; else ``c``."""
        for s in sc.slots:
            v = held.get(s.name)
            if s.entity != c.entity or not isinstance(v, str) or v in (x.text, x.value):
                continue
            m = re.search(r"(?<!\S)" + re.escape(x.text) + r"(?!\S)", v)
            if m:
                value = v[:m.start()] + c.text + v[m.end():]
                return dataclasses.replace(c, value=value, resolved=None)
        return c

    def _changed_from(self, text: str, cands: Sequence[_Cand], sc: Scenario, held: Mapping[str, Any]) -> list[_Cand]:
        """Values said as the one a named slot changes from (``출발지를 서울에서 수원으로 바꿔줘``: 서울,
        the origin held): a slot's name, the value it holds, 에서 (or 을/를: 출발지 서울을 대전으로 바꿔줘),
        the next value of its type and a word for change after it. Without the name (``서울에서 수원으로 바꿔줘``) it may be a trip from 서울:
        the model's roles stand."""
        out: list[_Cand] = []
        for c, d in zip(cands, cands[1:], strict=False):
            if c.entity != d.entity or _squash(text[c.end:d.start]) not in ("에서", "을", "를"):
                continue   # 5만원에서 | 5만원을 3만원으로 바꿔줘
            before = _squash(text[:c.start].split("\n")[-1][-16:])
            slot = next((s for s in sc.slots if s.entity == c.entity and any(
                before.endswith(_squash(n) + p) for n in s.names for p in _NAME_PARTICLES)), None)
            alone = [s for s in sc.slots if s.entity == c.entity]
            if slot is None and len(alone) == 1:
                # the one slot of its type (no trip from one to the other): 5만원에서 3만원으로 바꿔줘
                slot = alone[0]
            if slot is None or held.get(slot.name) not in (c.value, c.text, (c.resolved or {}).get("text")) and not (
                    self._resolve_kinds().get(c.entity) == "money"
                    and (resolve("money", c.text) or {}).get("text") == held.get(slot.name)):
                continue
            if any(w.startswith(tuple(_CHANGE)) for w in map(_squash, text[d.end:].split())):
                out.append(c)
        return out

    def _time_changed(self, norm: Any, text: str, sc: Scenario, held: Mapping[str, Any],
                      found: Sequence[_Cand], strict: bool = False) -> list[_Cand]:
        """The held time changed by minutes or a half of the day said alone (``아니 45분으로``,
        ``아니 오후로`` after 3시 15분: 3시 45분, 오후 3시 15분), as a candidate for the one time slot
        that holds a time, when no time was found in ``text``; [] otherwise. ``strict``: nothing
        else is said but a no, an interjection, an ending or a word for change (``오후로 바꿔줘``)."""
        slots = [s for s in sc.slots if s.entity == "time" and isinstance(held.get(s.name), str)]
        if len(slots) != 1 or any(c.entity == "time" for c in found):
            return []
        # a time held as typed in number words (세시 반, which the dictionary lacks) as in digits
        slot, value = slots[0], digits(held[slots[0].name])
        if not _HELD_TIME.fullmatch(value):
            return []
        if len(norm.text.split()) > 3:
            return []   # a correction says little else (아니 45분으로, 오후로 해줘)
        m = _MINUTES_ALONE.search(norm.text)
        if m is not None:
            t = _HELD_TIME.fullmatch(value)
            assert t is not None
            new = f"{value[:t.start(1)]}{t.group(2)} {int(m.group(1))}분"
        else:
            m = _HALF_ALONE.search(norm.text)
            if m is None:
                return []
            new = f"{m.group(1)} {_HELD_TIME.fullmatch(value).group(1)}"   # type: ignore[union-attr]
        if new == value:
            return []
        if strict and not all(self._made_of(w, self._around_values | _CHANGE | _DO)
                              for w in map(_squash, (norm.text[:m.start()] + " " + norm.text[m.end():]).split())
                              if w):
            return []
        a, b = norm.to_original(m.start(1), m.end(1) if m.lastindex == 1 else m.end())
        c = _Cand("time", slot.role, new, text[a:b], a, b, "pattern")
        return [c] if self._accept(slot, c) is not None else []

    def _named(self, text: str, c: _Cand, sc: Scenario) -> _Cand:
        """``c`` with the slot that a word right before it names (출발지 대전으로, 목적지는 광주). A name
        the model ran into the value (``시간 6시`` tagged as a time) is that word, not the value's."""
        for s in sc.slots:
            if s.entity != c.entity or c.replaces is not None or c.also:
                continue
            for n in sorted(s.names, key=len, reverse=True):
                m = re.match(re.escape(n) + "(?:" + "|".join(p for p in _NAME_PARTICLES if p) + r")?\s+(?=\S)", c.text)
                if m:
                    cut = m.end()
                    value = c.value[cut:] if c.value == c.text else c.value
                    kind = self._resolve_kinds().get(c.entity)
                    # read again without the name (시간 6시 is 6시, either half of the day)
                    got = resolve(kind, c.text[cut:]) if kind == "time" else None
                    c = dataclasses.replace(c, text=c.text[cut:], value=value, start=c.start + cut, resolved=got)
                    break
        before = _squash(text[:c.span_start].split("\n")[-1][-16:])
        for s in sc.slots:
            if s.entity == c.entity and any(before.endswith(_squash(n) + p) for n in s.names
                                            for p in _NAME_PARTICLES):
                return dataclasses.replace(c, named=s.name)
        m = _GET_OFF_ON.match(text, c.end)
        if m and c.replaces is None and not c.also:
            # 대구에서 내릴게요: where to, though 에서 says from; 대전에서 탈게요: where from
            word = "도착" if m.group("off") else "출발"
            mine = [s for s in sc.slots if s.entity == c.entity and word in (*s.particles, *s.names)]
            if len(mine) == 1:
                return dataclasses.replace(c, named=mine[0].name)
        return c

    def _cut_at_stop(self, c: _Cand) -> list[_Cand]:
        """``c`` cut at a stop-over word the model ran into it (``대전경유``, ``대전경유부산`` tagged as one
        place): the place before the word (no role: a stop on the way, :meth:`_stop_over`) and the
        place after it, when the dictionary lists it (with ``c``'s role); ``[c]`` when the dictionary
        lists ``c`` or no listed place comes before such a word."""
        index = self._index.get(c.entity)
        if index is None or index.lookup(c.text) is not None:
            return [c]
        for n in range(len(c.text) - 2, 0, -1):
            m = _STOP_OVER.match(c.text, n) or _STOP_OVER_SOLID.match(c.text, n)
            if m is None or index.lookup(c.text[:n]) is None:
                continue
            stop = dataclasses.replace(c, role=None, text=c.text[:n], value=index.lookup(c.text[:n]) or "",
                                       end=c.start + n, resolved=None)
            rest = c.text[m.end():].strip()
            at = c.text.index(rest, m.end()) if rest else len(c.text)
            to = index.lookup(rest) if rest else None
            return [stop] if to is None else [stop, dataclasses.replace(c, text=rest, value=to, start=c.start + at,
                                                                        resolved=None)]
        return [c]

    @staticmethod
    def _left_out_stops(sc: Scenario, stops: Sequence[_Cand]) -> None:
        """Keep the stop-overs ``sc``'s values of this turn left out, to be said once (:meth:`_say_stops`)."""
        got = _STOPS.get()
        if got is not None and stops:
            left = got["left"].setdefault(sc.intent, [])
            left += [c.text for c in stops if c.text not in left]

    def _say_stops(self, state: dict[str, Any], sc: Scenario) -> None:
        """A note (``[bot] stop_over``) on the stop-overs this turn's values for ``sc`` left out
        (``서울에서 대전 거쳐 부산으로``: 대전), said before the question or the answer, once a turn."""
        got = _STOPS.get()
        if got is None or not self.settings.stop_over:
            return
        values = [v for v in got["left"].pop(sc.intent, ()) if (sc.intent, v) not in got["said"]]
        if values:
            got["said"].update((sc.intent, v) for v in values)
            self._add_note(state, render_template(self.settings.stop_over, {"value": _and_list(values)}))

    @staticmethod
    def _stop_over(text: str, c: _Cand, sc: Scenario) -> bool:
        """True when ``c`` is a stop on the way (``대전 거쳐``, ``대전 경유``, ``대전에 들러``, and written solid
        before the next place, ``대전경유부산``), the scenario has several slots of its type (from, to) and
        none lists that word among its particles or names: it fills no slot."""
        m = _STOP_OVER.match(text, c.end) or _STOP_OVER_SOLID.match(text, c.end)
        if m is None or sum(1 for s in sc.slots if s.entity == c.entity) < 2:
            return False
        word = m.group("word") or m.group("word2")
        return not any(s.entity == c.entity and any(w.startswith(word[:2]) or word.startswith(w)
                                                    for w in (*s.particles, *s.names) if w) for s in sc.slots)

    @staticmethod
    def _without_asides(text: str, cands: list[_Cand], sc: Scenario) -> list[_Cand]:
        """More values of a type than the scenario has slots for it: a value said in a clause
        before the request (``오늘 바쁜데 내일은 서울 날씨 어때?``: 바쁜데 ends a clause between 오늘 and
        the last date) is left out, first to last, while the others still fill the slots of its type."""
        out = list(cands)
        for etype in {c.entity for c in cands}:
            room = sum(1 for s in sc.slots if s.entity == etype)
            mine = [c for c in out if c.entity == etype]
            if len(mine) <= room:
                continue
            roles = {s.role for s in sc.slots if s.entity == etype and s.role}
            for k, c in enumerate(mine):
                if len(mine) - sum(1 for d in mine if d not in out) <= room:
                    break
                if c.role in roles and sum(1 for d in mine if d.role == c.role) == 1:
                    continue   # 서울에서 부산 가는 기차 예매하고 …: the one value the parser gave a slot's role
                if k + 1 < len(mine) and _joint(text, c, mine[k + 1]):
                    continue   # 서울하고 부샨하고 대구: listed by a word with the next (부샨하고 ends no clause)
                # up to the last value of its type: every value of a clause before it is said in passing
                until = mine[-1].span_start if k + 1 < len(mine) else len(text)
                if Bot._ends_a_clause(text, c.end, until):
                    out.remove(c)
        return out

    @staticmethod
    def _ends_a_clause(text: str, start: int, end: int) -> bool:
        """True when a word between ``start`` and ``end`` (the value's own ending included:
        출근이라서) ends a clause with a connective (바쁜데, 됐고), and more text follows it."""
        for m in re.finditer(r"[^\s,.!?~…]+", text[start:end]):
            word = m.group(0)
            if start + m.end() >= len(text.rstrip(" \t\n,.!?~…")):
                break   # the last word ends the sentence: 좋겠는데 is no clause before another
            if word in _NOT_CONNECTIVE or not _CONNECTIVE.fullmatch(word):
                continue
            if word.endswith("하고") and (word[:-2] in COUNTERS or resolve("count", word[:-2])):
                continue   # 짜장면 두 개하고 짬뽕 한 개: a count, then an and
            if word.endswith("데") and final_consonant(word[-2]) != "ㄴ":
                continue   # ㄴ데 (바쁜데, 왔는데, 출근인데): the syllable before 데 carries ㄴ
            if word.endswith("서") and (word.endswith("에서") or has_batchim(word[-2])):
                continue   # 아서/어서 (바빠서, 아파서, 있어서): a syllable without a final before 서; 에서 is a particle
            return True
        return False

    def _ruled_out_after(self, text: str, c: _Cand) -> bool:
        """True when words after ``c`` rule it out before more words (``서울 말고 …``, ``서울 아니 …``,
        ``내일 아 아니 …``, ``서울 날씨 어때 아니 …``), as they would a value said after them."""
        after = text[c.end:c.end + 8].lstrip()
        if after.startswith(_NOT_THIS) and after.split(maxsplit=1)[1:]:
            return True
        rest = text[:len(text.rstrip())]
        return any(self._a_no_between(rest[c.end:m.start()])
                   for m in re.finditer(r"(?<=[\s,.!?~…])[^\s,.!?~…]", rest) if m.start() > c.end)

    def _corrected_on_the_fly(self, c: _Cand, cands: Sequence[_Cand], text: str) -> bool:
        """``서울 아니 부산``, ``내일 아 아니 모레``, ``6시에 알람 아 아니 6시 반에``: a value, then a no
        (interjections around it) right before another value of its type (not ``서울 아니면 부산``)."""
        nxt = next((d for d in cands if d.entity == c.entity and d.start >= c.end), None)
        return nxt is not None and self._a_no_between(text[c.end:nxt.start])

    def _a_no_between(self, between: str) -> bool:
        """True when the text between two values ends in a no, with interjections around it:
        ``아 아니`` (내일 아 아니 모레), ``날씨 알려줘 아니`` (내일 서울 날씨 알려줘 아니 모레); the last
        words before the second value take the first one back. ``아니면`` is an or."""
        words = [w for w in map(_squash, re.split(r"[\s,.!?~…]+", between)) if w]
        k = len(words)
        while k > 0 and self._made_of(words[k - 1], self._no_or_filler):
            k -= 1
        return k < len(words) and self._is_answer("".join(words[k:]), self._deny)

    def _trimmed(self, c: _Cand) -> _Cand:
        """A value the model ran a no or an interjection into (``아냐 방탄``) without those words
        in front, when the dictionary lists the rest and not the whole (a song 아니 벌써 stays)."""
        index = self._index.get(c.entity)
        if index is None or index.lookup(c.text) is not None:
            return c
        cut = 0
        for w in re.finditer(r"\S+\s+", c.text):
            if w.start() != cut or not self._made_of(_squash(w.group(0)), self._no_or_filler):
                break
            cut = w.end()
        if cut == 0 or cut >= len(c.text) or index.lookup(c.text[cut:]) is None:
            return c
        text = c.text[cut:]
        value = c.value[cut:] if c.value == c.text else c.value
        return dataclasses.replace(c, text=text, value=value, start=c.start + cut)

    def _part_of_day_as_date(self, e: Any) -> bool:
        """A value tagged as a date (the parser's ``resolve``, else the default types) that is only a
        part of the day (``오후``, ``저녁에``) and that the dictionary does not list: it names no day, so
        it fills no date slot (the slot keeps its default, 오늘)."""
        if self._resolve_kinds().get(e.entity, RESOLVERS.get(e.entity)) != "date" \
                or not _PART_OF_DAY_ALONE.fullmatch(_squash(e.text)):
            return False
        index = self._index.get(e.entity)
        return index is None or index.lookup(e.text) is None

    def _is_chat_value(self, e: Any) -> bool:
        """A value made of lone jamo (ㅇㅇ), yes and no (응), no letter or digit at all (☀️, ^^), or
        the other way round (반대, 거꾸로: 반대로 가는 기차도 있어? read 반대 as the destination)."""
        t = _squash(e.text)
        if t and not (_LONE_JAMO.fullmatch(t) or self._made_of(t, self._yes_or_no) or _REVERSED.fullmatch(t)):
            return False
        index = self._index.get(e.entity)
        return index is None or index.lookup(e.text) is None

    def _misspelled(self, norm: Any, text: str, asked: Slot, index: _SurfaceIndex) -> list[_Cand]:
        """A bare answer to the asked slot that misspells one of its dictionary values
        (``부샨으로`` → 부산): the longest start of its first word close to one, when little
        else was typed, and no word in its own right (``대기는`` is no 대구, ``인턴`` no 인천),
        as inside a request (:meth:`_typo`), unless it sounds as the value does (``모래`` for the
        date asked is 모레: ㅐ and ㅔ are one sound, the classic misspelling)."""
        words = norm.text.split()
        if not words or len(words) > 2:
            return []
        first = words[0]
        start = norm.text.index(first)
        for n in range(len(first), max(1, len(first) - BARE_REST - 1), -1):   # 4 off at most: 으로요
            value = index.closest(first[:n])
            if value is not None:
                if len(_squash(norm.text[start + n:])) > BARE_REST \
                        or (self._is_word(first[:n]) and not _sounds_alike(first[:n], value)):
                    return []
                a, b = norm.to_original(start, start + n)
                return [_Cand(asked.entity, None, value, text[a:b], a, b, "misspelled")]
        return []

    @staticmethod
    def _by_particle(same: Sequence[Slot], c: _Cand) -> Slot | None:
        """The one slot among ``same`` whose particles follow ``c`` (``대구로``), for a value
        the parser gave no role; the longest particle wins (``으로`` over ``로``). 에서 said short
        counts as 에서 (``거기서``, ``대구서``, ``부산서는``), and a particle with 는 run into it
        as the particle (``부산으론``, ``거기선``, ``대전까진``: 으로는, 에서는, 까지는)."""
        best, length = None, 0
        short = bool(c.text) and "가" <= c.text[-1] <= "힣" and _SHORT_EOSEO.match(c.after) is not None
        # 서울로부터, 대전으로부터: 부터, from, no 로 of a destination
        after = next((c.after[len(h) - 2:] for h in ("으로부터", "로부터") if c.after.startswith(h)), c.after)
        for s in same:
            for q in s.particles:
                if (after.startswith(q) or (q == "에서" and short) or _topic_run_in(after, q)) \
                        and len(q) > length:
                    best, length = s, len(q)
        return best

    def _is_bare(self, text: str, cands: Sequence[_Cand], asked: Slot | None) -> bool:
        """True when the text is just one value of the asked slot's type plus a short ending;
        a word of its own besides the value is only a polite ending, one of the slot's particles,
        a yes or an interjection (``부산 이요 ㅎㅎ``, ``대전 출발``), not ``부산 날씨는?``."""
        if asked is None:
            return False
        mine = [c for c in cands if c.entity == asked.entity]
        if len(mine) == 1:   # 주문번호는 20261123-000123이요: the asked slot's name before the value is no word of its own
            head = text[:mine[0].span_start].rstrip()
            for n in sorted(asked.names, key=len, reverse=True):
                m = re.search(re.escape(n) + "(?:" + "|".join(p for p in _NAME_PARTICLES if p) + ")?$", head)
                if m and (m.start() == 0 or self._made_of(_squash(head[:m.start()]), self._no_or_filler)):
                    text = " " * m.end() + text[m.end():]
                    break
        if len(mine) != 1 or not _little_else(text, mine):
            return False
        c = mine[0]
        endings = _ENDINGS | self._yes_or_no | _FILLERS | frozenset(
            _squash(p) for q in asked.particles for p in (re.sub(r"[()]", "", q), re.sub(r"\(.*?\)", "", q))
            if _squash(p))   # (으)로: 으로 and 로
        for m in re.finditer(r"\S+", text):
            if m.end() <= c.span_start or m.start() >= c.end:
                w = _squash(m.group(0))
                if w and not self._made_of(w, endings):
                    return False
        return True

    def _is_correction(self, text: str, cands: Sequence[_Cand], sc: Scenario | None = None) -> bool:
        """True when the text is values of the scenario's slots with their particles, and
        besides them only a no, a word for change or an interjection (``모레``, ``아니 대구로``,
        ``아 모레로 바꿔줘``): an answer to a confirmation question, not another request."""
        if not cands:
            return False
        allowed = self._yes_or_no | _CHANGE | _FILLERS   # 음 목요일로 바꿔줘
        if sc is not None:   # 출발지 대전으로 바꿔줘, 목적지는 광주: the words naming the slots
            allowed = allowed | frozenset(_squash(n) + p for s in sc.slots for n in s.names for p in _NAME_PARTICLES)
            for n in sorted((n for s in sc.slots for n in s.names if " " in n.strip()), key=len, reverse=True):
                text = text.replace(n, " " * len(n))   # a name of several words (출발 시간 6시로 변경해줘)
        for m in re.finditer(r"\S+", text):
            inside = [c for c in cands if c.span_start < m.end() and m.start() < c.end]
            if inside:
                rest = text[m.start():m.end()]
                for c in sorted(inside, key=lambda c: -c.span_start):
                    a, b = max(c.span_start, m.start()) - m.start(), min(c.end, m.end()) - m.start()
                    rest = rest[:a] + rest[b:]
                if len(_squash(rest)) > BARE_REST:
                    return False
            elif (w := _squash(m.group(0))) and not self._made_of(w, allowed):
                return False
        return True

    def _accept(self, slot: Slot, c: _Cand) -> str | None:
        """The canonical value ``c`` gives ``slot``, or None when the slot does not allow it."""
        value = c.value or c.text
        index = self._index.get(slot.entity)
        if index is not None and value not in index.values:
            value = index.lookup(value) or index.lookup(c.text) or value
        if index is None or value not in index.values:
            # a date the dictionary does not list (12.3, 2026. 12. 3): said back in words
            spelled = _spelled_date(c)
            if spelled is not None:
                value = (index.lookup(spelled) if index is not None else None) or spelled
        if (c.resolved or {}).get("before_dawn") and c.value and slot.values != "dictionary":
            value = c.value   # 내일 said before dawn: the day it means, in words (_small_hours)
        if slot.values is None and slot.pattern is None \
                and self._resolve_kinds().get(slot.entity) == "money":
            # an amount has one meaning however it was typed (5만원, 오만 원, 50,000원): the slot
            # holds it written one way, so the confirmation reads back the number the action gets
            got = c.resolved if (c.resolved or {}).get("kind") == "money" else (
                resolve("money", c.text) or resolve("money", value))
            if got and not got.get("approx"):
                return str(got["text"])
            # an amount that is no exact one (5만원 이하, 2~3만원), a negative one (-5000원) or one
            # not read (3억 5천원) is refused, with the slot's invalid reply: never filled as typed
            return None
        if slot.values is None and self._resolve_kinds().get(slot.entity) == "count":
            return self._count_value(slot, c, value, id(slot) in self._at_once)
        if slot.values == "dictionary":
            return value if index is not None and value in index.values else None
        if isinstance(slot.values, tuple):
            return value if value in slot.values else None
        if slot.pattern is not None:
            # number words count as digits here too: 세 시 반 passes a \d시 pattern as 3시 30분
            for v in (value, c.text, digits(value)):
                if slot.pattern.fullmatch(v):
                    return v
            return None
        return value

    @staticmethod
    def _count_value(slot: Slot, c: _Cand, value: str, at_once: bool = False) -> str | None:
        """The count ``c`` gives a count slot, written one way (``네 명``, ``넷이서``, ``4인`` → ``4명``) so the
        read-back says the number the action gets; a number said alone (``넷이요``) takes the counter
        the slot's question names (``몇 분이세요?``: 명) or its default's. None (refused, with the
        slot's invalid reply) for a count said not exactly (``4~5명``, ``5명 정도``), none (``0명``) or
        one not read; a slot's ``pattern`` then checks the count as written (``[1-8]명``)."""
        got = c.resolved if (c.resolved or {}).get("kind") == "count" else (
            resolve("count", c.text) or resolve("count", value))
        if got and got.get("approx") and at_once and not slot.required and slot.counts is None:
            # 한두 개 있어요? answered at once (``at_once``: no confirm): 2개, never the refusal and the default
            got = _most_of(got)
        if not got or got.get("approx") or not isinstance(got.get("value"), int) or got["value"] <= 0:
            return None
        unit = got.get("unit")
        if unit is None:
            asked = _ASKED_COUNTER.search(" ".join(slot.wordings("prompt")))
            default = resolve("count", slot.default) if slot.default else None
            unit = ("명" if asked.group("people") or asked.group(1) in PEOPLE_COUNTERS else asked.group(1)) if asked else (
                (default or {}).get("unit"))
        said = count_text(got["value"], unit)
        if slot.pattern is not None and not slot.pattern.fullmatch(said):
            return None
        return said

    def _count_alone(self, text: str, cands: Sequence[_Cand], sc: Scenario) -> bool:
        """True when ``text`` is a count said alone as to its question (``둘이 가요``, ``셋이서 갈게요``,
        ``아니 넷이요``) and one of ``cands`` is that count, for a count slot of ``sc``."""
        kinds = self._resolve_kinds()
        if not any(kinds.get(s.entity) == "count" for s in sc.slots):
            return False
        norm = normalize(text).text
        m = _BARE_COUNT.fullmatch(norm)
        if m and not resolve("count", m.group(1)):
            m = _BARE_COUNT_WHOLE.fullmatch(norm)
        if not m or not resolve("count", m.group(1)):
            return False
        said = m.group(1).strip()
        return any(kinds.get(c.entity) == "count" and normalize(c.text).text.strip() == said for c in cands)

    def _changes_count_held(self, cands: Sequence[_Cand], sc: Scenario, slots: Mapping[str, Any]) -> bool:
        """True when a value is a count said to change the count a slot holds (``한 명 빠질 것 같아요`` at a
        read-back of 4명: a ``delta``, :meth:`_count_changed`): about the request under way, whatever other
        request the model reads (a restaurant model read it as a cancel, 0.78)."""
        kinds = self._resolve_kinds()
        return any(kinds.get(c.entity) == "count" and any(s.entity == c.entity and s.name in slots for s in sc.slots)
                   and "delta" in ((c.resolved if (c.resolved or {}).get("kind") == "count" else None)
                                   or resolve("count", c.text) or {}) for c in cands)

    def _count_changed(self, slot: Slot, c: _Cand, value: str, held: str | None) -> str | None:
        """``value`` as the count slot will hold it when ``c`` says a change to the count held
        (``한 명 더``, ``두 명 추가``: that many more; ``한 명 빼줘``: fewer): the sum, written one way;
        ``value`` itself for any other value, or for more with no count held (``라떼 한 잔 더``: 1잔).
        None (refused) for fewer with none held, a count that comes to none, one in another unit
        than the count held, or one the slot's ``values`` or ``pattern`` refuse."""
        if self._resolve_kinds().get(slot.entity) != "count":
            return value
        got = c.resolved if (c.resolved or {}).get("kind") == "count" else resolve("count", c.text)
        delta = (got or {}).get("delta")
        if not isinstance(delta, int):
            return value
        now = resolve("count", held) if held else None
        if now is None or not isinstance(now.get("value"), int) or now.get("approx"):
            # 라떼 한 잔 더 주세요: one more is one; 한 명 늘려줘 changes a count none told (asked: :meth:`_count_unknown`)
            return value if delta > 0 and not _CHANGES_HELD.search(c.text) else None
        unit = (resolve("count", value) or {}).get("unit")
        total = now["value"] + delta
        if total <= 0 or unit != now.get("unit"):
            return None
        said = count_text(total, unit)
        # the sum as if said: a slot's values or pattern check it as they check any count (1~6명 only)
        return self._accept(slot, dataclasses.replace(c, value=said, text=said, resolved=None))

    def _fill(self, sc: Scenario, slots: dict[str, str], cands: Sequence[_Cand], asked: Slot | None,
              bare: bool, meanings: dict[str, Any], order: Sequence[str] = (), part: str | None = None,
              part_now: bool = False, shown: Mapping[str, str] | None = None
              ) -> tuple[list[str], list[tuple[_Cand, Slot]]]:
        """Put each candidate into its slot; returns the slots filled and the refused values.
        ``shown``: the values read back to the user, defaults too (a count said as a change adds
        to the one shown: 1잔 by default, then 한 잔 더 is 2잔); ``slots`` without it.
        ``order``: the slots in the order they were filled, the last last (:meth:`_target`).
        ``part``: the part of the day said apart from any time in this request (``아침에 깨워줘``;
        ``part_now``: in this turn), which reads an hour said without 오전/오후 (:meth:`_in_part`)."""
        filled: list[str] = []
        rejected: list[tuple[_Cand, Slot]] = []
        before = dict(slots)
        took: dict[str, _Cand] = {}
        # the slot filled last takes a value naming none only when the turn says one of its type:
        # 대구랑 광주 at a trip read back is no destination 대구 and origin 광주
        several = {e for e in (c.entity for c in cands) if sum(d.entity == e for d in cands) > 1}
        cands = self._roles_by_particle(sc, cands)
        for c in cands:
            slot = self._target(sc, slots, c, asked, bare, filled, () if c.entity in several else order,
                                alone=c.entity not in several)
            if slot is None:
                continue
            value = self._accept(slot, c)
            if value is not None:   # 한 명 더, 두 명 추가 to a count held: the count it comes to
                value = self._count_changed(slot, c, value, (slots if shown is None else shown).get(slot.name))
            if value is None:
                rejected.append((c, slot))   # not allowed
                continue
            # a new value for a filled slot (아니 3시로 after 오후 2시) is a correction: an hour
            # without 오전/오후 keeps the half of the day of the one it replaces, as in a follow-up
            replaced = slot.name in slots
            if part is not None and (part_now or not replaced):
                # 아침에 깨워줘 | 7시: 오전 7시; a correction keeps the half of the time it replaces
                # (오후 2시 | 아니 3시로) unless a part of the day is said with it
                c, value = self._in_part(slot, c, value, part)
            _remember_meaning(meanings, slot.name, c, value, follows=replaced)
            if replaced:   # read back as understood: 아니 3시로 after 오후 2시 is 오후 3시
                value = self._with_half(slot, c, value, meanings.get(slot.name))
            slots[slot.name] = value
            filled.append(slot.name)
            took[slot.name] = c
        # a slot that must differ from another (a trip's destination, its origin) and holds its value
        # once this turn's values are in, whichever came first: the later one filled now is refused
        # (with the invalid reply of the slot that must differ); a swap in one turn (반대로 부산에서 서울)
        # is no repeat
        for t in sc.slots:
            other = t.differs_from
            if other is None or t.name not in slots or slots.get(other) != slots[t.name]:
                continue
            now = [n for n in filled if n in (t.name, other)]
            if not now:
                continue
            undo = now[-1]   # the later of the two: the repeat
            held = other if undo == t.name else t.name
            kept = sc.slot(held)
            if len(now) == 1 and kept is not None and kept.unmarked and before.get(held) == slots[undo]:
                # 기차 예매 부산 | 부산에서 출발이요: the place taken as where to go (said unmarked) is said to be
                # where from: it moves, and where to go is asked
                slots.pop(held)
                meanings.pop(held, None)
                continue
            if undo in before:
                slots[undo] = before[undo]
            else:
                slots.pop(undo)
            filled.remove(undo)
            rejected.append((took.pop(undo), t))
            meanings.pop(undo, None)
        return filled, rejected

    @staticmethod
    def _roles_by_particle(sc: Scenario, cands: Sequence[_Cand]) -> list[_Cand]:
        """``cands`` with the role the model gave two values of one type (``M 사이즈를 L로``, both
        tagged ``size:to``) left to the one its slot's particles follow (``L로``); the other takes the
        role of the only other slot of the type (``from``), so neither is put in the wrong slot."""
        out = list(cands)
        for i, c in enumerate(cands):
            twins = [j for j, d in enumerate(cands) if d.entity == c.entity and d.role == c.role]
            if not c.role or len(twins) < 2 or i != twins[0]:
                continue
            same = [s for s in sc.slots if s.entity == c.entity]
            slot = next((s for s in same if s.role == c.role), None)
            others = [s for s in same if s is not slot]
            if slot is None or len(others) != 1 or not slot.particles:
                continue
            marked = [j for j in twins if Bot._by_particle([slot], cands[j]) is slot]
            if len(marked) != 1:
                continue
            for j in twins:
                if j != marked[0]:
                    out[j] = dataclasses.replace(cands[j], role=others[0].role)
        return out

    @staticmethod
    def _part_of_day_said(text: str, cands: Sequence[_Cand]) -> str | None:
        """The last part of the day said in ``text`` as a word (``아침에``, ``내일 새벽``; not
        ``아침밥``: :func:`~nlukit.temporal.parts_of_day`), whether the model tagged it or not,
        apart from the times among ``cands`` (the 오후 of ``오후 3시`` is that time's)."""
        times = [(x.span_start, x.end) for c in cands for x in (c, *c.also)
                 if (x.resolved or {}).get("kind") in ("time", "duration")]
        said = None
        for word, start, end in parts_of_day(text):
            at = len(text) - len(text[end:].lstrip())   # 저녁 [7시]: the time's, read with it
            if any(a <= start < b or a == at for a, b in times):
                continue
            # only in the clause that asks: 밤에 잠이 안 와서 그런데 7시에 깨워줘 is no 7 p.m. alarm, nor
            # 아침 먹고 8시에 (breakfast); up to the first time after it, or the end when none is said
            upto = min((a for a, _ in times if a >= end), default=len(text))
            if _CLAUSE_BREAK.search(text, end, upto) is None:
                said = word
        return said

    def _in_part(self, slot: Slot, c: _Cand, value: str, part: str) -> tuple[_Cand, str]:
        """``c`` and its ``value``, an hour said without 오전/오후 (``7시``), read in the part of
        the day ``part`` said apart from it (``아침``: 07:00, :func:`~nlukit.temporal.in_part_of_day`)
        and written with its half (``오전 7시``), so that a read-back says what was understood;
        as they were when the part names no reading of it (아침 | 12시) or the slot takes no half
        (the reading is kept for the action all the same)."""
        read = in_part_of_day(part, dict(c.resolved) if c.resolved else None)
        if read is None:
            return c, value
        half = "오후" if read["hour"] >= 12 else "밤" if read["hour"] == 0 else "오전"   # 밤 12시: midnight
        said = f"{half} {value}"
        whole = dataclasses.replace(c, value=said, text=said, resolved=read)
        got = self._accept(slot, whole)
        if got is None:
            return dataclasses.replace(c, resolved=read), value
        return dataclasses.replace(whole, value=got), got

    def _with_half(self, slot: Slot, c: _Cand, value: str, meaning: Any) -> str:
        """``value``, an hour said without 오전/오후 that was read in the half of the day of the time
        it replaces (``meaning``), with that half in front (``3시`` → ``오후 3시``), so that a
        read-back says what was understood, as it does a time first said with its half; the
        slot's canonical value for it when the slot takes it, else ``value`` unchanged."""
        if not (c.resolved and c.resolved.get("ambiguous")) or not isinstance(meaning, dict) \
                or meaning.get("ambiguous") or not isinstance(meaning.get("hour"), int):
            return value
        half = "오후" if meaning["hour"] >= 12 else "밤" if meaning["hour"] == 0 else "오전"   # 밤 12시: midnight
        said = f"{half} {value}"
        return self._accept(slot, dataclasses.replace(c, value=said, text=said)) or value

    @staticmethod
    def _its_word_next(slot: Slot, c: _Cand) -> bool:
        """Whether the word after the one right after ``c`` starts with a particle or a name of
        ``slot`` (대전으로 |출발지 변경, 서울로 |출발해서 for the origin, particles 출발, names 출발지)."""
        words = c.after.split()
        return len(words) > 1 and any(words[1].startswith(w.replace(" ", ""))
                                      for w in (*slot.particles, *slot.names) if w)

    @staticmethod
    def _target(sc: Scenario, slots: Mapping[str, str], c: _Cand, asked: Slot | None, bare: bool,
                taken: Sequence[str], order: Sequence[str] = (), alone: bool = True) -> Slot | None:
        """The slot ``c`` goes to. ``alone``: ``c`` is the only value of its type said in the turn."""
        same = [s for s in sc.slots if s.entity == c.entity and s.name not in taken]
        if not same:
            return None
        named = [s for s in same if s.name == c.named]
        if named:
            return named[0]   # 출발지 대전으로: the slot the user named, whatever role the model gave
        if c.replaces is not None and c.role is None:
            # 부산 말고 대구: the slot that holds 부산
            held = [s for s in same if slots.get(s.name) in (c.replaces.value, c.replaces.text)]
            if len(held) == 1:
                return held[0]
        asked_free = asked is not None and asked.entity == c.entity and asked.name not in taken
        if bare and asked_free:
            return asked
        by_particle = Bot._by_particle(same, c) if len(same) > 1 else None
        if c.role:
            for s in same:
                if s.role == c.role:
                    # L로 tagged size:from where (으)로 is the particle of the slot `to`, and none of
                    # `from`'s follows it: the particle the author listed says which slot; not when
                    # another value of the type is said (M으로 샀고 L로 바꿔주세요: M size:from, L size:to,
                    # the model's roles set both apart where the particles do not)
                    # (nor when a word of the model's slot comes next: 대전으로 출발지 변경, 서울로 출발해서)
                    if alone and by_particle is not None and by_particle is not s \
                            and Bot._by_particle([s], c) is None and not Bot._its_word_next(s, c):
                        return by_particle
                    return s
        elif by_particle is not None:
            return by_particle
        if asked_free:
            return asked
        empty = [s for s in same if s.name not in slots]
        if alone and c.role is None and not c.also and empty:   # 기차 예매해줘 부산: the slot that takes a value said unmarked
            empty = sorted(empty, key=lambda s: not s.unmarked)
        if empty:
            return empty[0]
        if len(same) == 1:
            return same[0]   # a correction of the only slot of its type
        # a correction at a confirmation that names no slot (아 아니 대구 for a trip read back): the
        # slot of its type filled last, the one the user answered or said last
        last = [s for s in same if s.name in order] if bare else []
        return max(last, key=lambda s: list(order).index(s.name)) if last else None

    # ------------------------------------------------------------------ several values at once

    def _joined(self, text: str, cands: Sequence[_Cand], sc: Scenario, asked: Slot | None) -> list[_Cand]:
        """Values of one type and role said together (``서울이랑 부산``, ``서울, 부산``, ``서울 및
        부산``, ``서울이나 부산``, ``서울 날씨랑 부산 날씨``) become one candidate spanning them, the
        others in its ``also``, when they compete for one slot: the scenario has one slot of that
        type, the parser gave them its role, that type is asked, or the particle after the last
        picks the slot (``대구랑 광주로``). A value without a role joined by a word (not a space or
        a comma) to one with a role shares it. ``서울 부산 기차`` with an origin and a destination
        to fill is no list (the two slots take one each, as before)."""
        out: list[_Cand] = []
        for c in cands:
            paired = self._dated_pair(text, out, c) \
                if any(s.entity == c.entity and s.multiple for s in sc.slots) else None
            if paired is not None:   # 오늘 저녁 9시랑 내일 아침 7시: two times, each with its own date
                out[-2:] = [paired]
                continue
            prev = out[-1] if out else None
            joint = _joint(text, prev, c) if prev is not None and c.replaces is None \
                and prev.entity == c.entity else None
            if joint is None and prev is not None and c.replaces is None and self._two_amounts(sc, prev, c):
                joint = "에서"   # 3만원에서 5만원 사이, 2, 3만원: which one is asked, never the first sent
            # one role, or none beside one across a word (대구랑 광주로: both where to)
            if prev is not None and joint is not None and (
                    prev.role == c.role or (joint != "" and None in (prev.role, c.role))):
                role = prev.role or c.role
                if self._one_slot_for(sc, dataclasses.replace(c, role=role), asked, by_word=joint != ""):
                    out[-1] = dataclasses.replace(prev, role=role, end=c.end, after=c.after,
                                                  also=(*prev.also, c), alone=prev.alone or prev)
                    continue
            out.append(c)
        return out

    def _kind(self, c: _Cand) -> str | None:
        return self._resolve_kinds().get(c.entity)

    def _resolve_kinds(self) -> Mapping[str, str]:
        """The parser's ``resolve`` (entity type -> time, date, money, count), ``{}`` for a parser without one."""
        return getattr(self.parser, "resolve", None) or {}

    def _dated_pair(self, text: str, out: Sequence[_Cand], c: _Cand) -> _Cand | None:
        """A time ``c`` said right after its own date (a part of the day aside) that comes after
        another time with its own date, joined to it by an and or an or (``오늘 저녁 9시랑 내일
        아침 7시``, ``내일 7시 모레 8시``): that time with ``c`` joined to it, each keeping its
        date (``day``), in place of the last two of ``out``; else None. Only when every time of
        the list has a date right before it (``9시랑 내일 7시`` is left as it was), and only for a
        ``multiple`` slot (the caller's check): a one-value slot would ask which time, the dates lost."""
        if len(out) < 3 or c.replaces is not None or self._kind(c) != "time":
            return None
        first, t, d = out[-3], out[-2], out[-1]   # the first's date, the time before, c's date
        if not (self._kind(d) == "date" and not d.also and t.entity == c.entity and t.role == c.role
                and _only_part_of_day(text[d.end:c.start])):
            return None
        own = t.also[-1].day if t.also else t.day
        if own is None and not (self._kind(first) == "date" and not first.also
                                and _only_part_of_day(text[first.end:t.start])):
            return None
        if _squash(text[t.end:d.start]) not in _JOINTS:
            return None
        head = t if t.also else dataclasses.replace(t, day=own or first)
        return dataclasses.replace(head, end=c.end, after=c.after, also=(*head.also, dataclasses.replace(c, day=d)),
                                   alone=head.alone or head)

    def _two_amounts(self, sc: Scenario, a: _Cand, b: _Cand) -> bool:
        """``a`` and ``b`` are two different amounts of money for the one amount a scenario takes
        (a slot of that type, not ``multiple``): however they are joined, one of them is not meant."""
        if a.entity != b.entity or self._resolve_kinds().get(a.entity) != "money":
            return False
        same = [s for s in sc.slots if s.entity == a.entity]
        if len(same) != 1 or same[0].multiple:
            return False
        read = [(resolve("money", x.text) or {}).get("value") for x in (a, b)]
        return None not in read and read[0] != read[1]

    @staticmethod
    def _one_slot_for(sc: Scenario, c: _Cand, asked: Slot | None, by_word: bool = False) -> bool:
        same = [s for s in sc.slots if s.entity == c.entity]
        if not same:
            return False
        return bool(c.role) or len(same) == 1 or (asked is not None and asked.entity == c.entity) \
            or (by_word and Bot._by_particle(same, c) is not None)

    @staticmethod
    def _one_each(text: str, sc: Scenario, slots: Mapping[str, str], c: _Cand) -> bool:
        """True for values without a role apart by a space or a comma alone (``서울 부산``) when
        as many slots of their type are empty: one each, in order (a trip's origin and
        destination), as the answer to where from as well."""
        if not c.also or c.role or c.alone is None:
            return False
        same = [s for s in sc.slots if s.entity == c.entity]
        values = [c.alone, *c.also]
        return len(same) > 1 and sum(1 for s in same if s.name not in slots) >= len(values) \
            and all(_squash(text[a.end:b.start]) == "" for a, b in zip(values, values[1:], strict=False))

    def _members(self, slot: Slot, c: _Cand) -> tuple[list[tuple[_Cand, str]], list[_Cand]]:
        """The values a joined candidate gives ``slot`` (each once, in the order said), and the
        members it refuses."""
        ok: list[tuple[_Cand, str]] = []
        refused: list[_Cand] = []
        for m in (c, *c.also):
            value = self._accept(slot, m)
            if value is None:
                refused.append(m)
            elif all(value != v or _day(m) != _day(o) for o, v in ok):   # 내일 7시, 모레 7시: two
                ok.append((m, value))
        return ok, refused

    def _fill_joined(self, state: dict[str, Any], text: str, sc: Scenario, slots: dict[str, str],
                     cands: Sequence[_Cand], asked: Slot | None, bare: bool,
                     meanings: dict[str, Any]) -> tuple[list[str], list[tuple[_Cand, Slot]]]:
        """:meth:`_fill`, with values said together: a ``multiple`` slot takes them all (kept in
        ``state["multi"]``, the slot holding the first), a one-value slot takes none and the turn
        asks which (``state["choose"]``; the slot then counts as filled, so no fallback is said).
        An answer picking one of the values offered (``첫 번째``, ``뒤에 거``) fills it."""
        cands, order_rejected, order_filled = self._take_order(state, text, sc, slots, cands, asked)
        pending = state.get("choose") if isinstance(state.get("choose"), dict) else None
        if pending and asked is not None and asked.name == pending.get("slot"):
            offered = list(pending.get("choices") or [])
            # a value of the slot's type said is the answer, unless it is only the pick's own word (뒤에 거:
            # the model's 뒤 as a date), none of the values offered
            i = None if any(c.entity == asked.entity and c.value in offered for c in cands) \
                else _picked(text, len(offered))
            if i is not None:   # the answer is the pick alone: what the model reads in it (뒤 as a date) is not
                cands = [_Cand(asked.entity, None, offered[i], text.strip(), 0, len(text), "choice")]
        said = self._part_of_day_said(text, cands)
        if said is not None:   # 아침에 깨워줘: the morning, for an hour said without 오전/오후 later
            state["part"] = said
        part = state.get("part") if isinstance(state.get("part"), str) else None
        keep: list[_Cand] = []
        lists: list[tuple[Slot, list[str]]] = []
        days: dict[str, list[str | None]] = {}   # per list, the date said with each value (or None)
        heads: dict[str, str] = {}   # per list, its first value as said (9시 of 저녁 9시, read 오후 9시)
        choose: dict[str, Any] | None = None
        notes: list[str] = []
        for c in cands:
            if self._one_each(text, sc, slots, c):
                keep += [c.alone or c, *c.also]   # 서울 부산 for a trip: from 서울 to 부산
                continue
            slot = self._target(sc, slots, c, asked, bare, ()) if c.also else None
            if slot is None:
                keep.append(c)
                continue
            ok, refused = self._members(slot, c)
            if not ok:
                keep.append(c)   # refused as one value would be
                continue
            notes += [render_template(slot.invalid or self._refusal(slot, m), {"value": m.text})
                      for m in refused]
            if part is not None and (said is not None or slot.name not in slots):   # 아침에 7시랑 8시
                ok = [self._in_part(slot, m, v, part) for m, v in ok]
            ok = [(m, self._half_said(slot, m, v)) for m, v in ok]
            first = ok[0][0]
            head = dataclasses.replace(c, value=first.value, text=first.text, resolved=first.resolved)
            if slot.multiple or len(ok) == 1:
                keep.append(head)
                if len(ok) > 1:
                    lists.append((slot, [v for _, v in ok]))
                    heads[slot.name] = first.value
                    if any(m.day is not None for m, _ in ok):
                        days[slot.name] = [_day(m) for m, _ in ok]
            else:
                choose = {"slot": slot.name, "choices": [v for _, v in ok]}
        order = [n for n in state.get("order") or () if isinstance(n, str) and n in slots]
        # the defaults read back in the question to confirm are shown values too (1잔, then 한 잔 더)
        shown = self._with_defaults(sc, slots) if state.get("confirming") else None
        filled, rejected = self._fill(sc, slots, keep, asked, bare, meanings, order, part, said is not None, shown)
        state["order"] = [*(n for n in order if n not in filled), *filled]
        got = state.get("multi")
        multi: dict[str, list[str]] = got if isinstance(got, dict) else {}
        state["multi"] = multi
        dated = state.get("multi_day") if isinstance(state.get("multi_day"), dict) else {}
        state["multi_day"] = dated
        for name in filled:
            multi.pop(name, None)   # a slot filled anew holds what was said now
            dated.pop(name, None)
        if pending and pending.get("slot") in filled:
            state["choose"] = None
        for slot, values in lists:
            if slot.name in filled and slots.get(slot.name) in (values[0], heads.get(slot.name)):
                slots[slot.name] = values[0]   # 저녁 9시랑 10시: the list holds 오후 9시, and so does the slot
                self._keep_list(state, slot, values)
                if slot.name in days:
                    dated[slot.name] = days[slot.name]
        if choose is not None and choose["slot"] in filled and slots.get(choose["slot"]) in choose["choices"]:
            choose = None   # 대구랑 광주 중에 광주: one of the list said alone picks it
            state["choose"] = None
        if choose is not None:
            state["choose"] = choose
            filled.append(choose["slot"])
        for n in notes:
            self._add_note(state, n)
        return [*order_filled, *filled], [*order_rejected, *rejected]

    def _half_said(self, slot: Slot, m: _Cand, value: str) -> str:
        """``value``, an hour without 오전/오후 (``9시``) that the parser read in the part of the day
        said right before it (``저녁 9시``, the tagger's span without 저녁: 21:00), with its half in
        front (``오후 9시``), so that a list of values keeps what each meant; else unchanged."""
        r = m.resolved
        if not r or r.get("kind") != "time" or r.get("ambiguous") or not isinstance(r.get("hour"), int):
            return value
        own = resolve("time", value)
        if not (own and own.get("ambiguous")):
            return value
        half = "오후" if r["hour"] >= 12 else "밤" if r["hour"] == 0 else "오전"   # 밤 12시: midnight
        said = f"{half} {value}"
        return self._accept(slot, dataclasses.replace(m, value=said, text=said)) or value

    def _keep_list(self, state: dict[str, Any], slot: Slot, values: list[str]) -> None:
        """The values of a ``multiple`` slot, up to its limit; those beyond it are said to be left out."""
        taken, rest = values[:slot.multiple], values[slot.multiple:]
        if len(taken) > 1:
            state.setdefault("multi", {})[slot.name] = taken
        if rest:
            self._add_note(state, render_template(self.settings.too_many_values,
                                                  {"max": str(slot.multiple), "rest": ", ".join(rest)}))

    @staticmethod
    def _add_note(state: dict[str, Any], note: str) -> None:
        state["multi_note"] = [*(state.get("multi_note") or []), note]

    def _follow_joined(self, state: dict[str, Any], sc: Scenario, last: Mapping[str, Any],
                       cands: Sequence[_Cand]) -> None:
        """A follow-up keeps the last answer's several values of a slot it does not name
        (``서울이랑 부산 날씨`` → ``내일은?``: both, for tomorrow), and takes several of its own
        (``대구랑 광주는?``), or asks which for a one-value slot."""
        multi: dict[str, list[str]] = {}
        for name, values in (last.get("multi") or {}).items():
            slot = sc.slot(name)
            if slot is None or not isinstance(values, list) or len(values) < 2 \
                    or any(c.entity == slot.entity and c.role in (None, slot.role) for c in cands):
                continue   # said anew
            multi[name] = list(values)
            state["slots"][name] = values[0]
        state["multi"] = multi
        for c in cands:
            if not c.also:
                continue
            same = [s for s in sc.slots if s.entity == c.entity]
            slot = next((s for s in same if s.role == c.role), None) if c.role else (
                same[0] if len(same) == 1 else None)
            if slot is None:
                continue
            ok, refused = self._members(slot, c)
            for m in refused:
                self._add_note(state, render_template(slot.invalid or self._refusal(slot, m),
                                                      {"value": m.text}))
            values = [v for _, v in ok]
            if slot.multiple and len(values) > 1 and state["slots"].get(slot.name) == values[0]:
                self._keep_list(state, slot, values)
            elif not slot.multiple and len(values) > 1:
                before = (last.get("slots") or {}).get(slot.name)
                if before is None:
                    state["slots"].pop(slot.name, None)
                else:
                    state["slots"][slot.name] = before
                state["choose"] = {"slot": slot.name, "choices": values}

    def _lists(self, state: Mapping[str, Any], sc: Scenario) -> dict[str, list[str]]:
        """The ``multiple`` slots holding several values (the slot itself holds the first)."""
        multi = state.get("multi")
        if not isinstance(multi, dict):
            return {}
        out: dict[str, list[str]] = {}
        for name, values in multi.items():
            slot = sc.slot(name)
            if slot is not None and slot.multiple and isinstance(values, list) and len(values) > 1 \
                    and state["slots"].get(name) == values[0]:
                out[name] = list(values)
        return out

    def _shown(self, state: Mapping[str, Any], sc: Scenario, values: Mapping[str, str],
               sep: str | None = None) -> dict[str, str]:
        """``values`` with each list of several in place of its first value: ``서울과 부산`` for a
        template (a question, a prompt), or joined with ``sep``."""
        out = dict(values)
        for name, got in self._lists(state, sc).items():
            if name in out:
                out[name] = sep.join(got) if sep is not None else _and_list(got)
        return self._order_shown(state, sc, out, sep)

    def _noted(self, state: dict[str, Any], sc: Scenario, prefix: str, missing: bool) -> str:
        """``prefix`` with the notes on values left out, when this turn asks something; a turn
        that answers says them before its answers."""
        notes = state.get("multi_note") or []
        if not notes or not (missing or sc.confirm is not None or state.get("choose")):
            return prefix
        state["multi_note"] = None
        return " ".join(x for x in (prefix, *notes) if x)

    def _ask_choice(self, sid: str, state: dict[str, Any], sc: Scenario, parse: ParseResult, prefix: str,
                    today: datetime.date | None) -> Turn | None:
        """``서울이랑 부산`` for a one-value slot: its question, then the values to choose from,
        offered as the turn's choices too; None when no choice is pending."""
        pending = state.get("choose")
        if not isinstance(pending, dict):
            return None
        slot = sc.slot(str(pending.get("slot")))
        choices = [str(v) for v in pending.get("choices") or ()]
        if slot is None or len(choices) < 2:
            state["choose"] = None
            return None
        slots: dict[str, str] = state["slots"]
        state["asked"] = slot.name
        state["confirming"] = False
        blanks = self._shown(state, sc, {s.name: slots.get(s.name, "") for s in sc.slots})
        prompt = self._wording(sid, state, f"{sc.intent}.{slot.name}", slot, "prompt")
        question = render_template(prompt, blanks) if prompt else ""
        offer = render_template(self.settings.choose_one, {"choices": _and_list(choices)})
        missing = [slot.name, *(m for m in self._missing(sc, slots) if m != slot.name)]
        return Turn(" ".join(x for x in (prefix, question, offer) if x), "ask_slot", sc.intent,
                    self._shown(state, sc, slots, ", "), missing, parse, self._resolved(sc, state, slots, today), choices, self._lists(state, sc))

    def _complete_each(self, sid: str, state: dict[str, Any], sc: Scenario, text: str, parse: ParseResult,
                       today: datetime.date | None) -> Turn:
        """The scenario answered once per value of its ``multiple`` slot, in the order said, the
        replies one per line (after the notes on values left out, if any). The follow-up that
        comes next starts from all of them."""
        lists = self._lists(state, sc)
        notes = [n for n in state.get("multi_note") or () if n]
        dated = state.get("multi_day") if isinstance(state.get("multi_day"), dict) else {}
        state["multi"], state["multi_note"], state["multi_day"] = {}, None, None
        if not lists:
            turn = self._complete(sid, state, sc, text, parse, today)
            return dataclasses.replace(turn, reply="\n".join([*notes, turn.reply])) if notes else turn
        name, values = next(iter(lists.items()))
        base = copy.deepcopy(state)
        turns: list[Turn] = []
        run = base
        slot = sc.slot(name)
        kind = self._resolve_kinds().get(slot.entity if slot is not None else "")
        day = today or datetime.date.today()
        first = self._meanings(base).get(name) or (resolve(kind, values[0], day) if kind else None)
        # each time said with its own date (오늘 저녁 9시랑 내일 아침 7시): the date slot holds that date
        days = dated.get(name) if isinstance(dated.get(name), list) else None
        date_slot = next((s for s in sc.slots if s.name != name and not s.multiple
                          and self._resolve_kinds().get(s.entity) == "date"), None)
        runs: list[dict[str, Any]] = []
        for i, value in enumerate(values):
            run = copy.deepcopy(base)
            run["slots"][name] = value
            own = days[i] if days is not None and i < len(days) else None
            if own is not None and date_slot is not None and own != base["slots"].get(date_slot.name):
                run["slots"][date_slot.name] = own
                self._meanings(run).pop(date_slot.name, None)
            run["each"] = {name: list(values)}   # the action's context["multiple"]
            if i:   # read from this value, not the first one's; 오후 3시랑 4시: 4시 is 오후 too
                got = resolve(kind, value, day) if kind == "time" else None
                if got is not None:
                    self._meanings(run)[name] = _same_half(dict(got), first)
                else:
                    self._meanings(run).pop(name, None)
            runs.append(run)
        # every value's slots and readings, for an action to find two that mean the same (오늘 오후 3시랑
        # 내일 오후 3시 at 15:00: one alarm, tomorrow's): context["every"]
        every = [{"slots": (f := self._with_defaults(sc, r["slots"])), "resolved": self._resolved(sc, r, f, today)}
                 for r in runs]
        for run in runs:
            run["every"] = every
            turns.append(self._complete(sid, run, sc, text, parse, today))
        state.clear()
        state.update(run)
        state.pop("each", None)
        state.pop("every", None)
        if isinstance(state.get("last"), dict):
            state["last"].update(slots=dict(base["slots"]), resolved=dict(self._meanings(base)),
                                 multi={name: list(values)})
        shown = dict(turns[0].slots)
        shown[name] = ", ".join(values)
        done = any(t.state == "complete" for t in turns)
        # the same reply for two values (the action found they mean the same) is said once
        return Turn("\n".join([*notes, *dict.fromkeys(t.reply for t in turns)]), "complete" if done else turns[0].state,
                    sc.intent, shown, [], parse, turns[0].resolved, [], {name: list(values)})

    @staticmethod
    def _dictated(text: str, norm: Any, slot: Slot) -> list[_Cand]:
        """The values of ``slot``'s ``pattern`` in ``text`` read with its digits read out one by one
        (``이공이육일일이삼 공공공일이삼``, ``이 공 이 육``, ``공일공``): the digits, from the words said."""
        assert slot.pattern is not None
        spoken, where = spoken_digits(norm.text)
        if spoken == norm.text:
            return []
        tries = [(spoken, where)]
        # 공공공 일이삼 for 000123: the digits read in groups, their spaces dropped when none matches with them
        keep = [i for i, ch in enumerate(spoken) if not (ch == " " and 0 < i < len(spoken) - 1
                                                         and spoken[i - 1].isdigit() and spoken[i + 1].isdigit())]
        if len(keep) < len(spoken):
            tries.append(("".join(spoken[i] for i in keep), [where[i] for i in keep] + [where[len(spoken)]]))
        out: list[_Cand] = []
        for said, at in tries:
            for m in slot.pattern.finditer(said):
                if m.end() > m.start():
                    a, b = norm.to_original(at[m.start()], at[m.end() - 1] + 1)
                    out.append(_Cand(slot.entity, None, m.group(0), text[a:b], a, b, "pattern"))
            if out:
                break
        return out

    # ------------------------------------------------------------------ a change of a count none holds

    def _count_unknown(self, state: dict[str, Any], c: _Cand, slot: Slot) -> str | None:
        """``[bot] count_unknown`` when ``c`` says a change (``한 명 늘려줘``, ``한 명 빠졌어요``) to the count
        slot ``slot`` that holds none (nothing said, no default): the slot is then asked (``state["recount"]``,
        :meth:`_ask_recount`), never filled with the change's number. None otherwise."""
        if self._resolve_kinds().get(slot.entity) != "count" or slot.counts is not None \
                or slot.name in state["slots"] or slot.default is not None:
            return None
        got = c.resolved if (c.resolved or {}).get("kind") == "count" else resolve("count", c.text)
        if not isinstance((got or {}).get("delta"), int):
            return None
        asked = _ASKED_COUNTER.search(" ".join(slot.wordings("prompt")))
        unit = (got or {}).get("unit") or (("명" if asked.group("people") or asked.group(1) in PEOPLE_COUNTERS
                                             else asked.group(1)) if asked else "개")
        state["recount"] = [slot.name, False]
        return render_template(self.settings.count_unknown, {"unit": str(unit)})

    def _ask_recount(self, sid: str, state: dict[str, Any], sc: Scenario, parse: ParseResult, prefix: str,
                     today: datetime.date | None) -> Turn | None:
        """The count slot asked, optional or not, after a change said with no count held (``prefix``,
        ``[bot] count_unknown``, is the question) or a rough count refused before a read-back (``prefix``,
        ``[bot] inexact_count``, then the slot's prompt if it has one); None when there is none to ask."""
        got = state.pop("recount", None)
        name, prompted = got if isinstance(got, list) and len(got) == 2 else (None, False)
        slot = sc.slot(name) if isinstance(name, str) else None
        if slot is None or name in state["slots"] or not prefix:
            return None
        slots: dict[str, str] = state["slots"]
        state["asked"], state["confirming"] = slot.name, False
        if prompted and slot.prompt is not None:
            blanks = self._shown(state, sc, {s.name: slots.get(s.name, "") for s in sc.slots})
            prefix = " ".join((prefix, render_template(
                self._wording(sid, state, f"{sc.intent}.{slot.name}", slot, "prompt"), blanks)))
        return Turn(prefix, "ask_slot", sc.intent, self._shown(state, sc, slots, ", "), [slot.name], parse,
                    self._resolved(sc, state, slots, today), [], self._lists(state, sc))

    # ------------------------------------------------------------------ orders: items each with its count

    @staticmethod
    def _pattern_whole(norm: Any, text: str, slot: Slot, cands: list[_Cand], extra: list[_Cand]
                       ) -> tuple[list[_Cand], list[_Cand]]:
        """``cands`` and ``extra`` with the values of ``slot``'s type that its pattern refuses and that
        lie inside a match of it (the tagger's ``108-`` of ``108-1905``) replaced by that match, and the
        other values read in the match (``108-1905`` as a rough count) dropped."""
        assert slot.pattern is not None
        mine = [c for c in cands + extra if c.entity == slot.entity]
        if not mine or any(slot.pattern.fullmatch(str(v)) for c in mine for v in (c.value, c.text)):
            return cands, extra
        spans = [(m.start(), m.end(), m.group(0)) for m in slot.pattern.finditer(norm.text) if m.end() > m.start()]
        got = [(*norm.to_original(s, e), g) for s, e, g in spans]
        if not got or not all(any(a <= c.start and c.end <= b for a, b, _ in got) for c in mine):
            return cands, extra
        inside = [(a, b) for a, b, _ in got]
        cands = [c for c in cands if not any(a <= c.start and c.end <= b for a, b in inside)]
        extra = [c for c in extra if not any(c.start < b and a < c.end for a, b in inside)]
        return cands, extra + [_Cand(slot.entity, None, g, text[a:b], a, b, "pattern") for a, b, g in got]

    def _take_order(self, state: dict[str, Any], text: str, sc: Scenario, slots: dict[str, str],
                    cands: Sequence[_Cand], asked: Slot | None) -> tuple[list[_Cand], list[tuple[_Cand, Slot]], list[str]]:
        """For a scenario whose count slot ``counts`` a ``multiple`` item slot: the items and counts of
        ``cands`` paired (``짜장면 두 개 짬뽕 하나``, ``아메리카노 2잔이랑 라떼 한 잔``, ``두 잔 라떼``) into
        ``state["items"]`` (``[item, count or None]``, in the order said). A count said after an item
        (a particle between at most) is that item's, else one said right before one; a count the model
        did not tag right after an item is read too. A count alone is the item asked about's, else the
        only item's (or the last said), else it waits for the item. A change (``하나 더``, ``한 개 빼줘``)
        adds to the item's count; an item said with 빼/취소/없이 (``짬뽕은 빼주세요``) leaves the order.
        Returns the other candidates, the refused values and the slots filled."""
        pair = sc.counted
        if pair is None:
            return list(cands), [], []
        item_slot, count_slot = pair
        order = [list(e) for e in state.get("items") or () if isinstance(e, list) and len(e) == 2]
        rest: list[_Cand] = []
        items: list[_Cand] = []
        counts: list[_Cand] = []
        for c in cands:
            if c.entity == item_slot.entity and c.role in (None, item_slot.role):
                items += [c.alone or c, *c.also] if c.also else [c]
            elif c.entity == count_slot.entity and c.role in (None, count_slot.role):
                if (c.resolved or {}).get("kind") == "count" or resolve("count", c.text) is not None:
                    counts.append(c)   # not the tagger's 은 of 짬뽕은 빼주세요: no count, no refusal
            else:
                rest.append(c)
        before = copy.deepcopy(order)
        kept = False   # a count kept for the item said next
        rejected: list[tuple[_Cand, Slot]] = []
        # 짬뽕은 빼주세요, 짬뽕 빼고: an item held said with a word of leaving out leaves the order
        norm = normalize(text)
        index = self._index.get(item_slot.entity)
        if index is not None:   # 짜장면 짬뽕 하나씩 tagged as one item no list has: the listed items it is made of
            split: list[_Cand] = []
            for c in items:
                span = text[c.start:c.end]
                got = index.find(span) if self._accept(item_slot, c) is None else []
                if len(got) > 1 and not "".join(ch for k, ch in enumerate(span)
                                                 if not any(a <= k < b for a, b, _ in got)).strip(" ,"):
                    split += [dataclasses.replace(c, value=v, text=span[a:b], start=c.start + a, end=c.start + b,
                                                  source="dictionary", after=c.after if b == len(span) else "")
                              for a, b, v in got]
                else:
                    split.append(c)
            items = split
        said = [(c.start, c.end, c.value or c.text) for c in items]
        if index is not None:
            for s, e, value in index.find(norm.text):
                a, b = norm.to_original(s, e)
                if not any(x < b and a < y for x, y, _ in said):
                    said.append((a, b, value))
        gone = {self._accept(item_slot, _Cand(item_slot.entity, None, v, text[a:b], a, b, "dictionary")) or v
                for a, b, v in said if _LEAVE_OUT.match(text, b)}
        order = [e for e in order if e[0] not in gone]
        items = [c for c in items if (self._accept(item_slot, c) or c.value) not in gone]
        # the count right after each item, read where the model tagged none (짬뽕 하나 주세요)
        for c in items:
            if not any(_ITEM_GAP.fullmatch(text, c.end, n.start) for n in counts):
                got = _count_after(text, c.end)
                if got is not None:
                    counts.append(self._rough_amount(text, _Cand(count_slot.entity, None, got[2], got[2],
                                                                 got[0], got[1], "pattern"), "count"))
        pairs: dict[int, _Cand] = {}   # item's place in items -> its count
        loose: list[_Cand] = []
        for n in sorted(counts, key=lambda n: n.start):
            i = next((i for i, c in reversed(list(enumerate(items))) if c.end <= n.start and i not in pairs
                      and _ITEM_GAP.fullmatch(text, c.end, n.start)), None)
            if i is None:   # 두 잔 라떼: before it
                i = next((i for i, c in enumerate(items) if c.start >= n.end and i not in pairs
                          and _COUNT_GAP.fullmatch(text, n.end, c.start)), None)
            if i is None:
                loose.append(n)
            else:
                pairs[i] = n
        # 짜장면이랑 짬뽕 두 개씩: the count said with 씩 after a list of items is each one's
        for i, n in list(pairs.items()):
            if items[i].end <= n.start and (n.text.endswith("씩") or text[n.end:].lstrip().startswith("씩")):
                while i > 0 and i - 1 not in pairs and (_joint(text, items[i - 1], items[i]) is not None
                                                        or _EACH_LISTED.fullmatch(text, items[i - 1].end, items[i].start)):
                    i -= 1
                    pairs[i] = n
        if order and items and (_NO_FIRST.match(text) or len(order) == len(items) == 1 and items[0].replaces is None
                                and _CHANGE_TO.match(text, items[0].end)) and not any(
                c.replaces is not None or _ALSO_ITEM.match(text, c.end) for c in items):
            if len(order) == 1 and len(items) == 1 and order[0][1] not in (None, "?"):
                state["order_count"] = order[0][1]   # 짜장면 2개, 아니 짬뽕으로: 짬뽕 2개, as one item and one count
            order = []   # 짜장면 2개 read back, 아니 짬뽕 두 개로: the order is 짬뽕 2개 (짬뽕도 adds it)
        held = {e[0]: e for e in order}
        for i, c in enumerate(items):
            value = self._accept(item_slot, c)
            if value is None:
                rejected.append((c, item_slot))
                continue
            x = c.replaces
            old = held.get(self._accept(item_slot, x) or x.value) if x is not None else None
            entry = held.get(value)
            if entry is None and old is not None:   # 짜장면 말고 짬뽕: in its place, with its count
                old[0] = value
                held[value] = entry = old
            new = entry is None
            if entry is None:
                entry = [value, state.pop("order_count", None) if i not in pairs else None]
                order.append(entry)
                held[value] = entry
            if i in pairs:   # 탕수육도 하나 추가요: one 탕수육, a change only of an item held
                self._count_item(entry, pairs[i], count_slot, rejected, new)
        for n in loose:
            asking = next((e for e in order if e[1] in (None, "?")), None) \
                if asked is not None and asked.name == count_slot.name else None
            entry = asking or (order[-1] if order else None)
            if entry is None:   # 두 개요 before any item: the next item's
                value = self._accept(count_slot, n)
                if value is None:
                    rejected.append((n, count_slot))
                else:
                    state["order_count"] = value
                    kept = True   # understood: the item is asked, with no fallback reply
                continue
            self._count_item(entry, n, count_slot, rejected)
            if asking is not None and entry[1] != "?" and (n.text.endswith("씩") or text[n.end:].lstrip().startswith("씩")):
                for e in order:   # 하나씩이요, asked 짜장면's count with 짬뽕's to ask too: each one's
                    if e[1] in (None, "?"):
                        e[1] = entry[1]
            elif asking is None and not items and entry[1] not in ("?", "") and (
                    n.text.endswith("씩") or text[n.end:].lstrip().startswith("씩") or _ALL_ITEMS.search(text, 0, n.start)):
                for e in order:   # 짜장면 1개, 짬뽕 1개 read back, 두 개씩으로 해주세요 (다 두 개로): every item's, not the last's
                    if e is not entry:
                        self._count_item(e, n, count_slot, rejected)
        order = [e for e in order if e[1] != ""]   # an item whose last one was taken off
        taken, over = order[:item_slot.multiple], order[item_slot.multiple:]
        if over:
            self._add_note(state, render_template(self.settings.too_many_values, {
                "max": str(item_slot.multiple), "rest": ", ".join(str(e[0]) for e in over)}))
        state["items"] = taken
        if taken:
            slots[item_slot.name] = taken[0][0]
            if taken[0][1] not in (None, "?"):
                slots[count_slot.name] = taken[0][1]
            else:
                slots.pop(count_slot.name, None)
        else:
            slots.pop(item_slot.name, None)
            slots.pop(count_slot.name, None)
        filled = [item_slot.name, count_slot.name] if taken != before or kept else []
        return rest, rejected, filled

    def _count_item(self, entry: list[Any], n: _Cand, count_slot: Slot, rejected: list[tuple[_Cand, Slot]],
                    new: bool = False) -> None:
        """``entry`` (an item and its count) with the count ``n`` says: a change adds to the count it has
        (or the default; ``new``, an item said now, has none: 하나 추가 is one), any other count replaces it;
        a refused one (``두세 개``) leaves it to be asked."""
        value = self._accept(count_slot, n)
        if value is not None:
            now = None if new else entry[1] if entry[1] not in (None, "?") else count_slot.default
            value = self._count_changed(count_slot, n, value, now)
            got = n.resolved if (n.resolved or {}).get("kind") == "count" else resolve("count", n.text)
            held = resolve("count", str(now)) if now else None
            if value is None and isinstance((got or {}).get("delta"), int) and isinstance((held or {}).get("value"), int) \
                    and held["value"] + got["delta"] == 0:
                entry[1] = ""   # 짬뽕 하나 빼주세요 with one 짬뽕: the last one taken off, it leaves the order
                return
        if value is None:
            rejected.append((n, count_slot))
            entry[1] = "?"
        else:
            entry[1] = value

    def _order_missing(self, state: Mapping[str, Any], sc: Scenario, missing: list[str]) -> list[str]:
        """``missing`` with an order's count slot when an item has no count to take: none said and no
        default, or a rough one refused (the slot's question then names the item, :meth:`_order_shown`)."""
        pair = sc.counted
        if pair is None or pair[1].name in missing or pair[0].name in missing:
            return missing
        default = pair[1].default
        if not any(e[1] == "?" or (e[1] is None and default is None) for e in state.get("items") or ()):
            return missing
        names = [s.name for s in sc.slots]
        return sorted([*missing, pair[1].name], key=names.index)

    def _order_shown(self, state: Mapping[str, Any], sc: Scenario, out: dict[str, str],
                     sep: str | None = None) -> dict[str, str]:
        """``out`` with an order in place of its first item: for a template, the item slot says every
        item with its count (``짜장면 2개, 짬뽕 1개``) and the count slot the total, or, while an item's
        count is asked, the item slot names that item; joined with ``sep``, the items and their counts
        each in their slot (``짜장면, 짬뽕`` and ``2개, 1개``)."""
        pair = sc.counted
        order = self._order_of(state, sc)
        if pair is None or not order or pair[0].name not in out:
            return out
        item, count = pair[0].name, pair[1].name
        default = pair[1].default
        counts = [e[1] if e[1] not in (None, "?") else default if e[1] is None else None for e in order]
        out = dict(out)
        if sep is not None:
            out[item] = sep.join(str(e[0]) for e in order)
            if all(counts):
                out[count] = sep.join(str(n) for n in counts)
            else:   # a count still asked
                out.pop(count, None)
            return out
        lacking = next((e for e, n in zip(order, counts, strict=True) if n is None or e[1] == "?"), None)
        if lacking is not None:
            out[item], out[count] = str(lacking[0]), ""
            return out
        out[item] = ", ".join(f"{e[0]} {n}" for e, n in zip(order, counts, strict=True))
        read = [resolve("count", str(n)) or {} for n in counts]
        units = {r.get("unit") for r in read}
        total = sum(r["value"] for r in read if isinstance(r.get("value"), int))
        out[count] = count_text(total, units.pop()) if len(units) == 1 else ""
        return out

    def _order_of(self, state: Mapping[str, Any], sc: Scenario) -> list[list[Any]]:
        """An order's ``[item, count]`` pairs: ``state["items"]``, else the item slot's value (or list) with the
        count slot's (a follow-up, ``탕수육은?``, or a carry-over fills the slots as for any scenario)."""
        order = [e for e in state.get("items") or () if isinstance(e, list) and len(e) == 2]
        pair = sc.counted
        slots = state.get("slots") or {}
        if order or pair is None or not slots.get(pair[0].name):
            return order
        values = self._lists(state, sc).get(pair[0].name) or [slots[pair[0].name]]
        return [[v, slots.get(pair[1].name)] for v in values]

    def _order_items(self, state: Mapping[str, Any], sc: Scenario) -> list[dict[str, Any]]:
        """An order's items for an action's ``context["items"]``: each ``{item slot: value, count slot:
        count, "resolved": the count read}``, in the order said; ``[]`` for a scenario without one."""
        pair = sc.counted
        if pair is None:
            return []
        out = []
        for e in self._order_of(state, sc):
            n = e[1] if e[1] not in (None, "?") else pair[1].default
            out.append({pair[0].name: e[0], pair[1].name: n, "resolved": resolve("count", str(n)) if n else None})
        return out


def _parse_from_dict(d: Any, text: str) -> ParseResult:
    """A parse back from its :meth:`ParseResult.to_dict` (a clarifying question's, kept in the session)."""
    it = d.get("intent")
    return ParseResult(
        text=text, intent=IntentScore(str(it["name"]), float(it["confidence"])) if it else None,
        entities=tuple(Entity(str(e["entity"]), str(e["value"]), str(e["text"]), int(e["start"]), int(e["end"]),
                              float(e.get("confidence_entity", 1.0)), e.get("role"), e.get("resolved"))
                       for e in d.get("entities") or ()),
        ranking=tuple(IntentScore(str(r["name"]), float(r["confidence"])) for r in d.get("intent_ranking") or ()))


def _day(c: _Cand) -> str | None:
    """The date said with ``c`` (:attr:`_Cand.day`), or None."""
    return c.day.value if c.day is not None else None


def _only_part_of_day(between: str) -> bool:
    """``between`` (what stands between a date and a time) is nothing, or a part of the day alone."""
    rest = between
    for _, start, end in parts_of_day(between):
        rest = rest[:start] + " " * (end - start) + rest[end:]
    return not rest.strip()


def _joint(text: str, a: _Cand, b: _Cand) -> str | None:
    """What joins ``a`` to ``b`` (squashed, ``""`` for a space or a comma alone) when it makes
    them a list, else None. A word said after both counts once (``서울 날씨랑 부산 날씨``).

    >>> c = lambda s, e: _Cand("location", None, "", "", s, e, "parser")
    >>> _joint("서울이랑 부산", c(0, 2), c(5, 7)), _joint("서울 날씨랑 부산 날씨", c(0, 2), c(7, 9))
    ('이랑', '랑')
    >>> _joint("서울 다음에 부산", c(0, 2), c(7, 9)), _joint("서울 날씨랑 부산", c(0, 2), c(7, 9))
    (None, None)
    """
    upto = b.start
    if (b.resolved or {}).get("kind") == "time":
        # 아침 7시랑 저녁 | 9시: a part of the day the tagger left out of the time after it is that time's
        for _, start, end in parts_of_day(text[a.end:b.start]):
            if not text[a.end + end:b.start].strip():
                upto = a.end + start
    between = _squash(text[a.end:upto])
    if between in _AND or between in _OR:
        return between
    after = _squash(text[b.end:])
    for joint in sorted(_JOINTS, key=len, reverse=True):
        word = between[:len(between) - len(joint)]
        if joint and between.endswith(joint) and word and after.startswith(word):
            return joint
    return None


def _part_of_time(text: str) -> bool:
    """A time the model may tag that is only a part of one: minutes or a half of the day alone.

    >>> _part_of_time("30분"), _part_of_time("오후"), _part_of_time("오후 3시"), _part_of_time("30분 뒤")
    (True, True, False, False)
    """
    return bool(_MINUTES_ALONE.fullmatch(text) or _HALF_ALONE.fullmatch(text))


def _and_list(values: Sequence[str]) -> str:
    """``서울과 부산``, ``서울, 부산과 대구``: values listed as a reply says them.

    >>> _and_list(["서울", "부산"]), _and_list(["부산", "서울", "대구"])
    ('서울과 부산', '부산, 서울과 대구')
    """
    if len(values) < 2:
        return "".join(values)
    return ", ".join([*values[:-2], render_template("{a}과/와", {"a": values[-2]})]) + " " + values[-1]


def _go_ahead_alone(text: str) -> bool:
    """``예매해줘``, ``기차 예매해 주세요``, ``예약 부탁해요 ㅎㅎ``: a few letters asking to do it (laughter
    around them), no word for change (``변경해줘``) or refusal (``안 해줘``).

    >>> _go_ahead_alone("예매해줘"), _go_ahead_alone("기차 예매해 주세요 ㅎㅎ"), _go_ahead_alone("변경해줘")
    (True, True, False)
    >>> _go_ahead_alone("안 해줘"), _go_ahead_alone("서울에서 부산 가는 기차 예매해줘")
    (False, False)
    """
    t = _squash(text).strip(_ANSWER_NOISE)
    return 2 < len(t) <= 10 and t.endswith(_GO_AHEAD) and not t.startswith(("안", "다시", *_CHANGE))


#: vowels spoken alike and so often typed for each other (ㅐ/ㅔ, ㅒ/ㅖ, ㅙ/ㅞ/ㅚ), by medial index
_ALIKE_VOWELS = {1: 1, 5: 1, 3: 3, 7: 3, 10: 10, 11: 10, 15: 10}


def _chat_endings(phrases: frozenset[str]) -> frozenset[str]:
    """``phrases`` and the forms of those ending in 요 typed in chat with 용, 염, 여 or 영 instead
    (아니요 → 아니용, 좋아요 → 좋아염, 싫어요 → 싫어여).

    >>> sorted(_chat_endings(frozenset({"아니요", "네"})))
    ['네', '아니여', '아니염', '아니영', '아니요', '아니용']
    """
    return phrases | {p[:-1] + end for p in phrases if len(p) > 1 and p.endswith("요") for end in "용염여영"}


def _sounds_alike(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ only in vowels spoken alike (``모래`` and ``모레``).

    >>> _sounds_alike("모래", "모레"), _sounds_alike("대기", "대구"), _sounds_alike("모레", "모레")
    (True, False, True)
    """
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        if not ("가" <= x <= "힣" and "가" <= y <= "힣"):
            return False
        p, q = ord(x) - 0xAC00, ord(y) - 0xAC00
        if p // 588 != q // 588 or p % 28 != q % 28:
            return False
        m, n = (p % 588) // 28, (q % 588) // 28
        if _ALIKE_VOWELS.get(m, -1) != _ALIKE_VOWELS.get(n, -2):
            return False
    return True


def _topic_run_in(after: str, particle: str) -> bool:
    """True when ``after`` starts with ``particle`` and 는 run into its last syllable, a word
    ending there (``으론?`` for 으로, ``에선`` for 에서, ``까진`` for 까지)."""
    last = particle[-1:]
    if not ("가" <= last <= "힣") or (ord(last) - 0xAC00) % 28:
        return False
    run_in = particle[:-1] + chr(ord(last) + 4)   # + ㄴ as the final consonant
    return after.startswith(run_in) and not ("가" <= after[len(run_in):len(run_in) + 1] <= "힣")


def _quoted(text: str) -> str:
    """A request of a message of several as ``[bot] queued`` quotes it: its words without the
    ending that joined it to the next request (a request ending, 알려줘, for a verb in -고; a noun
    without its 이랑/랑, 하고; no laughter after it).

    >>> _quoted("기차 예매하고"), _quoted("맛집 찾아주고"), _quoted("알람 맞추구"), _quoted("노래 틀고")
    ('기차 예매', '맛집 찾아줘', '알람 맞춰줘', '노래 틀어줘')
    >>> _quoted("강남 맛집이랑"), _quoted("오이랑"), _quoted("알람 맞춰줘 ㅋㅋ"), _quoted("날씨도 알려줘")
    ('강남 맛집', '오이', '알람 맞춰줘', '날씨도 알려줘')
    """
    t = re.sub(r"(?:\s*(?:[ㅋㅎㅠㅜ]{2,}|\^\^))+$", "", text.strip())
    m = _ASKED_END.search(t)
    if m:
        t = (t[:m.start()] + _ASKED_AS[m.group(1)]).rstrip()
    elif t.endswith("랑") and len(t) > 1 and "가" <= t[-2] <= "힣":
        n = 2 if t.endswith("이랑") and len(t) > 2 and "가" <= t[-3] <= "힣" and has_batchim(t[-3]) else 1
        t = t[:-n]
    return t or text.strip()


def _picked(text: str, n: int) -> int | None:
    """The index of the value an answer picks among ``n`` offered (``첫 번째``, ``2번이요``, ``뒤에
    거``), or None.

    >>> _picked("첫 번째요", 2), _picked("2번", 2), _picked("뒤에 거", 3), _picked("세 번째", 2), _picked("네", 2)
    (0, 1, 2, None, None)
    """
    t = _squash(text)
    m = _PICK.match(t)
    if m is None or len(t) - m.end() > BARE_REST:
        return None
    if m.group(1):
        w = m.group(1)
        i = int(w) - 1 if w.isdigit() else _PICK_INDEX[w]
    else:
        i = 0 if m.group(2) == "앞" else n - 1
    return i if 0 <= i < n else None
