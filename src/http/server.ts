import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import { createPlatform } from '../platform.ts';
import type { Platform } from '../use-cases/platform.ts';
import { DEMO_RESIDENTS, DEMO_CHANNEL, DEMO_STAFF, seedDemoData } from '../use-cases/demo.ts';
import { startScheduler } from '../use-cases/scheduler.ts';
import { startReportDelivery } from '../use-cases/reports.ts';
import { startChangeListener } from '../use-cases/change-listener.ts';
import { sqliteFileIn } from '../storage/database.ts';
import { buildApp } from './app.ts';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

function banner(config: Config, url: string, p: Platform): string {
  const lines = [
    '',
    `  Health pass code platform — ${url}`,
    `  database: ${p.database.dialect}${config.databaseUrl === null ? ` (${sqliteFileIn(config.dataDir)})` : ''}`,
    `  API docs: ${url}/docs   OpenAPI: ${url}/openapi.json   health: ${url}/healthz`,
  ];
  if (config.mode === 'demo') {
    lines.push(
      '',
      '  ######################################################################',
      '  #  DEMO MODE IS ON — demo accounts, and sign-in codes are returned   #',
      '  #  in the API response (devCode). Never run demo mode in production. #',
      '  ######################################################################',
      '',
      '  Staff sign-in (username / password):',
      ...DEMO_STAFF.map((s) => `    ${s.role.padEnd(10)} ${s.username} / ${s.password}`),
      '  Residents sign in with a mobile number; the code is shown on the page in demo mode:',
      ...DEMO_RESIDENTS.map((r) => `    ${r.mobile}  (${r.name}, ${r.colour})`),
      '  Or any other mainland mobile number, then apply.',
      '  Demo partner channel (DEMO ONLY — examples/channel-client/README.md):',
      `    CLIENT_ID=${DEMO_CHANNEL.clientId} CLIENT_SECRET=${DEMO_CHANNEL.clientSecret}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Starts the platform and listens; closes gracefully on SIGINT/SIGTERM (in-flight requests finish, queued records are written). */
export async function startServer(
  config: Config,
  /** `webRoot: null` serves the API only (tests that start API nodes without building the web app). */
  options: { webRoot?: string | null } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const platform = await createPlatform(config);
  platform.metrics.collectProcessMetrics();
  // Other API nodes' changes to policies, risk areas, keys, and their reports (PostgreSQL).
  startChangeListener(platform);
  if (config.mode === 'demo') await seedDemoData(platform);
  const app = await buildApp(platform, {
    webRoot: options.webRoot === undefined ? WEB_ROOT : options.webRoot,
    logger: { level: config.logLevel },
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  process.stdout.write(banner(config, url, platform));
  // Reassessments when colours expire, daily snapshots and purges (P5); one node runs each slot.
  const stopScheduler = startScheduler(platform);
  // Webhook deliveries left in the outbox by a previous run resume now, not at the next report.
  startReportDelivery(platform);
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await stopScheduler();
      await app.close();
      await platform.close();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
  return { url, close };
}
