// PostGraphile (v5, the amber preset) over the bench database, in WORKERS processes (node:cluster).
// Env: DATABASE_URL, PORT, WORKERS (default 1), SCHEMAS (default public,pgl), POOL_SIZE (default 10).
import "./polyfill.js";
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

const workers = Number(process.env.WORKERS || "1");
const port = Number(process.env.PORT || "5678");

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code) => {
    console.error(`worker ${worker.process.pid} exited with ${code}`);
    process.exit(1);
  });
} else {
  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [
      makePgService({
        connectionString: process.env.DATABASE_URL,
        schemas: (process.env.SCHEMAS || "public,pgl").split(","),
        poolConfig: { max: Number(process.env.POOL_SIZE || "10") },
      }),
    ],
    grafserv: { port, host: "127.0.0.1", graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  serv.addTo(server).catch((e) => {
    console.error(e);
    process.exit(1);
  });
  server.listen(port, "127.0.0.1");
}
