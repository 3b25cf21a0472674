import net from 'node:net';

/**
 * A loopback TCP proxy in front of a real server, to inject the faults a failover causes between
 * an API node and PostgreSQL: connections cut, the address refusing, a COMMIT that reaches the
 * server whose answer never comes back. Nothing of ours is replaced; the bytes are PostgreSQL's.
 */
export class FaultProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private cutNextCommit = false;
  /** COMMITs forwarded to the server whose client connection was then cut (see cutAfterNextCommit). */
  commitsCut = 0;
  /** Of those, how many the server has answered (the answer dropped): they are then decided. */
  commitsAnswered = 0;
  private readonly answerWaiters: (() => void)[] = [];

  private constructor(
    private readonly target: { host: string; port: number },
    public port: number,
  ) {}

  /** Listens on 127.0.0.1 (a free port) and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target, 0);
    await proxy.listen(0);
    return proxy;
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  private listen(port: number): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => {
        const address = server.address();
        if (address !== null && typeof address === 'object') this.port = address.port;
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target);
    const pair = { client, upstream };
    this.pairs.add(pair);
    let cut = false;
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => {
      // After a cut COMMIT the server side stays open until its answer has arrived (and is
      // dropped), so the server commits as it would have; only then does it go.
      if (!cut) close();
    });
    upstream.on('close', close);
    upstream.on('data', (chunk: Buffer) => {
      if (cut) {
        upstream.end();
        this.pairs.delete(pair);
        this.commitsAnswered++;
        for (const waiter of this.answerWaiters.splice(0)) waiter();
        return;
      }
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (this.cutNextCommit && isCommitQuery(chunk)) {
        this.cutNextCommit = false;
        this.commitsCut++;
        cut = true;
        client.destroy();
      }
    });
  }

  /**
   * The next COMMIT sent through the proxy reaches the server, and the client's connection is cut
   * at once: the client cannot know whether it committed (it did).
   */
  cutAfterNextCommit(): void {
    this.cutNextCommit = true;
  }

  /** Resolves once the server has answered every COMMIT cut so far, i.e. has committed or not. */
  async cutCommitsAnswered(): Promise<void> {
    while (this.commitsAnswered < this.commitsCut) {
      await new Promise<void>((resolve) => this.answerWaiters.push(resolve));
    }
  }

  /** Cuts every open connection, both sides, as a server that died would. */
  cutAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Stops listening and cuts every connection: the address refuses (ECONNREFUSED) until `resume`. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.cutAll();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async resume(): Promise<void> {
    if (this.server === null) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.refuse();
  }
}

/** A PostgreSQL simple-query message ('Q', length, text, NUL) whose text is COMMIT. */
function isCommitQuery(chunk: Buffer): boolean {
  for (let at = chunk.indexOf('Q'); at >= 0 && at + 5 < chunk.length; at = chunk.indexOf('Q', at + 1)) {
    const length = chunk.readInt32BE(at + 1);
    if (length < 5 || length > 64 || at + 1 + length > chunk.length) continue;
    const text = chunk
      .subarray(at + 5, at + 1 + length - 1)
      .toString('utf8')
      .trim()
      .toLowerCase();
    if (text === 'commit' || text === 'commit;') return true;
  }
  return false;
}
