/**
 * One API node as its own process, for tests of several nodes on one database: the server that
 * `healthcode demo` starts (startServer: scheduler, change feed, report delivery, graceful SIGTERM),
 * configured from the environment, serving the API without the built web app. Start it with
 * `node --import tsx test/support/api-node-main.ts` (one PID, killable); see api-nodes.ts.
 */
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/http/server.ts';

await startServer(loadConfig(process.env, { mode: 'demo' }), { webRoot: null });
