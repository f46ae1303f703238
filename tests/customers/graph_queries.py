"""The representative read queries: the full customer 360 and a list with nested edges.

Page sizes are explicit and modest, so the list stays under a query-cost budget of a few
thousand items at `first: 100` (customers x nested `first`s)."""

CUSTOMER_360 = """
query Customer360($id: ID!) {
  customer(id: $id) {
    id displayName email phone birthDate createdAt channels
    address { country city district line1 postalCode }
    profiles { id channel externalId displayName email phone firstSeenAt lastSeenAt }
    identifiers { kind value verified }
    orders(first: 10) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id channel externalId storeCode placedAt total currency status
        lines { sku name quantity unitPrice } } }
    }
    orderStats { orderCount totalSpent averageOrderValue firstOrderAt lastOrderAt }
    loyalty {
      tier { code name minSpend12m pointsMultiplier }
      pointsBalance pointsExpiringWithin30Days spend12m
      ledger(first: 10) { at delta reason expiresAt cursor }
    }
    tickets(first: 10) {
      totalCount
      edges { node { id category priority status channel subject openedAt firstResponseAt resolvedAt
        firstResponseDueAt resolutionDueAt breached } }
    }
    feedback(first: 10) {
      totalCount
      edges { node { id kind score comment channel submittedAt order { id } ticket { id } } }
    }
    scores {
      rfm { recencyDays frequency monetary r f m segment }
      clv { historic predicted12m expectedPurchases12m }
      probabilityAlive churnRisk lifecycleStage valueTier computedAt
    }
    consents { purpose status source updatedAt }
    consentHistory { purpose status source updatedAt }
    segments { id name }
    mergeHistory { at kind rule profileIds }
  }
}
"""

CUSTOMER_LIST = """
query CustomerList($first: Int) {
  customers(first: $first) {
    totalCount
    edges { node {
      id displayName
      orders(first: 10) { totalCount edges { node { id total placedAt lines { sku quantity unitPrice } } } }
      tickets(first: 5) { edges { node { id status breached } } }
      feedback(first: 5) { edges { node { id kind score } } }
      loyalty { tier { code } pointsBalance spend12m }
      scores { valueTier rfm { segment } }
      consents { purpose status }
    } }
  }
}
"""
