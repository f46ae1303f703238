// Apollo Client 4 against a live c360: two queries select other fields of a customer's
// OrderStats and LoyaltyAccount; is the first still complete in the cache afterwards?
// node apollo_cache.mjs URL TOKEN CUSTOMER_ID policies|none  -> one JSON line
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { typePolicies } from "../../docs/apollo-type-policies.mjs";

const [uri, token, id, mode] = process.argv.slice(2);
const warnings = [];
console.warn = (...args) => warnings.push(args.map(String).join(" "));
const client = new ApolloClient({
  link: new HttpLink({ uri, headers: { Authorization: `Bearer ${token}` } }),
  cache: new InMemoryCache(mode === "policies" ? { typePolicies } : {}),
});
const FIRST = gql`query First($id: ID!) { customer(id: $id) { id orderStats { orderCount } loyalty { pointsBalance tier { code } } } }`;
const SECOND = gql`query Second($id: ID!) { customer(id: $id) { id orderStats { totalSpent } loyalty { spend12m tier { code name } } } }`;
const variables = { id };
const first = await client.query({ query: FIRST, variables });
await client.query({ query: SECOND, variables });
const cached = client.readQuery({ query: FIRST, variables });
console.log(JSON.stringify({ first: first.data, cached, warnings }));
