/** Keeps one V2Client connected for as long as the client runs: connects, notices loss (close or
 *  keepalive silence), waits with backoff, resumes from the last seq it forwarded, and stops for
 *  good only when retrying cannot help (bad token, wrong certificate, unknown protocol, revoked). */
import { EventEmitter } from 'node:events';
import type { ConversationEvent } from '@vm-messenger/protocol';
import type { ConnectionState } from './bridge-api.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { ClientError, V2Client } from './v2-client.js';

export interface ConnectionTarget {
  host: string;
  port: number;
  token: string;
  fingerprint: string;
  clientName: string;
}

export interface ConnectionManagerOptions {
  backoff?: BackoffOptions;
  keepaliveTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** For deterministic jitter in tests. */
  random?: () => number;
}

export interface EventContext {
  /** True while the daemon replays what was missed (before `caught-up`). */
  replay: boolean;
}

interface ConnectionManagerEvents {
  state: [ConnectionState];
  /** A fresh connection, welcomed, and the seq it resumed from (its replay is what follows). */
  connected: [V2Client, number];
  /** Each event once, in seq order, across reconnects. */
  event: [ConversationEvent, EventContext];
  'caught-up': [number];
  /** A connection ended (or an attempt failed) for this reason. */
  lost: [ClientError];
}

export class ConnectionManager extends EventEmitter<ConnectionManagerEvents> {
  private target: ConnectionTarget | undefined;
  private current: V2Client | undefined;
  private running = false;
  /** Failed attempts since the last success: drives the backoff. */
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Bumped by stop/retarget so an attempt still in flight knows it is stale. */
  private generation = 0;
  private currentState: ConnectionState = { status: 'unpaired' };
  /** The newest seq forwarded: the resume point, and the de-duplication floor. */
  private seq: number | undefined;

  constructor(private readonly options: ConnectionManagerOptions = {}) {
    super();
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The live connection, when there is one. */
  get client(): V2Client | undefined {
    return this.current?.open ? this.current : undefined;
  }

  get lastSeq(): number | undefined {
    return this.seq;
  }

  /** Where to connect and from which seq to resume. `undefined` = not paired. Reconnects at once
   *  if running. */
  setTarget(target: ConnectionTarget | undefined, resumeSeq: number | undefined): void {
    this.target = target;
    this.seq = resumeSeq;
    if (this.running) this.restart();
    else this.setState(target ? { status: 'disconnected' } : { status: 'unpaired' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.restart();
  }

  stop(): void {
    this.running = false;
    this.generation += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.current;
    this.current = undefined;
    client?.close();
    this.setState(this.target ? { status: 'disconnected' } : { status: 'unpaired' });
  }

  /** The client's own credential replaced the token it connected with (enrolment): used from the
   *  next connection on, without dropping the current one. */
  setToken(token: string): void {
    if (this.target) this.target = { ...this.target, token };
  }

  /** Skips the backoff wait. After auth-failed it makes one new attempt (the user asked). */
  reconnectNow(): void {
    if (!this.running || !this.target) return;
    const status = this.currentState.status;
    if (status === 'connected' || status === 'connecting') return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.attempt();
  }

  /** After sleep or a network change the open socket is probably dead even if it looks alive:
   *  replace it at once (resuming from the last seq) instead of waiting for the keepalive. */
  refresh(): void {
    if (!this.running || !this.target) return;
    if (this.currentState.status === 'connected') this.restart();
    else this.reconnectNow();
  }

  /** Drops the current connection as if the network had (tests, "the path is dead"). */
  dropConnection(): void {
    this.current?.terminate();
  }

  private restart(): void {
    this.generation += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const old = this.current;
    this.current = undefined;
    old?.close();
    this.failures = 0;
    if (!this.target) {
      this.setState({ status: 'unpaired' });
      return;
    }
    void this.attempt();
  }

  private async attempt(): Promise<void> {
    const target = this.target;
    if (!target) return;
    const generation = ++this.generation;
    const resumedFrom = this.seq;
    this.setState({ status: 'connecting', attempt: this.failures + 1 });
    let caughtUp = false;
    const attach = (client: V2Client): void => {
      client.on('event', (event) => {
        if (this.current !== client) return;
        if (this.seq !== undefined && event.seq <= this.seq) return;
        this.seq = event.seq;
        this.emit('event', event, { replay: !caughtUp });
      });
      client.on('caught-up', (seq) => {
        if (this.current !== client) return;
        caughtUp = true;
        this.emit('caught-up', seq);
      });
      client.on('close', (info) => this.onClose(client, info.error));
    };
    let client: V2Client;
    try {
      client = await V2Client.connect({
        ...target,
        ...(this.seq !== undefined ? { lastSeq: this.seq } : {}),
        ...(this.options.keepaliveTimeoutMs !== undefined ? { keepaliveTimeoutMs: this.options.keepaliveTimeoutMs } : {}),
        ...(this.options.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: this.options.handshakeTimeoutMs } : {}),
        onWelcome: (c) => {
          if (generation !== this.generation || !this.running) return;
          this.current = c;
          attach(c);
        },
      });
    } catch (err) {
      if (generation !== this.generation || !this.running) return;
      this.failed(asClientError(err));
      return;
    }
    if (generation !== this.generation || !this.running || this.current !== client) {
      client.close();
      return;
    }
    this.failures = 0;
    // A first connection without a resume point starts from "now"; history is paged separately.
    this.seq ??= client.welcome.seq;
    this.setState({ status: 'connected', serverName: client.welcome.serverName });
    this.emit('connected', client, resumedFrom ?? client.welcome.seq);
  }

  private onClose(client: V2Client, error: ClientError): void {
    if (this.current !== client) return;
    this.current = undefined;
    if (!this.running) return;
    this.failed(error);
  }

  private failed(error: ClientError): void {
    this.emit('lost', error);
    if (error.fatal) {
      const code = error.code === 'bad_fingerprint' || error.code === 'unsupported_protocol' || error.code === 'revoked' ? error.code : 'bad_token';
      this.setState({ status: 'auth-failed', code, reason: error.message });
      return;
    }
    this.failures += 1;
    const delay = backoffDelay(this.failures, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    const generation = this.generation;
    this.setState({ status: 'reconnecting', attempt: this.failures + 1, nextRetryAt: Date.now() + delay, lastError: error.message, lastErrorCode: error.code });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (generation === this.generation && this.running) void this.attempt();
    }, delay);
  }

  private setState(state: ConnectionState): void {
    this.currentState = state;
    this.emit('state', state);
  }
}

function asClientError(err: unknown): ClientError {
  if (err instanceof ClientError) return err;
  return new ClientError('connect_failed', err instanceof Error ? err.message : String(err));
}
