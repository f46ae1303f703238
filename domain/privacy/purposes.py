"""The purposes a customer grants or withdraws consent for (GraphQL `ConsentPurpose`)."""

import enum


class ConsentPurpose(enum.StrEnum):
    """A consent purpose. A `StrEnum`, so members and their names are interchangeable in the sets
    of granted purposes that policies take (`"MARKETING" in {ConsentPurpose.MARKETING}`)."""

    MARKETING = "MARKETING"
    ANALYTICS = "ANALYTICS"
    PERSONALIZATION = "PERSONALIZATION"
    THIRD_PARTY_SHARING = "THIRD_PARTY_SHARING"
