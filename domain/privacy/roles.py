"""Who is calling: the roles a token or API key carries (GraphQL `Role`)."""

import enum


class Role(enum.Enum):
    """A caller's role; permissions and the masking policy are decided on it."""

    ADMIN = "ADMIN"
    SUPPORT_AGENT = "SUPPORT_AGENT"
    MARKETER = "MARKETER"
    ANALYST = "ANALYST"
    PARTNER = "PARTNER"


# The retailer's own people; PARTNER callers are outside systems (POS, marketplaces, marketing tools).
STAFF_ROLES = frozenset({Role.ADMIN, Role.SUPPORT_AGENT, Role.MARKETER, Role.ANALYST})
