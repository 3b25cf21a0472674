import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** An API node running as a process of its own (api-node-main.ts) on a 127.0.0.1 port. */
export interface ApiNode {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** What the process wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGKILL (no shutdown of any kind) and waits until the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, as an operator stops a node (requests finish, queued writes are stored); SIGKILL after `ms`. */
  stop(ms?: number): Promise<void>;
}

/**
 * Starts one demo-mode API node with `env` (DATABASE_URL: several nodes on one database) on a free
 * port, and resolves once it listens. The first node on an empty database seeds the demo data:
 * start the others after it. Fails with the node's output if it exits or does not listen in time.
 */
export async function startApiNode(
  name: string,
  env: Readonly<Record<string, string>>,
  timeoutMs = 90_000,
): Promise<ApiNode> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `healthcode-node-${name}-`));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/api-node-main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
      HOST: '127.0.0.1',
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const started = Date.now();
  let url: string | undefined;
  while (url === undefined) {
    url = /Health pass code platform — (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    if (url !== undefined) break;
    if (gone || Date.now() - started > timeoutMs) {
      if (!gone) child.kill('SIGKILL');
      throw new Error(
        `API node ${name} did not start${gone ? ' (it exited)' : ` within ${timeoutMs} ms`}:\n${stdout}\n${stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`API node ${name} has no pid`);
  return {
    name,
    url,
    pid,
    output: () => ({ stdout, stderr }),
    exited,
    async kill() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
    async stop(ms = 20_000) {
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!gone) child.kill('SIGKILL');
      }, ms);
      await exited;
      clearTimeout(timer);
    },
  };
}
