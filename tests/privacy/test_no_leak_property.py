"""The property: whatever query a non-ADMIN caller sends (generated over the whole schema by
hypothesis-graphql), no response body, error or log line holds a personal value of the seeded
customers in clear unless the policy lets that role see it.

Queries are generated first (hypothesis, derandomized, so every run sends the same ones) and then
sent over HTTP; ids and strings are drawn from the seeded customers' ids and identifiers, so the
lookups do find them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries
from structlog.testing import capture_logs

from domain.customers.ingest import AddressData, ProfileData, ingest_profile
from domain.privacy.consents import record_consent
from domain.privacy.masking import PiiClass, Visibility, decide
from domain.privacy.roles import Role
from resolvers.common.ids import decode_any, encode_id
from resolvers.schema import schema

EXAMPLES = 60
ROOT_FIELDS = ["customers", "customer", "customerByIdentifier", "node", "viewer"]

# Each person's profiles (channel, externalId, phone), the other values, and granted purposes.
PEOPLE: list[dict[str, Any]] = [
    {
        "name": "欧阳娜娜",
        "email": "nana.ouyang@example.net",
        "card": "GOLD778899",
        "birth": dt.date(1985, 3, 9),
        "line1": "徐汇区漕溪北路1200号",
        "postal": "200030",
        "profiles": [("STORE", "K7Q9X1", "+8613912345670")],
        "granted": (),
    },
    {
        "name": "Grace Liu",
        "email": "grace.liu@example.org",
        "card": "CARD55443322",
        "birth": dt.date(1992, 11, 30),
        "line1": "Nanshan Avenue 88",
        "postal": "518057",
        "profiles": [("WEB", "g-liu-88", "+8613700001111")],
        "granted": ("THIRD_PARTY_SHARING",),
    },
    {
        "name": "Kevin Huang",
        "email": "kev.huang@example.com",
        "card": None,
        "birth": dt.date(1979, 7, 4),
        "line1": "Jianguo Road 77",
        "postal": "100022",
        "profiles": [("APP", "kh-2001", "+8618688887777"), ("STORE", "kh-store-9", "+8615011112222")],
        "granted": ("PERSONALIZATION",),
    },
]


def _values(person: dict[str, Any]) -> list[tuple[PiiClass, str]]:
    values = [
        (PiiClass.NAME, person["name"]),
        (PiiClass.EMAIL, person["email"]),
        (PiiClass.BIRTHDATE, person["birth"].isoformat()),
        (PiiClass.ADDRESS_DETAIL, person["line1"]),
        (PiiClass.ADDRESS_DETAIL, person["postal"]),
    ]
    if person["card"]:
        values.append((PiiClass.IDENTIFIER, person["card"]))
    for channel, external_id, phone in person["profiles"]:
        values += [(PiiClass.PHONE, phone), (PiiClass.IDENTIFIER, external_id)]
        values.append((PiiClass.IDENTIFIER, f"{channel}:{external_id}"))
    return values


def _forbidden(role: Role) -> set[str]:
    """The seeded values `role` must never see in clear, per the policy."""
    out = set()
    for person in PEOPLE:
        granted = frozenset(person["granted"])
        out |= {v for pii, v in _values(person) if decide(pii, role, granted) is not Visibility.CLEAR}
    return out


ALL_VALUES = {v for person in PEOPLE for _pii, v in _values(person)}


async def _seed(engine) -> list[str]:
    """The seeded people; returns their global ids and their profiles'."""
    ids: list[str] = []
    seen = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    for person in PEOPLE:
        for n, (channel, external_id, phone) in enumerate(person["profiles"]):
            data = ProfileData(
                channel=channel,
                external_id=external_id,
                display_name=person["name"],
                email=person["email"],
                phone=phone,
                member_card=person["card"] if n == 0 else None,
                birth_date=person["birth"],
                address=AddressData(country="CN", city="Shanghai", line1=person["line1"], postal_code=person["postal"]),
                seen_at=seen + dt.timedelta(minutes=n),
            )
            async with engine.begin() as conn:
                result = await ingest_profile(conn, data)
            ids += [encode_id("Customer", result.customer_id), encode_id("ChannelProfile", result.profile_id)]
        async with engine.begin() as conn:
            for purpose in person["granted"]:
                await record_consent(
                    conn,
                    customer_id=result.customer_id,
                    purpose=purpose,
                    granted=True,
                    source="seed",
                    trusted=True,
                    at=seen,
                )
    return ids


def _generate(ids: list[str]) -> list[str]:
    lookups = [p["email"] for p in PEOPLE] + [p["card"] for p in PEOPLE if p["card"]]
    lookups += [phone for p in PEOPLE for _c, _e, phone in p["profiles"]]
    scalars = {
        "ID": st.sampled_from([*ids, "bm9wZTox", "x"]).map(nodes.String),
        "String": st.one_of(st.sampled_from(lookups), st.text(max_size=8)).map(nodes.String),
        "Int": st.integers(min_value=0, max_value=4).map(nodes.Int),
        "DateTime": st.sampled_from(["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"]).map(nodes.String),
        "Date": st.dates().map(nodes.String),
        "Decimal": st.decimals(min_value=0, max_value=1000, places=2).map(nodes.String),
    }
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(queries(schema.as_str(), fields=ROOT_FIELDS, custom_scalars=scalars, allow_x00=False))
    def collect(query: str) -> None:
        found.append(query)

    collect()
    return found


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.MARKETER, Role.ANALYST, Role.PARTNER])
async def test_generated_queries_never_show_what_the_policy_hides(engine, gql, caplog, role: Role) -> None:
    caplog.set_level(logging.INFO)
    ids = await _seed(engine)
    forbidden = _forbidden(role)
    assert forbidden, "the seed must hold values this role may not see"
    generated = _generate(ids)
    shown = 0
    with capture_logs() as events:
        for query in generated:
            response = await gql.post(query, role=role)
            body = response.text
            leaked = [v for v in forbidden if v in body]
            assert not leaked, (role, query, leaked, body[:2000])
            shown += any(v in body for v in ALL_VALUES - forbidden) or "***" in body
    lines = [repr(e) for e in events] + [r.getMessage() for r in caplog.records]
    for line in lines:
        assert not [v for v in ALL_VALUES if v in line], line  # logs: never any value in clear
    assert shown > 0, f"none of the {len(generated)} responses reached personal data"


LIST = "{ customers(first: 100) { totalCount edges { node { id } } } }"


def _probes(person: dict[str, Any]) -> list[tuple[PiiClass, str, str]]:
    """(class, identifier kind, value) for every identifier of the person a lookup could try."""
    probes = [(PiiClass.EMAIL, "EMAIL", person["email"])]
    if person["card"]:
        probes.append((PiiClass.IDENTIFIER, "MEMBER_CARD", person["card"]))
    for channel, external_id, phone in person["profiles"]:
        probes += [(PiiClass.PHONE, "PHONE", phone), (PiiClass.IDENTIFIER, "EXTERNAL_ID", f"{channel}:{external_id}")]
    return probes


async def _oracle_answers(gql, role: Role, ids: list[str]) -> None:
    """Every lookup and search of a seeded value finds its person exactly when `role` reads that
    value of that person in clear (and may see the person at all)."""
    lookup = "query($k: IdentifierKind!, $v: String!) { customerByIdentifier(kind: $k, value: $v) { id } }"
    search = "query($s: String!) { customers(filter: {search: $s}, first: 100) { totalCount edges { node { id } } } }"
    for person, gid in zip(PEOPLE, ids, strict=True):
        granted = frozenset(person["granted"])
        for pii, kind, value in _probes(person):
            clear = decide(pii, role, granted) is Visibility.CLEAR
            found = (await gql(lookup, {"k": kind, "v": value}, role=role))["customerByIdentifier"]
            assert (found == {"id": gid}) is clear and (found is None) is not clear, (role, kind, found)
            if kind != "EXTERNAL_ID":
                hits = (await gql(search, {"s": value}, role=role))["customers"]
                assert ({"node": {"id": gid}} in hits["edges"]) is clear, (role, kind, hits)
        name_clear = decide(PiiClass.NAME, role, granted) is Visibility.CLEAR
        for end in range(1, len(person["name"]) + 1):
            hits = (await gql(search, {"s": person["name"][:end]}, role=role))["customers"]
            assert ({"node": {"id": gid}} in hits["edges"]) is name_clear, (role, end, hits)
            assert hits["totalCount"] == len(hits["edges"])


def _people(ids: list[str]) -> list[str]:
    """The seeded people's customer ids, in PEOPLE order (`_seed` also returns profile ids)."""
    return list(dict.fromkeys(i for i in ids if decode_any(i)[0] == "Customer"))


@pytest.mark.parametrize("role", list(Role))
async def test_lookups_and_search_find_only_through_clear_values(engine, gql, role: Role) -> None:
    await _oracle_answers(gql, role, _people(await _seed(engine)))


async def test_partner_writes_never_widen_what_partners_find(engine, gql) -> None:
    """The attacks of a partner that knows the seeded people's identifiers: a MARKETPLACE profile
    per identifier, then one with all of them, then the same granting THIRD_PARTY_SHARING. The
    profiles join who they match (a sale is never lost), but every lookup and search answers what
    it answered before, and the grants make nobody visible (a partner's decision never counts for
    visibility; being the latest, it even hides the one person who shared)."""
    ids = _people(await _seed(engine))
    ingest = """mutation($input: ChannelProfileInput!) { ingestChannelProfile(input: $input) {
      customer { id } merged errors { code } } }"""
    shares = [{"purpose": "THIRD_PARTY_SHARING", "granted": True}]
    every: dict[str, str] = {}
    attacks: list[tuple[dict[str, Any], bool]] = []
    for n, person in enumerate(PEOPLE):
        for _pii, kind, value in _probes(person):
            if kind in ("EMAIL", "PHONE"):
                if (kind, n) in (("EMAIL", 0), ("PHONE", 1)):  # two people's identifiers in one profile
                    every[kind.lower()] = value
                profile = {"channel": "MARKETPLACE", "externalId": f"probe-{n}-{kind}", kind.lower(): value}
                attacks.append((profile, "THIRD_PARTY_SHARING" in person["granted"]))
    for profile, visible in attacks:
        answer = (await gql(ingest, {"input": profile}, role=Role.PARTNER))["ingestChannelProfile"]
        assert (answer["customer"] is not None) is visible and answer["merged"] is visible, answer
    await _oracle_answers(gql, Role.PARTNER, ids)
    # Two people's identifiers in one profile: it joins its strongest match only, merges nobody.
    await gql(ingest, {"input": {"channel": "MARKETPLACE", "externalId": "probe-all", **every}}, role=Role.PARTNER)
    staff = (await gql("{ customers { totalCount } }", role=Role.ADMIN))["customers"]["totalCount"]
    assert staff == len(PEOPLE)  # each probe joined the one person it matched; nobody merged
    visible_ids = {e["node"]["id"] for e in (await gql(LIST, role=Role.PARTNER))["customers"]["edges"]}
    assert visible_ids == {gid for gid, p in zip(ids, PEOPLE, strict=True) if "THIRD_PARTY_SHARING" in p["granted"]}

    for profile, _visible in attacks:
        granting = {**profile, "consents": shares}
        answer = (await gql(ingest, {"input": granting}, role=Role.PARTNER))["ingestChannelProfile"]
        assert answer["customer"] is None and answer["merged"] is False, answer
    listing = (await gql("{ customers { totalCount } }", role=Role.PARTNER))["customers"]
    assert listing["totalCount"] == 0
