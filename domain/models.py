"""Every table of c360, imported in one place so Alembic and the tests see the whole model."""

from domain.base import Base
from domain.callers.models import ApiKey, IdempotencyRecord
from domain.customers.models import (
    ChannelProfile,
    Customer,
    CustomerRedirect,
    DuplicateCandidate,
    Identifier,
    MergeEvent,
    SharedIdentifier,
)
from domain.feedback.models import Feedback
from domain.insights.models import PurchaseDay
from domain.jobs.models import Job, JobOutbox, PeriodicSlot
from domain.loyalty.models import LoyaltyAccount, PointsEntry, Tier
from domain.orders.models import Order, OrderLine
from domain.privacy.models import AuditEntry, ConsentRecord, CurrentConsent, SuppressedProfileKey
from domain.scoring.models import CustomerScore, ScoringModel
from domain.segments.models import Segment
from domain.service.models import FollowUp, SlaPolicy, Ticket, TicketEvent, TicketMessage

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Base",
    "ChannelProfile",
    "ConsentRecord",
    "CurrentConsent",
    "Customer",
    "CustomerRedirect",
    "CustomerScore",
    "DuplicateCandidate",
    "Feedback",
    "FollowUp",
    "IdempotencyRecord",
    "Identifier",
    "Job",
    "JobOutbox",
    "LoyaltyAccount",
    "MergeEvent",
    "Order",
    "OrderLine",
    "PeriodicSlot",
    "PointsEntry",
    "PurchaseDay",
    "ScoringModel",
    "Segment",
    "SharedIdentifier",
    "SlaPolicy",
    "SuppressedProfileKey",
    "Ticket",
    "TicketEvent",
    "TicketMessage",
    "Tier",
    "metadata",
]
