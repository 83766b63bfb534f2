import net from 'node:net';
import type { ExecutionContext } from 'ava';

/** A real TCP hop between a client and the daemon whose daemon→client direction can be stalled:
 *  the client's network stops carrying bytes (a laptop lid closed, a congested link) while both
 *  programs stay exactly as they are. */
export class StallProxy {
  private readonly upstreams = new Set<net.Socket>();
  private stalled = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(t: Pick<ExecutionContext, 'teardown'>, targetPort: number): Promise<StallProxy> {
    const sockets = new Set<net.Socket>();
    let proxy: StallProxy | undefined;
    const server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      sockets.add(client).add(upstream);
      proxy?.track(upstream);
      client.pipe(upstream);
      // Not pipe(): its drain handling would resume a stalled upstream behind our back.
      upstream.on('data', (data: Buffer) => client.write(data));
      const end = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.once('close', end).on('error', end);
      upstream.once('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy = new StallProxy(server, typeof address === 'object' && address ? address.port : 0);
    t.teardown(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return proxy;
  }

  /** Stops reading from the daemon: its bytes pile up in the kernel and then in the daemon. */
  stall(): void {
    this.stalled = true;
    for (const s of this.upstreams) s.pause();
  }

  resume(): void {
    this.stalled = false;
    for (const s of this.upstreams) s.resume();
  }

  private track(upstream: net.Socket): void {
    this.upstreams.add(upstream);
    upstream.once('close', () => this.upstreams.delete(upstream));
    if (this.stalled) upstream.pause();
  }
}
