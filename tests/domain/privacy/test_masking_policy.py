"""The contract's masking table, every role x class x consent state, with exact outputs."""

import pytest

from domain.privacy.masking import PiiClass, Visibility, apply, decide, may_see
from domain.privacy.purposes import ConsentPurpose
from domain.privacy.roles import Role

CONSENT_STATES = {
    "none": frozenset(),
    "MARKETING": frozenset({"MARKETING"}),
    "PERSONALIZATION": frozenset({"PERSONALIZATION"}),
    "THIRD_PARTY_SHARING": frozenset({"THIRD_PARTY_SHARING"}),
    "all": frozenset({"MARKETING", "ANALYTICS", "PERSONALIZATION", "THIRD_PARTY_SHARING"}),
}

# One cell per class and role: a letter per consent state, in the order of CONSENT_STATES.
# C = clear, M = masked, H = hidden (null). Transcribed from the contract's table; a PARTNER
# never sees anything of a customer without THIRD_PARTY_SHARING (that customer is absent).
GRID = """
                ADMIN  SUPPORT_AGENT  MARKETER  ANALYST  PARTNER
NAME            CCCCC  CCCCC          MCMMC     MMMMM    HHHCC
EMAIL           CCCCC  CCCCC          MCMMC     MMMMM    HHHCC
PHONE           CCCCC  CCCCC          MCMMC     MMMMM    HHHCC
IDENTIFIER      CCCCC  CCCCC          MCMMC     MMMMM    HHHCC
BIRTHDATE       CCCCC  HHHHH          HHCHC     HHHHH    HHHHH
ADDRESS_DETAIL  CCCCC  CCCCC          HHHHH     HHHHH    HHHHH
"""

# Sample values with their exact masked forms (None: the class has no masked form).
SAMPLES: dict[PiiClass, list[tuple[str, str | None]]] = {
    PiiClass.NAME: [("李雷", "李**"), ("欧阳娜娜", "欧**"), ("William Smith", "W**"), ("Wu", "W**")],
    PiiClass.EMAIL: [
        ("lilei@example.com", "l***@example.com"),
        ("william.smith+shop@mail.example.co.uk", "w***@mail.example.co.uk"),
    ],
    PiiClass.PHONE: [("+8613800138000", "+86 138****8000"), ("+12025550123", "+1 202***0123")],
    PiiClass.IDENTIFIER: [("VIP001234", "****1234"), ("STORE:00042", "****0042")],
    PiiClass.BIRTHDATE: [("1990-05-17", None)],
    PiiClass.ADDRESS_DETAIL: [("朝阳区建国路88号3单元1201", None), ("100022", None)],
}

_LETTERS = {"C": Visibility.CLEAR, "M": Visibility.MASKED, "H": Visibility.HIDDEN}


def _parse_grid() -> dict[tuple[PiiClass, Role, str], Visibility]:
    header, *rows = GRID.strip().splitlines()
    roles = [Role[name] for name in header.split()]
    table = {}
    for row in rows:
        class_name, *cells = row.split()
        for role, cell in zip(roles, cells, strict=True):
            for state, letter in zip(CONSENT_STATES, cell, strict=True):
                table[PiiClass[class_name], role, state] = _LETTERS[letter]
    return table


EXPECTED = _parse_grid()


def test_grid_covers_every_role_class_and_consent_state():
    assert len(EXPECTED) == len(PiiClass) * len(Role) * len(CONSENT_STATES)


@pytest.mark.parametrize(("pii", "role", "state"), list(EXPECTED))
def test_decide(pii, role, state):
    assert decide(pii, role, CONSENT_STATES[state]) is EXPECTED[pii, role, state]


_CASES = [(pii, role, state, value, masked) for (pii, role, state) in EXPECTED for value, masked in SAMPLES[pii]]


@pytest.mark.parametrize(("pii", "role", "state", "value", "masked"), _CASES)
def test_apply_gives_the_exact_output(pii, role, state, value, masked):
    expected = {
        Visibility.CLEAR: value,
        Visibility.MASKED: masked,
        Visibility.HIDDEN: None,
    }[EXPECTED[pii, role, state]]
    assert apply(pii, role, CONSENT_STATES[state], value) == expected


def test_birthdate_and_address_are_never_masked_only_hidden():
    for pii in (PiiClass.BIRTHDATE, PiiClass.ADDRESS_DETAIL):
        for role in Role:
            for granted in CONSENT_STATES.values():
                assert decide(pii, role, granted) is not Visibility.MASKED


@pytest.mark.parametrize("pii", list(PiiClass))
@pytest.mark.parametrize("role", list(Role))
def test_apply_keeps_none(pii, role):
    assert apply(pii, role, CONSENT_STATES["all"], None) is None


def test_granted_purposes_may_be_enum_members_or_names():
    as_names = frozenset({"MARKETING"})
    as_members = frozenset({ConsentPurpose.MARKETING})
    assert decide(PiiClass.EMAIL, Role.MARKETER, as_names) is Visibility.CLEAR
    assert decide(PiiClass.EMAIL, Role.MARKETER, as_members) is Visibility.CLEAR


def test_analytics_consent_alone_unmasks_nothing():
    granted = frozenset({"ANALYTICS"})
    assert apply(PiiClass.NAME, Role.ANALYST, granted, "李雷") == "李**"
    assert apply(PiiClass.EMAIL, Role.MARKETER, granted, "lilei@example.com") == "l***@example.com"


@pytest.mark.parametrize(
    ("state", "visible"),
    [
        ("none", False),
        ("MARKETING", False),
        ("PERSONALIZATION", False),
        ("THIRD_PARTY_SHARING", True),
        ("all", True),
    ],
)
def test_partner_sees_only_sharing_customers(state, visible):
    assert may_see(Role.PARTNER, CONSENT_STATES[state]) is visible
    assert may_see(Role.ANALYST, CONSENT_STATES[state])


def test_withdrawal_applies_to_the_next_decision():
    granted = frozenset({"MARKETING"})
    assert apply(PiiClass.PHONE, Role.MARKETER, granted, "+8613800138000") == "+8613800138000"
    withdrawn = granted - {"MARKETING"}
    assert apply(PiiClass.PHONE, Role.MARKETER, withdrawn, "+8613800138000") == "+86 138****8000"
