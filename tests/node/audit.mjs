// graphql-http's audit of a GraphQL over HTTP server: node audit.mjs URL [HEADERS_JSON]
// Prints one JSON line per audit ({id, name, status, reason}); exits 0.
import { auditServer } from "graphql-http";

const [url, headersJson] = process.argv.slice(2);
const headers = JSON.parse(headersJson || "{}");
const fetchWithHeaders = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...headers, ...Object.fromEntries(new Headers(init.headers || {})) } });
const results = await auditServer({ url, fetchFn: fetchWithHeaders });
for (const result of results) {
  console.log(JSON.stringify({ id: result.id, name: result.name, status: result.status, reason: result.reason }));
}
