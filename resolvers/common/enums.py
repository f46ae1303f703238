"""The closed sets of the contract, as GraphQL enums."""

from __future__ import annotations

import enum

import strawberry

from domain.privacy.roles import Role as DomainRole

Role = DomainRole
strawberry.enum(DomainRole, name="Role", description="What a caller may do and see.")


@strawberry.enum(description="Where a customer was met.")
class Channel(enum.Enum):
    WEB = "WEB"
    APP = "APP"
    STORE = "STORE"
    MINI_PROGRAM = "MINI_PROGRAM"
    SOCIAL = "SOCIAL"
    CALL_CENTER = "CALL_CENTER"
    MARKETPLACE = "MARKETPLACE"
    EMAIL = "EMAIL"
    SMS = "SMS"
    CHAT = "CHAT"


@strawberry.enum(description="The kinds of identifier that link channel profiles into one customer.")
class IdentifierKind(enum.Enum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    MEMBER_CARD = "MEMBER_CARD"
    EXTERNAL_ID = "EXTERNAL_ID"


@strawberry.enum(description="What a customer may consent to.")
class ConsentPurpose(enum.Enum):
    MARKETING = "MARKETING"
    ANALYTICS = "ANALYTICS"
    PERSONALIZATION = "PERSONALIZATION"
    THIRD_PARTY_SHARING = "THIRD_PARTY_SHARING"


@strawberry.enum
class ConsentStatus(enum.Enum):
    GRANTED = "GRANTED"
    WITHDRAWN = "WITHDRAWN"


@strawberry.enum(description="The RFM segment grid (see docs/scoring.md).")
class RfmSegment(enum.Enum):
    CHAMPIONS = "CHAMPIONS"
    LOYAL = "LOYAL"
    POTENTIAL_LOYALIST = "POTENTIAL_LOYALIST"
    NEW_CUSTOMER = "NEW_CUSTOMER"
    PROMISING = "PROMISING"
    NEED_ATTENTION = "NEED_ATTENTION"
    ABOUT_TO_SLEEP = "ABOUT_TO_SLEEP"
    AT_RISK = "AT_RISK"
    CANNOT_LOSE = "CANNOT_LOSE"
    HIBERNATING = "HIBERNATING"
    LOST = "LOST"


@strawberry.enum
class LifecycleStage(enum.Enum):
    NEW = "NEW"
    GROWING = "GROWING"
    MATURE = "MATURE"
    DECLINING = "DECLINING"
    CHURNED = "CHURNED"


@strawberry.enum
class ValueTier(enum.Enum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


@strawberry.enum
class TicketCategory(enum.Enum):
    SERVICE = "SERVICE"
    PRODUCT = "PRODUCT"
    SUGGESTION = "SUGGESTION"
    COMPLAINT = "COMPLAINT"


@strawberry.enum
class TicketPriority(enum.Enum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


@strawberry.enum
class TicketStatus(enum.Enum):
    OPEN = "OPEN"
    PENDING = "PENDING"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


@strawberry.enum(
    description="INBOUND from the customer, OUTBOUND to them (the first is the first response), "
    "INTERNAL_NOTE among staff (never shown to partners)."
)
class MessageDirection(enum.Enum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"
    INTERNAL_NOTE = "INTERNAL_NOTE"


@strawberry.enum(description="How a follow-up visit ended; UNSATISFIED reopens the ticket.")
class FollowUpOutcome(enum.Enum):
    SATISFIED = "SATISFIED"
    UNSATISFIED = "UNSATISFIED"
    UNREACHABLE = "UNREACHABLE"


@strawberry.enum
class FeedbackKind(enum.Enum):
    CSAT = "CSAT"
    NPS = "NPS"
    REVIEW = "REVIEW"


@strawberry.enum
class JobStatus(enum.Enum):
    QUEUED = "QUEUED"
    STARTED = "STARTED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
