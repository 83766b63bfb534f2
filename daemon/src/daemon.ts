import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  ProtocolError,
  DEFAULT_LIMITS,
  formatPairing,
  nameKey,
  newEventId,
  type ClientInfo,
  type ClientListEntry,
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
import { createdMessage, loadOrCreateIdentity, rotateEnrolmentToken, type Identity } from './identity.js';
import { clientListing } from './client-listing.js';
import { Enrolment } from './enrolment.js';
import { PairedClients } from './paired-clients.js';
import { choosePairingHost } from './pairing-host.js';
import { createImageService, type BlobEvent, type UploadSink } from './image-service.js';
import { cleanPartials, ImageLibrary, partialDirOf } from './images/index.js';
import { createLogger, type Logger } from './logger.js';
import { startControlServer, type ControlServer } from './control/control-server.js';
import { notifyReady, notifyStatus, notifyStopping, startWatchdog } from './systemd/notify.js';
import { V2Server } from './v2/v2-server.js';
import { DownloadSlots } from './v2/download-slots.js';
import { SharedFileReads } from './v2/shared-file-reads.js';
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
  /** The enrolment token in force now. */
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
  const createdLine = createdMessage(created, config.stateDir);
  if (createdLine) logger.info(createdLine);

  const storage = new StorageHealth(logger);
  const history = new History(path.join(config.stateDir, 'history.sqlite3'), storage, config.storage.durability);
  const conversation = new Conversation(history, { busyTimeoutMs: config.storage.busyTimeoutMs, logger });
  const clients = new ClientRegistry();
  let seenLostLogged = false;
  const paired = new PairedClients(path.join(config.stateDir, 'clients.sqlite3'), (err) => {
    // Once per run: the times are retried at each connect and disconnect anyway.
    if (!seenLostLogged) logger.warn(`cannot record when clients were last seen: ${err.message}`);
    seenLostLogged = true;
  });
  const enrolment = new Enrolment({
    store: paired,
    enrolmentToken: () => identity.token,
    isConnected: (id) => clients.isConnected(id),
    connectedNameTaken: (key, except) => clients.nameTaken(key, except),
    maxNameLength: DEFAULT_LIMITS.maxNameLength,
  });
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
  const ctx: DaemonContext = { config, identity, conversation, clients, enrolment, images, logger, downloads, fileReads: new SharedFileReads() };

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
  const listClients = (all: boolean) => clientListing(paired.list(), clients.list(), { all, now: Date.now() });
  /** A paired client by id, or by name among those not revoked (exact, then ignoring case). */
  const findPaired = (nameOrId: string) => {
    const records = paired.list();
    const found =
      records.find((c) => c.id === nameOrId) ??
      records.find((c) => c.revokedAt === undefined && c.name === nameOrId) ??
      records.find((c) => c.revokedAt === undefined && nameKey(c.name) === nameKey(nameOrId));
    if (found) return found;
    if (clients.find(nameOrId)?.info().protocol === 'legacy') {
      throw new ProtocolError('bad_request', `"${nameOrId}" is a legacy client: it has no credential to revoke (restrict legacy clients with legacy.allow)`);
    }
    throw new ProtocolError('unknown_client', `no paired client "${nameOrId}" (see vmctl clients)`);
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
    listClients: (all = false): ClientListEntry[] => listClients(all),
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
          id: newEventId(),
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
      const handles = clients.findAll(client);
      const first = handles[0];
      if (!first) throw new ProtocolError('unknown_client', `no connected client "${client}" (see vmctl clients)`);
      const info = first.info();
      for (const handle of handles) handle.kick('disconnected by the VM operator');
      return info;
    },
    revoke(client) {
      const record = findPaired(client);
      if (record.revokedAt === undefined) {
        paired.revoke(record.id, Date.now());
        logger.info(`revoked client ${record.id} "${record.name}"`);
      }
      for (const handle of clients.connectionsOf(record.id)) handle.revoke?.('this VM removed this computer');
      const row = listClients(true).find((c) => c.id === record.id);
      if (!row) throw new Error(`revoked client ${record.id} is not listed`);
      return row;
    },
    pairing(host) {
      const choice = choosePairingHost({
        requested: host,
        configured: config.pairing.host,
        listenHost: config.listen.host,
        listensOnIpv6: config.listen.host.includes(':'),
        interfaces: () => os.networkInterfaces(),
      });
      return {
        pairing: formatPairing({ host: choice.host, port: daemon.port, token: identity.token, fingerprint: identity.fingerprint, serverName: config.serverName }),
        fingerprint: identity.fingerprint,
        host: choice.host,
        port: daemon.port,
        hostSource: choice.source,
        ...(choice.otherHosts ? { otherHosts: choice.otherHosts } : {}),
        ...(choice.warning ? { warning: choice.warning } : {}),
      };
    },
    async rotateEnrolmentToken() {
      await rotateEnrolmentToken(identity, config.stateDir);
      logger.info('replaced the enrolment token (vmctl pair --rotate); paired clients are unaffected');
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
        paired.close();
        logger.info('stopped');
        resolveStopped();
      })();
      return stopping;
    },
  };

  if (config.listen.host === '::' && !(await canListenOn('::'))) {
    logger.info('this machine has no IPv6: listening on IPv4 only (0.0.0.0)');
    config.listen.host = '0.0.0.0';
  }
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
    /** The enrolment token in force (it changes with `vmctl pair --rotate`). */
    get token() {
      return identity.token;
    },
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

/** Whether a socket of the address's family can be bound (`::` fails where the kernel has no IPv6). */
function canListenOn(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, host, () => probe.close(() => resolve(true)));
  });
}
