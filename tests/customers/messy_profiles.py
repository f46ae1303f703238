# ruff: noqa: E501  (one labelled profile a line reads best)
"""A labelled set of messy retail profiles: each carries `person`, who it really is.

Families sharing a phone or an email, a store landline given by several shoppers, same-name
strangers, nickname, typo and pinyin variants, international phones written nationally, profiles
without a name, and plain people seen on several channels. Identity resolution sees only the
profile fields; tests compare its clusters with the labels (pairwise precision and recall)."""

from __future__ import annotations

from typing import Any

PROFILES: list[dict[str, Any]] = [
    # A family sharing one phone: two people.
    {"person": "wangfang", "channel": "WEB", "externalId": "wf-1", "displayName": "王芳", "phone": "13811112222", "email": "wangfang@example.cn"},
    {"person": "liuqiang", "channel": "APP", "externalId": "lq-1", "displayName": "刘强", "phone": "138 1111 2222", "email": "liuqiang@example.cn"},
    {"person": "wangfang", "channel": "MINI_PROGRAM", "externalId": "wf-2", "displayName": "Wang Fang", "email": "WangFang@example.cn"},
    # A store landline given by three shoppers (and one of them again on the web).
    {"person": "chenjing", "channel": "STORE", "externalId": "s-101", "displayName": "陈静", "phone": "021-6234 5678", "address": {"city": "Shanghai"}},
    {"person": "zhaolei", "channel": "STORE", "externalId": "s-102", "displayName": "赵磊", "phone": "02162345678", "address": {"city": "Shanghai"}},
    {"person": "sunli", "channel": "STORE", "externalId": "s-103", "displayName": "孙丽", "phone": "+86 21 6234 5678", "address": {"city": "Shanghai"}},
    {"person": "chenjing", "channel": "WEB", "externalId": "w-cj", "displayName": "陈静", "phone": "021 62345678", "email": "chenjing@example.cn", "birthDate": "1991-04-02", "address": {"city": "Shanghai"}},
    {"person": "zhaolei", "channel": "APP", "externalId": "a-zl", "displayName": "Zhao Lei", "email": "zhaolei@example.cn"},
    {"person": "zhaolei", "channel": "WEB", "externalId": "w-zl", "displayName": "赵磊", "email": "ZHAOLEI@example.cn", "memberCard": "SH-0099"},
    # Call centre and web, no identifier in common: a look-alike for review.
    {"person": "mike", "channel": "CALL_CENTER", "externalId": "cc-77", "displayName": "Mike Johnson", "phone": "+1 415 555 0134", "birthDate": "1984-09-12", "address": {"city": "San Francisco", "country": "US"}},
    {"person": "mike", "channel": "WEB", "externalId": "w-mj", "displayName": "Michael Johnson", "email": "mjohnson@example.com", "birthDate": "1984-09-12", "address": {"city": "San Francisco", "country": "US"}},
    # A UK mobile written nationally on a GB profile, and internationally on another.
    {"person": "olivia", "channel": "APP", "externalId": "a-ow", "displayName": "Olivia Wright", "phone": "07911 123456", "address": {"country": "GB", "city": "London"}},
    {"person": "olivia", "channel": "WEB", "externalId": "w-ow", "displayName": "Olivia Wright", "phone": "+44 7911 123456", "email": "olivia.w@example.co.uk"},
    {"person": "olivia", "channel": "STORE", "externalId": "s-ow", "displayName": "O. Wright", "email": "Olivia.W@example.co.uk", "address": {"country": "United Kingdom"}},
    # A US number written nationally with the country named.
    {"person": "carlos", "channel": "APP", "externalId": "a-cr", "displayName": "Carlos Rivera", "phone": "(212) 555-0187", "address": {"country": "USA"}},
    {"person": "carlos", "channel": "MARKETPLACE", "externalId": "m-cr", "displayName": "Carlos Rivera", "phone": "+1 212-555-0187"},
    # Pinyin and spacing variants of one Chinese name, one member card.
    {"person": "zhangwei-card", "channel": "STORE", "externalId": "s-zw", "displayName": "张伟", "memberCard": "vip-8800 12", "address": {"city": "Beijing"}, "birthDate": "1990-01-15"},
    {"person": "zhangwei-card", "channel": "WEB", "externalId": "w-zw", "displayName": "Zhang Wei", "memberCard": "VIP880012", "email": "zw1990@example.cn"},
    {"person": "zhangwei-card", "channel": "APP", "externalId": "a-zw", "displayName": "张 伟", "email": "zw1990@example.cn"},
    # Same-name strangers: nothing in common but the name.
    {"person": "zhangwei-sh", "channel": "STORE", "externalId": "s-zw2", "displayName": "张伟", "phone": "13912340001", "address": {"city": "Shanghai"}, "birthDate": "1985-06-30"},
    {"person": "zhangwei-gz", "channel": "APP", "externalId": "a-zw3", "displayName": "张伟", "email": "weizhang@example.cn", "address": {"city": "Guangzhou"}, "birthDate": "1979-11-03"},
    # Nicknames and a typo with a shared email or phone.
    {"person": "bob", "channel": "WEB", "externalId": "w-rs", "displayName": "Robert Smith", "email": "rsmith@example.com"},
    {"person": "bob", "channel": "APP", "externalId": "a-rs", "displayName": "Bob Smith", "email": "RSmith@example.com", "phone": "+1 646 555 0199"},
    {"person": "bob", "channel": "CALL_CENTER", "externalId": "cc-rs", "displayName": "Bobby Smith", "phone": "+16465550199"},
    {"person": "jonson", "channel": "STORE", "externalId": "s-mj2", "displayName": "Michael Jonson", "phone": "+1 303 555 0111"},
    {"person": "jonson", "channel": "WEB", "externalId": "w-mj2", "displayName": "Michael Johnson", "phone": "303-555-0111", "address": {"country": "US"}},
    {"person": "kate", "channel": "WEB", "externalId": "w-kb", "displayName": "Katherine Brown", "email": "kate.brown@example.com"},
    {"person": "kate", "channel": "APP", "externalId": "a-kb", "displayName": "Kate Brown", "email": "kate.brown@example.com", "memberCard": "KB-1234"},
    # A couple sharing an email; a father and son sharing a phone (same family name).
    {"person": "lilei", "channel": "WEB", "externalId": "w-ll", "displayName": "李雷", "email": "family.li@example.cn"},
    {"person": "hanmeimei", "channel": "APP", "externalId": "a-hmm", "displayName": "韩梅梅", "email": "family.li@example.cn"},
    {"person": "wangjianguo", "channel": "STORE", "externalId": "s-wjg", "displayName": "王建国", "phone": "13700001111"},
    {"person": "wanghao", "channel": "APP", "externalId": "a-wh", "displayName": "王浩", "phone": "13700001111", "email": "wanghao@example.cn"},
    # Profiles without a name join by their identifiers.
    {"person": "anon1", "channel": "WEB", "externalId": "w-an1", "displayName": "Yuki Tanaka", "email": "yuki.t@example.jp"},
    {"person": "anon1", "channel": "MARKETPLACE", "externalId": "m-an1", "email": "yuki.t@example.jp"},
    {"person": "anon1", "channel": "APP", "externalId": "a-an1", "email": "yuki.t@example.jp", "phone": "090-1234-5678", "address": {"country": "JP"}},
    {"person": "anon1", "channel": "STORE", "externalId": "s-an1", "displayName": "田中 由紀", "phone": "+81 90 1234 5678"},
]  # fmt: skip

# Plain people seen on two or three channels, the way most profiles are.
_PLAIN = [
    ("周杰", "13600000001"), ("吴敏", "13600000002"), ("郑洁", "13600000003"), ("冯涛", "13600000004"),
    ("Emma Wilson", "+447911123401"), ("Liam Davies", "+447911123402"), ("Sophie Martin", "+33612345601"),
    ("黄凯", "13600000008"), ("林静怡", "13600000009"), ("何伟", "13600000010"), ("Ana Souza", "+5511912345611"),
    ("欧阳娜娜", "13600000012"),
]  # fmt: skip
for n, (name, phone) in enumerate(_PLAIN):
    person = f"plain-{n}"
    PROFILES.append({"person": person, "channel": "WEB", "externalId": f"pw-{n}", "displayName": name, "phone": phone})
    PROFILES.append(
        {
            "person": person,
            "channel": "APP",
            "externalId": f"pa-{n}",
            "displayName": name,
            "phone": phone,
            "email": f"p{n}@example.org",
        }
    )
    if n % 2 == 0:
        PROFILES.append({"person": person, "channel": "STORE", "externalId": f"ps-{n}", "email": f"P{n}@Example.org"})


def key(profile: dict[str, Any]) -> str:
    return f"{profile['channel']}:{profile['externalId']}"


def true_pairs() -> set[frozenset[str]]:
    """Every pair of profiles of one person (by key)."""
    pairs: set[frozenset[str]] = set()
    for i, a in enumerate(PROFILES):
        for b in PROFILES[i + 1 :]:
            if a["person"] == b["person"]:
                pairs.add(frozenset((key(a), key(b))))
    return pairs
