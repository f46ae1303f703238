"""The three reads of the side-by-side benchmark, as each server is asked for them.

(a) one customer with profiles, identifiers, the last 10 orders with lines, loyalty, open tickets,
the last 5 feedback answers, scores and consents; (b) the first 50 customers of value tier HIGH
with each one's last 5 orders; (c) `insights` for a quarter.

c360 gets the queries a frontend would send (the full customer page of the tests is
tests/customers/graph_queries.py `CUSTOMER_360`; these ask for exactly the fields above).
PostGraphile gets the same fields over its generated schema: tables by their PostGraphile names,
c360's derived fields as computed columns (bench/peer_schema.py), money in cents. The raw endpoint
(bench/raw_endpoint.py) answers c360's JSON for (a)-(c) at plain paths.
"""

from __future__ import annotations

QUARTER = ("2026-08-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00")
"""(c): the last full quarter of the data set (bench/dataset.py END)."""

C360_CUSTOMER = """
query Customer360($id: ID!) {
  customer(id: $id) {
    id displayName email phone birthDate createdAt
    address { country city district line1 postalCode }
    profiles { id channel externalId displayName email phone firstSeenAt lastSeenAt }
    identifiers { kind value verified }
    orderStats { orderCount totalSpent }
    orders(first: 10) {
      edges { node { id channel externalId storeCode placedAt total currency status
        lines { sku name quantity unitPrice } } }
    }
    loyalty { tier { code name } pointsBalance pointsExpiringWithin30Days spend12m }
    tickets(first: 10, status: OPEN) {
      edges { node { id category priority status channel subject openedAt firstResponseDueAt resolutionDueAt
        breached } }
    }
    feedback(first: 5) { edges { node { id kind score comment channel submittedAt } } }
    scores {
      rfm { recencyDays frequency monetary segment }
      clv { historic predicted12m }
      probabilityAlive churnRisk lifecycleStage valueTier
    }
    consents { purpose status source updatedAt }
  }
}
"""

C360_HIGH_VALUE = """
query HighValue {
  customers(first: 50, filter: {valueTier: HIGH}) {
    edges { node {
      id displayName email orderStats { orderCount totalSpent }
      orders(first: 5) { edges { node { id channel placedAt total status } } }
    } }
  }
}
"""

C360_INSIGHTS = """
query Insights($from: DateTime!, $to: DateTime!) {
  insights(from: $from, to: $to) {
    customers activeCustomers repurchaseRate churnRate averageClv nps csat slaCompliance
  }
}
"""

PG_CUSTOMER = """
query Customer360($id: BigInt!) {
  customerByRowId(rowId: $id) {
    id displayName email phone birthDate createdAt country city district line1 postalCode
    channelProfilesByCustomerId(orderBy: ROW_ID_ASC) {
      nodes { id channel externalId displayName email phone firstSeenAt lastSeenAt }
    }
    identifiersByCustomerId(orderBy: [KIND_ASC, VALUE_ASC]) { nodes { kind value verified } }
    orderCount totalSpentCents
    ordersByCustomerId(first: 10, orderBy: [PLACED_AT_DESC, ROW_ID_DESC]) {
      nodes { id channel externalId storeCode placedAt totalCents currency status
        orderLinesByOrderId(orderBy: ROW_ID_ASC) { nodes { sku name quantity unitPriceCents } } }
    }
    loyaltyAccountByCustomerId { tierByTierCode { code name } }
    pointsBalance pointsExpiringWithin30Days spend12MCents
    ticketsByCustomerId(first: 10, condition: {status: "OPEN"}, orderBy: [OPENED_AT_DESC, ROW_ID_DESC]) {
      nodes { id category priority status channel subject openedAt firstResponseDueAt resolutionDueAt breached }
    }
    feedbacksByCustomerId(first: 5, orderBy: [SUBMITTED_AT_DESC, ROW_ID_DESC]) {
      nodes { id kind score comment channel submittedAt }
    }
    customerScoreByCustomerId {
      recencyDays frequency monetaryCents rfmSegment historicCents predicted12MCents
      probabilityAlive churnRisk lifecycleStage valueTier
    }
    consentsByCustomerId(orderBy: PURPOSE_ASC) { nodes { purpose granted source updatedAt } }
  }
}
"""

PG_HIGH_VALUE = """
query HighValue {
  allCustomerScores(first: 50, condition: {valueTier: "HIGH"}, orderBy: CUSTOMER_ID_ASC) {
    nodes { customerByCustomerId {
      id displayName email orderCount totalSpentCents
      ordersByCustomerId(first: 5, orderBy: [PLACED_AT_DESC, ROW_ID_DESC]) {
        nodes { id channel placedAt totalCents status }
      }
    } }
  }
}
"""

PG_INSIGHTS = """
query Insights($from: Datetime!, $to: Datetime!) {
  pglInsights(pFrom: $from, pTo: $to) {
    customers activeCustomers repurchaseRate churnRate averageClv nps csat slaCompliance
  }
}
"""
