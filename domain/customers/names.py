"""Whether two names can be the same person: the evidence identity resolution weighs against a
shared identifier (a family phone, a store landline) and the key look-alike detection blocks on.

Names are compared as tokens: a Chinese name becomes the pinyin of its family name and of its
given name (pypinyin, so 王芳, "Wang Fang" and "Fang Wang" agree), a Western name its words with
nicknames mapped to the full name (Mike -> michael, so "Mike Johnson" and "Michael Johnson"
agree). `similarity` is the worst, over the tokens of the shorter name, of the best match among the
other's (a strict Monge-Elkan: every word must find its counterpart, so 王芳 and 王强 differ though
they share a family name); words of 5 letters or more match by rapidfuzz's normalized Indel
similarity (a typo), shorter ones and pinyin syllables only exactly, an initial its word.
Pure functions; docs/identity.md gives the thresholds and how they were chosen.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz.distance import Indel

# At or above: the names may be one person (an identifier match merges). Below: they clearly
# differ (the match goes to review instead). Chosen on tests/customers/messy_profiles.py.
SAME_PERSON = 0.85
_FUZZY_FROM = 5  # words this long may differ by a typo ("Jonson"); shorter ones must be equal

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]+")
# Two-character family names (复姓); every other Chinese family name is its first character.
_COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
        "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里",
    }
)  # fmt: skip
# Common English nicknames and short forms -> the full given name.
_NICKNAMES = {
    "mike": "michael", "mick": "michael", "mikey": "michael",
    "bill": "william", "will": "william", "billy": "william", "liam": "william",
    "bob": "robert", "rob": "robert", "bobby": "robert", "robbie": "robert", "bert": "robert",
    "dick": "richard", "rick": "richard", "rich": "richard", "ricky": "richard",
    "jim": "james", "jimmy": "james", "jamie": "james",
    "tom": "thomas", "tommy": "thomas",
    "tony": "anthony", "ant": "anthony",
    "dave": "david", "davy": "david",
    "dan": "daniel", "danny": "daniel",
    "joe": "joseph", "joey": "joseph",
    "chris": "christopher", "kit": "christopher",
    "matt": "matthew", "steve": "steven", "stephen": "steven",
    "alex": "alexander", "sandy": "alexander",
    "andy": "andrew", "drew": "andrew",
    "ben": "benjamin", "benny": "benjamin",
    "ed": "edward", "eddie": "edward", "ted": "edward", "ned": "edward",
    "greg": "gregory", "jeff": "jeffrey", "geoff": "jeffrey",
    "jon": "jonathan", "johnny": "john", "jack": "john",
    "larry": "lawrence", "nick": "nicholas", "pat": "patrick",
    "pete": "peter", "sam": "samuel", "tim": "timothy", "vince": "vincent",
    "ken": "kenneth", "kenny": "kenneth", "ron": "ronald", "ronnie": "ronald",
    "don": "donald", "doug": "douglas", "fred": "frederick", "frank": "francis",
    "harry": "henry", "hank": "henry", "charlie": "charles", "chuck": "charles",
    "liz": "elizabeth", "beth": "elizabeth", "betty": "elizabeth", "lizzie": "elizabeth", "eliza": "elizabeth",
    "kate": "katherine", "katie": "katherine", "kathy": "katherine", "cathy": "katherine",
    "catherine": "katherine", "kathryn": "katherine",
    "jenny": "jennifer", "jen": "jennifer", "jenn": "jennifer",
    "sue": "susan", "susie": "susan", "meg": "margaret", "maggie": "margaret", "peggy": "margaret",
    "becky": "rebecca", "vicky": "victoria", "tori": "victoria",
    "abby": "abigail", "mandy": "amanda", "patty": "patricia", "trish": "patricia",
    "debbie": "deborah", "deb": "deborah", "sandra": "alexandra",
    "jess": "jessica", "jessie": "jessica", "chrissy": "christina", "tina": "christina",
    "annie": "anne", "ann": "anne", "anna": "anne",
}  # fmt: skip


def _pinyin_tokens(text: str) -> list[str]:
    """A Chinese name as [family name, given name] in toneless pinyin."""
    chars = "".join(_CJK.findall(text))
    cut = 2 if chars[:2] in _COMPOUND_SURNAMES else 1
    parts = [chars[:cut], chars[cut:]]
    return ["".join(lazy_pinyin(part)) for part in parts if part]


@lru_cache(maxsize=65536)
def tokens(name: str | None) -> tuple[str, ...]:
    """The comparable tokens of a name; () for an empty one."""
    if not name:
        return ()
    text = unicodedata.normalize("NFKC", name).casefold()
    if _CJK.search(text):
        return tuple(_pinyin_tokens(text))
    return tuple(_NICKNAMES.get(word, word) for word in _WORD.findall(text))


def _token_match(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:  # an initial: "M." for michael
        return 0.9 if a[0] == b[0] else 0.0
    if min(len(a), len(b)) < _FUZZY_FROM:  # short words (and pinyin syllables) differ by a letter
        return 0.0
    return float(Indel.normalized_similarity(a, b))


def similarity(a: str | None, b: str | None) -> float | None:
    """How alike two names are, 0..1 (None when either is empty: no evidence either way)."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return None
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return min(max(_token_match(s, t) for t in long_) for s in short)


def clearly_differ(a: str | None, b: str | None) -> bool:
    """Both names are there and they cannot be one person's."""
    score = similarity(a, b)
    return score is not None and score < SAME_PERSON


def people_among(names: list[str | None]) -> int:
    """How many clearly different people these names are (empty names count for nobody): each
    name joins the first group whose first name it may be, else starts a group."""
    groups: list[str] = []
    for name in names:
        if not tokens(name):
            continue
        if not any(not clearly_differ(name, first) for first in groups):
            groups.append(name or "")
    return len(groups)


def name_key(name: str | None) -> str | None:
    """The blocking key of look-alike detection: the sorted tokens, so every spelling the tokens
    make equal ("Mike Johnson", "Johnson, Michael"; 张伟, "Zhang Wei") shares one key."""
    found = tokens(name)
    return " ".join(sorted(found)) if found else None
