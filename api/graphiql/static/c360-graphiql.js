/* c360's GraphiQL page: the vendored GraphiQL (see vendor/README.md) with a c360 welcome query,
 * the caller's token in the Headers tab, and the schema loaded as soon as credentials are there.
 *
 * The token: open the page as /graphql#token=<JWT> (the link `c360 serve --demo` prints). A URL
 * fragment never reaches a server; the page takes it out of the address bar and puts
 * {"Authorization": "Bearer <JWT>"} in the Headers tab, which GraphiQL keeps in this browser's
 * localStorage. Pasting headers by hand works too: the schema loads once they carry credentials.
 */
(function () {
  "use strict";

  var PLACEHOLDER = "<paste the token here>";
  var WELCOME = [
    "# Welcome to c360, the customer-360 API.",
    "#",
    "# Credentials go in the Headers tab:",
    '# {"Authorization": "Bearer <token>"}',
    '# or {"X-API-Key": "<key>"}; the link',
    "# `./dev serve` prints fills it in.",
    "#",
    "# Run: the play button or Ctrl-Enter.",
    "# Complete: Ctrl-Space. The icons on the",
    "# left open the docs, history, explorer.",
    "# Personal fields are masked or clear by",
    "# your role and each customer's consent;",
    "# every clear read is audited.",
    "",
    "query Welcome {",
    "  viewer { role subject }",
    "  customers(first: 5) {",
    "    totalCount",
    "    edges {",
    "      node {",
    "        id",
    "        displayName",
    "        email",
    "        channels",
    "        orderStats { orderCount totalSpent }",
    "        loyalty { tier { name } }",
    "      }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");

  function headersText(token) {
    return JSON.stringify({ Authorization: "Bearer " + token }, null, 2);
  }

  function parseHeaders(text) {
    try {
      var parsed = JSON.parse(text || "{}");
      return parsed && typeof parsed === "object" ? parsed : {};
    } catch (e) {
      return {};
    }
  }

  function hasCredentials(headers) {
    for (var name in headers) {
      var key = name.toLowerCase();
      var value = String(headers[name] || "");
      if (key === "x-api-key" && value.trim()) return true;
      if (key === "authorization" && /^bearer\s+\S+/i.test(value) && value.indexOf(PLACEHOLDER) < 0) return true;
    }
    return false;
  }

  // A token handed over in the fragment: into the Headers tab, out of the address bar.
  var handed = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (handed) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  var endpoint = window.location.pathname;
  var base = GraphiQL.createFetcher({ url: endpoint });
  var liveHeaders = function () {
    return {};
  };
  var current = { schema: undefined };

  // Every request carries what the Headers tab says now (GraphiQL's own introspection would
  // use the text it had when the page rendered).
  function fetcher(params, options) {
    var headers = Object.assign({}, (options && options.headers) || {}, liveHeaders());
    return base(params, Object.assign({}, options || {}, { headers: headers }));
  }

  // Rendered inside GraphiQL (as its logo) to reach its editors and schema.
  function SchemaOnCredentials() {
    var editors = GraphiQL.React.useEditorContext({ nonNull: true });
    var schemas = GraphiQL.React.useSchemaContext({ nonNull: true });
    var headerEditor = editors.headerEditor;
    var introspect = schemas.introspect;
    current.schema = schemas.schema;
    React.useEffect(
      function () {
        if (!headerEditor) return undefined;
        liveHeaders = function () {
          return parseHeaders(headerEditor.getValue());
        };
        var timer = null;
        function onChange() {
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            if (!current.schema && hasCredentials(liveHeaders())) introspect();
          }, 300);
        }
        headerEditor.on("change", onChange);
        return function () {
          window.clearTimeout(timer);
          headerEditor.off("change", onChange);
        };
      },
      [headerEditor, introspect]
    );
    return React.createElement("span", { className: "c360-logo" }, "c360");
  }

  var props = {
    fetcher: fetcher,
    defaultQuery: WELCOME,
    defaultHeaders: JSON.stringify({ Authorization: "Bearer " + PLACEHOLDER }, null, 2),
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: "headers",
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
  };
  if (handed) props.headers = headersText(handed);

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(
      GraphiQL,
      props,
      React.createElement(GraphiQL.Logo, null, React.createElement(SchemaOnCredentials))
    )
  );
})();
