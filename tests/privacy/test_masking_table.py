"""The contract's masking table over HTTP: every role x personal field x consent state, with
the exact masked forms, and the audit entry each clear read leaves."""

from __future__ import annotations

from typing import Any

import pytest

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.privacy.helpers import KNOWN, ingest_known

STATES: dict[str, tuple[tuple[str, bool], ...]] = {
    "none": (),
    "MARKETING": (("MARKETING", True),),
    "MARKETING withdrawn": (("MARKETING", True), ("MARKETING", False)),
    "PERSONALIZATION": (("PERSONALIZATION", True),),
    "THIRD_PARTY_SHARING": (("THIRD_PARTY_SHARING", True),),
    "all": tuple((p, True) for p in ("MARKETING", "ANALYTICS", "PERSONALIZATION", "THIRD_PARTY_SHARING")),
}

# C clear, M masked, N null; a letter per state in STATES' order. "-" for PARTNER: the whole
# customer is absent (it did not grant THIRD_PARTY_SHARING). Transcribed from the contract.
GRID = """
                ADMIN   SUPPORT_AGENT  MARKETER  ANALYST  PARTNER
NAME            CCCCCC  CCCCCC         MCMMMC    MMMMMM   ----CC
EMAIL           CCCCCC  CCCCCC         MCMMMC    MMMMMM   ----CC
PHONE           CCCCCC  CCCCCC         MCMMMC    MMMMMM   ----CC
IDENTIFIER      CCCCCC  CCCCCC         MCMMMC    MMMMMM   ----CC
BIRTHDATE       CCCCCC  NNNNNN         NNNCNC    NNNNNN   ----NN
ADDRESS_DETAIL  CCCCCC  CCCCCC         NNNNNN    NNNNNN   ----NN
"""

# (where in the response, the field's class, the audit name, the KNOWN value it shows)
FIELDS = [
    (("displayName",), "NAME", "Customer.displayName", "name"),
    (("email",), "EMAIL", "Customer.email", "email"),
    (("phone",), "PHONE", "Customer.phone", "phone"),
    (("birthDate",), "BIRTHDATE", "Customer.birthDate", "birth"),
    (("address", "line1"), "ADDRESS_DETAIL", "Address.line1", "line1"),
    (("address", "postalCode"), "ADDRESS_DETAIL", "Address.postalCode", "postal"),
    (("profiles", 0, "displayName"), "NAME", "ChannelProfile.displayName", "name"),
    (("profiles", 0, "email"), "EMAIL", "ChannelProfile.email", "email"),
    (("profiles", 0, "phone"), "PHONE", "ChannelProfile.phone", "phone"),
    (("profiles", 0, "externalId"), "IDENTIFIER", "ChannelProfile.externalId", "external"),
    (("identifiers", "EMAIL"), "EMAIL", "Identifier.value", "email"),
    (("identifiers", "PHONE"), "PHONE", "Identifier.value", "phone"),
    (("identifiers", "MEMBER_CARD"), "IDENTIFIER", "Identifier.value", "card"),
    (("identifiers", "EXTERNAL_ID"), "IDENTIFIER", "Identifier.value", "channel_key"),
]

QUERY = """query($id: ID!) { customer(id: $id) {
  displayName email phone birthDate address { city line1 postalCode }
  profiles { channel externalId displayName email phone }
  identifiers { kind value }
} }"""


def _grid() -> dict[tuple[str, Role, str], str]:
    header, *rows = GRID.strip().splitlines()
    roles = [Role[name] for name in header.split()]
    return {
        (pii, role, state): letter
        for pii, *cells in (row.split() for row in rows)
        for role, cell in zip(roles, cells, strict=True)
        for state, letter in zip(STATES, cell, strict=True)
    }


EXPECTED = _grid()


def _at(customer: dict[str, Any], path: tuple[Any, ...]) -> object:
    if path[0] == "identifiers":
        return next(i["value"] for i in customer["identifiers"] if i["kind"] == path[1])
    node: object = customer
    for step in path:
        node = node[step]  # type: ignore[index]
    return node


@pytest.mark.parametrize("state", list(STATES))
async def test_every_role_sees_each_personal_field_per_the_table(engine, gql, state: str) -> None:
    customer_id = await ingest_known(engine, consents=STATES[state])
    gid = encode_id("Customer", customer_id)
    audited = 0
    for role in Role:
        customer = (await gql(QUERY, {"id": gid}, role=role))["customer"]
        log = (await gql(AUDIT, {"id": gid}))["auditLog"]
        if EXPECTED["NAME", role, state] == "-":
            assert customer is None, (role, state)
            assert log["totalCount"] == audited
            continue
        assert customer["address"]["city"] == "Beijing"  # not personal: always clear
        clear_names = set()
        for path, pii, audit_name, known in FIELDS:
            value, masked = KNOWN[known]
            want = {"C": value, "M": masked, "N": None}[EXPECTED[pii, role, state]]
            assert _at(customer, path) == want, (role.value, state, path)
            if want == value:
                clear_names.add(audit_name)
        if not clear_names:  # nothing in clear: no audit entry
            assert log["totalCount"] == audited, (role, state)
            continue
        audited += 1
        assert log["totalCount"] == audited, (role, state)
        newest = log["edges"][0]["node"]
        assert newest["role"] == role.value and newest["subject"] == f"test-{role.value.lower()}"
        assert newest["fields"] == sorted(clear_names) and newest["customerId"] == gid


AUDIT = """query($id: ID) { auditLog(customerId: $id, first: 1) { totalCount edges { node {
  at subject role purpose customerId fields } } } }"""
