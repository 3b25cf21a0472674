/**
 * The real platform (production mode, SQLite in a temp dir or DATABASE_URL) behind HTTP on
 * loopback, for the load generator. Prints {port, residentToken, staffToken, code, venueId,
 * gateToken, database}; SIGTERM drains, closes and removes its data.
 */
import { buildApp } from '../../src/http/app.ts';
import { setUpBenchPlatform } from './bench-platform.ts';

const bench = await setUpBenchPlatform();
const app = await buildApp(bench.p, { logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(
  JSON.stringify({
    port: typeof address === 'object' && address !== null ? address.port : 0,
    residentToken: bench.residentToken,
    residentTokens: bench.residentTokens,
    codes: bench.codes,
    staffToken: bench.staffToken,
    venueId: bench.venueId,
    gateToken: bench.gateToken,
    code: bench.code,
    database: bench.p.database.dialect,
  }) + '\n',
);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => bench.dispose())
    .then(() => process.exit(0));
});
