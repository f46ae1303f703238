// Apollo Client typePolicies for c360 (docs/clients.md, "Caches").
export const typePolicies = {
  Tier: { keyFields: ["code"] },
  // Values of one customer: merged field by field into the customer's entry.
  OrderStats: { merge: true },
  LoyaltyAccount: { merge: true },
  Scores: { merge: true },
  Rfm: { merge: true },
  Clv: { merge: true },
  Address: { merge: true },
};
