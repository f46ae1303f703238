"""Customer, ChannelProfile, Identifier, Address, MergeEvent and the customer connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.base import utcnow
from domain.privacy.masking import PiiClass, identifier_class
from resolvers.common.connections import PageRequest
from resolvers.common.enums import Channel, FeedbackKind, IdentifierKind, Role, TicketStatus
from resolvers.common.ids import encode_id
from resolvers.common.node import Node, PageInfo
from resolvers.common.pagination import encode_cursor
from resolvers.common.personal import personal
from resolvers.context import Context

if TYPE_CHECKING:
    from resolvers.feedback.types import FeedbackConnection
    from resolvers.loyalty.types import LoyaltyAccount
    from resolvers.orders.types import OrderConnection, OrderStats
    from resolvers.privacy.types import Consent
    from resolvers.scoring.types import Scores
    from resolvers.segments.types import Segment

Info = strawberry.Info[Context, None]


@strawberry.type(description="Who is calling: the token's subject and role.")
class Viewer:
    subject: str
    role: Role


@strawberry.type(description="A postal address; line1 and postalCode are personal data (ADDRESS_DETAIL).")
class Address:
    customer_id: strawberry.Private[int]
    country: str | None
    city: str | None
    district: str | None
    line1: str | None = strawberry.field(extensions=[personal(PiiClass.ADDRESS_DETAIL)])
    postal_code: str | None = strawberry.field(extensions=[personal(PiiClass.ADDRESS_DETAIL)])


@strawberry.type(description="A normalized identifier; its value is masked like the field it mirrors.")
class Identifier:
    customer_id: strawberry.Private[int]
    kind: IdentifierKind
    value: str = strawberry.field(extensions=[personal(lambda i: identifier_class(i.kind.value))])
    verified: bool


@strawberry.type(description="What one channel system knows about the person, keyed by (channel, externalId).")
class ChannelProfile(Node):
    row: strawberry.Private[Any]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("ChannelProfile", self.row.id))

    @property
    def customer_id(self) -> int:
        return int(self.row.customer_id)

    @strawberry.field
    def channel(self) -> Channel:
        return Channel(self.row.channel)

    @strawberry.field(
        description="The id the channel system gave this person (IDENTIFIER: it is the key inside `identifiers`).",
        extensions=[personal(PiiClass.IDENTIFIER)],
    )
    def external_id(self) -> str:
        return str(self.row.external_id)

    @strawberry.field(description="Personal data (NAME).", extensions=[personal(PiiClass.NAME)])
    def display_name(self) -> str | None:
        return self.row.display_name  # type: ignore[no-any-return]

    @strawberry.field(description="Personal data (EMAIL).", extensions=[personal(PiiClass.EMAIL)])
    def email(self) -> str | None:
        return self.row.email  # type: ignore[no-any-return]

    @strawberry.field(description="Personal data (PHONE).", extensions=[personal(PiiClass.PHONE)])
    def phone(self) -> str | None:
        return self.row.phone  # type: ignore[no-any-return]

    @strawberry.field
    def first_seen_at(self) -> dt.datetime:
        return self.row.first_seen_at  # type: ignore[no-any-return]

    @strawberry.field
    def last_seen_at(self) -> dt.datetime:
        return self.row.last_seen_at  # type: ignore[no-any-return]


@strawberry.type(description="A merge, blocked merge or unmerge that shaped this customer.")
class MergeEvent:
    at: dt.datetime
    kind: str
    rule: str | None
    profile_ids: list[strawberry.ID]


@strawberry.type(description="One person across every channel, with everything the retailer knows.")
class Customer(Node):
    row: strawberry.Private[Any]

    @property
    def customer_id(self) -> int:
        return int(self.row.id)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Customer", self.row.id))

    @strawberry.field(
        description="Personal data (NAME): the most recently seen non-empty name.",
        extensions=[personal(PiiClass.NAME)],
    )
    def display_name(self) -> str | None:
        return self.row.display_name  # type: ignore[no-any-return]

    @strawberry.field(
        description="Personal data (EMAIL): best email after survivorship.", extensions=[personal(PiiClass.EMAIL)]
    )
    def email(self) -> str | None:
        return self.row.email  # type: ignore[no-any-return]

    @strawberry.field(description="Personal data (PHONE): E.164 when unmasked.", extensions=[personal(PiiClass.PHONE)])
    def phone(self) -> str | None:
        return self.row.phone  # type: ignore[no-any-return]

    @strawberry.field(
        description="Personal data (BIRTHDATE); null when masked.", extensions=[personal(PiiClass.BIRTHDATE)]
    )
    def birth_date(self) -> dt.date | None:
        return self.row.birth_date  # type: ignore[no-any-return]

    @strawberry.field
    def address(self) -> Address | None:
        r = self.row
        if not any((r.country, r.city, r.district, r.line1, r.postal_code)):
            return None
        return Address(
            customer_id=r.id,
            country=r.country,
            city=r.city,
            district=r.district,
            line1=r.line1,
            postal_code=r.postal_code,
        )

    @strawberry.field
    def created_at(self) -> dt.datetime:
        return self.row.created_at  # type: ignore[no-any-return]

    @strawberry.field(description="Channels this person was seen on.")
    async def channels(self, info: Info) -> list[Channel]:
        from resolvers.customers.dataloaders import ProfilesByCustomerLoader

        rows = await info.context.loader(ProfilesByCustomerLoader).load(self.row.id)
        return sorted({Channel(p.channel) for p in rows}, key=lambda c: list(Channel).index(c))

    @strawberry.field
    async def profiles(self, info: Info) -> list[ChannelProfile]:
        from resolvers.customers.dataloaders import ProfilesByCustomerLoader

        rows = await info.context.loader(ProfilesByCustomerLoader).load(self.row.id)
        return [ChannelProfile(row=p) for p in rows]

    @strawberry.field
    async def identifiers(self, info: Info) -> list[Identifier]:
        from resolvers.customers.dataloaders import IdentifiersByCustomerLoader

        rows = await info.context.loader(IdentifiersByCustomerLoader).load(self.row.id)
        return [
            Identifier(customer_id=self.row.id, kind=IdentifierKind(r.kind), value=r.value, verified=bool(r.verified))
            for r in rows
        ]

    @strawberry.field(description="Newest first.")
    async def orders(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        channel: Channel | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> Annotated[OrderConnection, strawberry.lazy("resolvers.orders.types")]:
        from resolvers.orders.types import OrderConnection

        request = PageRequest.of(first, after, channel=channel and channel.value, since=since, until=until)
        return await OrderConnection.of_customer(info.context, self.row.id, request)

    @strawberry.field
    def order_stats(self) -> Annotated[OrderStats, strawberry.lazy("resolvers.orders.types")]:
        from resolvers.orders.types import order_stats

        return order_stats(self.row)

    @strawberry.field
    async def loyalty(self, info: Info) -> Annotated[LoyaltyAccount, strawberry.lazy("resolvers.loyalty.types")]:
        from resolvers.loyalty.dataloaders import AccountByCustomerLoader
        from resolvers.loyalty.types import LoyaltyAccount

        return LoyaltyAccount.of(await info.context.loader(AccountByCustomerLoader).load(self.row.id))

    @strawberry.field(description="Newest first; `breached` keeps only breached (true) or in-SLA (false) tickets.")
    async def tickets(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: TicketStatus | None = None,
        breached: bool | None = None,
    ) -> Annotated[TicketConnection, strawberry.lazy("resolvers.service.types")]:
        from resolvers.service.types import TicketConnection

        now = utcnow()
        request = PageRequest.of(
            first,
            after,
            status=status and status.value,
            breached_at=now if breached is True else None,
            in_sla_at=now if breached is False else None,
        )
        return await TicketConnection.of_customer(info.context, self.row.id, request)

    @strawberry.field(description="Newest first.")
    async def feedback(
        self, info: Info, first: int | None = 20, after: str | None = None, kind: FeedbackKind | None = None
    ) -> Annotated[FeedbackConnection, strawberry.lazy("resolvers.feedback.types")]:
        from resolvers.feedback.types import FeedbackConnection

        request = PageRequest.of(first, after, kind=kind and kind.value)
        return await FeedbackConnection.of_customer(info.context, self.row.id, request)

    @strawberry.field(description="Null until the first refresh has scored this customer.")
    async def scores(self, info: Info) -> Annotated[Scores, strawberry.lazy("resolvers.scoring.types")] | None:
        from resolvers.scoring.dataloaders import ScoresByCustomerLoader
        from resolvers.scoring.types import Scores

        row = await info.context.loader(ScoresByCustomerLoader).load(self.row.id)
        return None if row is None else Scores.of(row)

    @strawberry.field(description="The current decision per purpose.")
    async def consents(self, info: Info) -> list[Annotated[Consent, strawberry.lazy("resolvers.privacy.types")]]:
        from resolvers.privacy.dataloaders import ConsentsByCustomerLoader
        from resolvers.privacy.types import Consent

        return [Consent.current(r) for r in await info.context.loader(ConsentsByCustomerLoader).load(self.row.id)]

    @strawberry.field(description="Every decision ever recorded, oldest first (append-only).")
    async def consent_history(self, info: Info) -> list[Annotated[Consent, strawberry.lazy("resolvers.privacy.types")]]:
        from resolvers.privacy.dataloaders import ConsentHistoryByCustomerLoader
        from resolvers.privacy.types import Consent

        rows = await info.context.loader(ConsentHistoryByCustomerLoader).load(self.row.id)
        return [Consent.recorded(r) for r in rows]

    @strawberry.field(description="Saved segments this customer is in now.")
    async def segments(self, info: Info) -> list[Annotated[Segment, strawberry.lazy("resolvers.segments.types")]]:
        from resolvers.segments.dataloaders import SegmentsByCustomerLoader
        from resolvers.segments.types import Segment

        return [Segment(row=r) for r in await info.context.loader(SegmentsByCustomerLoader).load(self.row.id)]

    @strawberry.field
    async def merge_history(self, info: Info) -> list[MergeEvent]:
        from resolvers.customers.dataloaders import MergeEventsByCustomerLoader

        rows = await info.context.loader(MergeEventsByCustomerLoader).load(self.row.id)
        return [
            MergeEvent(
                at=r.at,
                kind=r.kind,
                rule=r.rule,
                profile_ids=[strawberry.ID(encode_id("ChannelProfile", p)) for p in r.profile_ids],
            )
            for r in rows
        ]


def _customer_cursor(self: Any) -> str:
    """A customer page's keyset cursor, computed only when selected."""
    return encode_cursor(self.node.row.id)


@strawberry.type
class CustomerEdge:
    cursor: str = strawberry.field(resolver=_customer_cursor)
    node: Customer


@strawberry.type
class CustomerConnection:
    edges: list[CustomerEdge]
    page_info: PageInfo
    total_count_query: strawberry.Private[Any]

    @strawberry.field
    async def total_count(self, info: Info) -> int:
        return int(await self.total_count_query(info.context))


if TYPE_CHECKING:
    from resolvers.service.types import TicketConnection
