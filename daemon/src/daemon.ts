import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  ProtocolError,
  formatPairing,
  type ClientInfo,
  type UploadKind,
  type Sender,
} from '@vm-messenger/protocol';
import type { DaemonApi, ImageSource } from './api.js';
import { ClientRegistry } from './clients.js';
import { parseConfig, readConfigFile, resolveConfig, type ConfigFile, type DaemonConfig } from './config.js';
import type { DaemonContext } from './context.js';
import { Conversation } from './conversation.js';
import { startFrontDoor } from './front-door.js';
import { UnauthenticatedGate } from './unauthenticated-gate.js';
import { History } from './history.js';
import { StorageHealth } from './storage-health.js';
import { replayThenFollow } from './replay-then-follow.js';
import { loadOrCreateIdentity, type Identity } from './identity.js';
import { createImageService, type BlobEvent, type UploadSink } from './image-service.js';
import { cleanPartials, ImageLibrary, partialDirOf } from './images/index.js';
import { createLogger, type Logger } from './logger.js';
import { startControlServer, type ControlServer } from './control/control-server.js';
import { notifyReady, notifyStatus, notifyStopping, startWatchdog } from './systemd/notify.js';
import { V2Server } from './v2/v2-server.js';
import { DownloadSlots } from './v2/download-slots.js';
import { startLegacy, type LegacyService } from './legacy/legacy-service.js';
import { VERSION } from './version.js';

export interface StartOptions {
  /** A config file to read (`--config`); absent = embedded defaults. */
  configFile?: string;
  /** Config given as an object (tests); validated like a file. Wins over `configFile`. */
  config?: unknown;
  stateDir?: string;
  controlSocket?: string;
  /** Overrides the configured listen port (0 = any free port). */
  port?: number;
  host?: string;
  logger?: Logger;
}

export interface Daemon extends DaemonApi {
  readonly config: DaemonConfig;
  readonly identity: Identity;
  /** The port the network listener is bound to. */
  readonly port: number;
  readonly host: string;
  readonly fingerprint: string;
  readonly token: string;
  readonly stateDir: string;
  readonly controlSocketPath: string;
  /** Resolves once the daemon has fully stopped. */
  readonly stopped: Promise<void>;
}

const VM_SENDER: Sender = { kind: 'vm', name: 'VM' };
const SHUTDOWN_GRACE_MS = 2000;
const UPLOAD_IDLE_MS = 60_000;

export function defaultStateDir(): string {
  // systemd hands us STATE_DIRECTORY; otherwise a folder beside where `npm start` runs.
  return process.env.STATE_DIRECTORY?.split(':')[0] ?? path.resolve('.state');
}

export async function startDaemon(options: StartOptions = {}): Promise<Daemon> {
  const file: ConfigFile =
    options.config !== undefined
      ? parseConfig(options.config, 'options.config')
      : options.configFile
        ? readConfigFile(options.configFile)
        : parseConfig({}, 'defaults');
  const config = resolveConfig(file, {
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    ...(options.controlSocket ? { controlSocket: options.controlSocket } : {}),
    defaultStateDir: defaultStateDir(),
    hostname: os.hostname(),
  });
  if (options.port !== undefined) config.listen.port = options.port;
  if (options.host !== undefined) config.listen.host = options.host;
  const logger = options.logger ?? createLogger(config.logLevel);

  await mkdir(config.stateDir, { recursive: true, mode: 0o750 });
  await mkdir(config.receivedDir, { recursive: true, mode: 0o750 });
  await mkdir(config.filesDir, { recursive: true, mode: 0o750 });
  await mkdir(config.libraryDir, { recursive: true, mode: 0o750 });
  const leftovers =
    (await cleanPartials(partialDirOf(config.receivedDir))) + (await cleanPartials(partialDirOf(config.filesDir)));
  if (leftovers > 0) logger.info(`removed ${leftovers} unfinished upload(s) left by an earlier run`);

  const { identity, created } = await loadOrCreateIdentity(config.stateDir, os.hostname());
  if (created) logger.info(`created a TLS certificate and pairing token in ${config.stateDir}`);

  const storage = new StorageHealth(logger);
  const history = new History(path.join(config.stateDir, 'history.sqlite3'), storage, config.storage.durability);
  const conversation = new Conversation(history, { busyTimeoutMs: config.storage.busyTimeoutMs, logger });
  const clients = new ClientRegistry();
  const library = new ImageLibrary(config.libraryDir, { maxPixels: config.limits.maxImagePixels });
  const images = createImageService({
    conversation,
    receivedDir: config.receivedDir,
    filesDir: config.filesDir,
    library,
    limits: config.limits,
  });
  const downloads = new DownloadSlots({
    perClient: config.limits.downloadsPerClient,
    queuedPerClient: config.limits.queuedDownloadsPerClient,
    total: config.limits.maxDownloads,
  });
  const ctx: DaemonContext = { config, identity, conversation, clients, images, logger, downloads };

  const v2 = new V2Server(ctx);
  let legacy: LegacyService | undefined;
  const servers: net.Server[] = [];
  let control: ControlServer | undefined;
  let stopWatchdog: (() => void) | undefined;
  /** Uploads from local tools (vmctl send FILE), by handle. */
  const uploads = new Map<string, { name: string; kind: UploadKind | undefined; sink: Promise<UploadSink>; idle: NodeJS.Timeout }>();
  const abandonUpload = async (id: string): Promise<void> => {
    const entry = uploads.get(id);
    if (!entry) return;
    uploads.delete(id);
    clearTimeout(entry.idle);
    await entry.sink.then((s) => s.abort()).catch(() => undefined);
  };
  // A tool that dies mid-upload must not leave a temp file behind for the daemon's lifetime.
  const idleTimer = (id: string): NodeJS.Timeout => setTimeout(() => void abandonUpload(id), UPLOAD_IDLE_MS).unref();
  const takeUpload = (id: string, finishing: boolean) => {
    const entry = uploads.get(id);
    if (!entry) throw new ProtocolError('not_found', `no upload ${id} (it may have timed out)`);
    clearTimeout(entry.idle);
    if (finishing) uploads.delete(id);
    else entry.idle = idleTimer(id);
    return entry;
  };

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;

  const findClient = (nameOrId: string) => {
    const handle = clients.find(nameOrId);
    if (!handle) throw new ProtocolError('unknown_client', `no connected client "${nameOrId}" (see vmctl clients)`);
    return handle;
  };

  const api: DaemonApi = {
    status() {
      return {
        version: VERSION,
        serverName: config.serverName,
        pid: process.pid,
        uptimeSec: Math.round(process.uptime()),
        listen: { host: config.listen.host, port: daemon.port },
        legacy: {
          enabled: config.legacy.enabled,
          ...(legacy?.extraPort ? { port: legacy.extraPort } : {}),
          allow: config.legacy.allow,
        },
        clients: clients.size,
        historySize: history.count(),
        lastSeq: history.lastSeq(),
        fingerprint: identity.fingerprint,
        stateDir: config.stateDir,
        libraryDir: config.libraryDir,
        storage: storage.snapshot(),
        filesDir: config.filesDir,
      };
    },
    clients: (): ClientInfo[] => clients.list(),
    async say(text) {
      const max = config.limits.maxTextLength;
      if (text.trim().length === 0) throw new ProtocolError('bad_request', 'nothing to say');
      if (text.length > max) throw new ProtocolError('text_too_long', `text is ${text.length} characters; the limit is ${max}`);
      const outcome = await conversation.say(VM_SENDER, text);
      if (!outcome.ok) throw new ProtocolError(outcome.code, outcome.message);
      const event = outcome.stored.event;
      if (event.kind !== 'text') throw new Error('unreachable');
      return event;
    },
    beginUpload(name, size, sha256, kind) {
      if (kind !== 'file' && size > config.limits.maxImageBytes) {
        throw new ProtocolError('image_rejected', `${name} is larger than the ${config.limits.maxImageBytes}-byte limit`);
      }
      const id = randomUUID();
      // Registered before the temp file is open, so vmctl can pipeline chunks right behind.
      const sink = images.openUpload({ size, sha256, ...(kind ? { kind } : {}) });
      sink.catch(() => uploads.delete(id));
      uploads.set(id, { name, kind, sink, idle: idleTimer(id) });
      return id;
    },
    async uploadChunk(upload, data) {
      const entry = takeUpload(upload, false);
      const sink = await entry.sink;
      await sink.write(data);
      return sink.received;
    },
    async sendImage(source: ImageSource, to?: string): Promise<BlobEvent> {
      const recipient = to === undefined ? undefined : findClient(to).info().name;
      const meta = { sender: VM_SENDER, ...(recipient ? { to: recipient } : {}) };
      if (source.kind === 'library') {
        const { path: file, entry } = await library.resolve(source.name);
        // The library holds files too: an image in it stays an image, anything else is a file.
        return images.pushFile(file, { ...meta, originalName: entry.name, kind: 'file' });
      }
      const entry = takeUpload(source.upload, true);
      const sink = await entry.sink;
      try {
        const done = await sink.finish();
        const { event } = await images.commitUpload(done, {
          ...meta,
          id: randomUUID(),
          originalName: entry.name,
          ...(entry.kind ? { kind: entry.kind } : {}),
        });
        return event;
      } catch (err) {
        await sink.abort().catch(() => undefined);
        throw err;
      }
    },
    legacyDelivery: (seq) => legacy?.deliveryOf(seq) ?? Promise.resolve({}),
    listLibrary: () => library.list(),
    history: (limit) => history.latest(limit),
    watch: (lastSeq, onEvent) => replayThenFollow(conversation, lastSeq ?? history.lastSeq(), onEvent),
    kick(client) {
      const handle = findClient(client);
      const info = handle.info();
      handle.kick('disconnected by the VM operator');
      return info;
    },
    pairing(host) {
      const h = host ?? pairingHost(config.listen.host);
      return {
        pairing: formatPairing({ host: h, port: daemon.port, token: identity.token, fingerprint: identity.fingerprint, serverName: config.serverName }),
        fingerprint: identity.fingerprint,
        host: h,
        port: daemon.port,
      };
    },
    stop() {
      stopping ??= (async () => {
        logger.info('shutting down');
        notifyStopping(logger);
        stopWatchdog?.();
        // A listener's close completes only once its connections are gone, and the v2 and legacy
        // connections came in through them: stop accepting, close the connections, then wait.
        const listenersClosed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
        await Promise.all([v2.close('the daemon is shutting down', SHUTDOWN_GRACE_MS), legacy?.close()]);
        await listenersClosed;
        await control?.close();
        for (const id of [...uploads.keys()]) await abandonUpload(id);
        await conversation.settled();
        history.close();
        logger.info('stopped');
        resolveStopped();
      })();
      return stopping;
    },
  };

  const legacyEnabled = config.legacy.enabled;
  if (legacyEnabled) legacy = await startLegacy(ctx, api);
  const frontDoor = await startFrontDoor(
    {
      host: config.listen.host,
      port: config.listen.port,
      // With legacy on, a silent peer is an original client waiting for its ping; with it off,
      // silence is only cut off by the handshake timeout.
      silenceMs: legacyEnabled ? config.legacy.detectionWaitMs : config.limits.handshakeTimeoutMs,
      logger,
      gate: new UnauthenticatedGate({ total: config.limits.maxUnauthenticated, perIp: config.limits.maxUnauthenticatedPerIp }),
    },
    { tls: (socket, ticket) => v2.accept(socket, ticket), legacy: legacy ? (socket) => legacy!.accept(socket) : undefined },
  );
  servers.push(frontDoor);
  if (legacy?.server) servers.push(legacy.server);
  const address = frontDoor.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;

  const daemon: Daemon = {
    ...api,
    config,
    identity,
    port,
    host: config.listen.host,
    fingerprint: identity.fingerprint,
    token: identity.token,
    stateDir: config.stateDir,
    controlSocketPath: config.controlSocket.path,
    stopped,
  };

  try {
    control = await startControlServer({
      path: config.controlSocket.path,
      mode: config.controlSocket.mode,
      ...(config.controlSocket.group ? { group: config.controlSocket.group } : {}),
      api,
      logger,
    });
  } catch (err) {
    await api.stop();
    throw err;
  }

  logger.info(
    `vm-messenger ${VERSION} listening on ${config.listen.host}:${port} (TLS)` +
      `${legacyEnabled ? ' with the unauthenticated legacy protocol ON' : ''}; control socket ${config.controlSocket.path}`,
  );
  notifyStatus(`listening on port ${port}`, logger);
  notifyReady(logger);
  stopWatchdog = startWatchdog(logger);
  return daemon;
}

/** The address to put in a pairing string when listening on all interfaces: the first
 *  non-internal IPv4 address, which is what the Windows host reaches the VM by. */
export function pairingHost(listenHost: string): string {
  if (listenHost !== '0.0.0.0' && listenHost !== '::') return listenHost;
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
