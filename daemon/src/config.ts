import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isNetwork } from './legacy/allow-list.js';
import { CHUNK_HEADER_BYTES, DEFAULT_LIMITS, DEFAULT_PORT, HANDSHAKE_TIMEOUT_MS, KEEPALIVE_TIMEOUT_MS, parsePairingHost } from '@vm-messenger/protocol';

/** The daemon's configuration file (JSON). Every key is optional: the embedded defaults make a fresh
 *  machine work with no file at all. Relative directories are resolved against the state dir.
 *  Nested sections use zod 4's `prefault`, which runs a missing section through its schema so the
 *  inner defaults apply (`default` would hand back the bare `{}`). */
export const ConfigFile = z
  .object({
    serverName: z.string().min(1).max(120).optional().describe('The name clients show for this VM; default: the host name.'),
    listen: z
      .object({
        host: z
          .string()
          .min(1)
          .default('::')
          .describe('Address the network listener binds to (`--host` wins). `::` is every IPv4 and IPv6 address (dual stack); on a machine without IPv6 the daemon falls back to `0.0.0.0` and says so in its log.'),
        port: z.number().int().min(0).max(65535).default(DEFAULT_PORT).describe('TCP port for v2 clients and, if enabled, legacy clients; 0 = any free port (`--port` wins).'),
      })
      .strict()
      .prefault({})
      .describe('The network listener (TLS WebSocket, and the legacy protocol when enabled).'),
    pairing: z
      .object({
        host: z
          .string()
          .refine((h) => parsePairingHost(h).ok, 'must be a hostname, an IPv4 address, or an IPv6 address in brackets')
          .optional()
          .describe('The host put in pairing strings: the name or address the client machine reaches this VM by. Default: the listen address if it is one address, else the first non-loopback IPv4 address of the VM (`vmctl pair --host` wins).'),
      })
      .strict()
      .prefault({})
      .describe('What `vmctl pair` puts in the pairing string.'),
    stateDir: z.string().min(1).optional().describe('Certificate, token, history and images; default: `--state-dir`, else `$STATE_DIRECTORY`, else `./.state`.'),
    libraryDir: z.string().min(1).default('server_images').describe('The image library that `vmctl send NAME` and clients\' library requests read; relative to the state dir.'),
    receivedDir: z.string().min(1).default('received_images').describe('Where every received image is saved under its safe name; relative to the state dir.'),
    filesDir: z
      .string()
      .min(1)
      .default('received_files')
      .describe('Where every received file that is not an image is saved under its safe name; relative to the state dir.'),
    controlSocket: z
      .object({
        path: z.string().min(1).optional().describe('The Unix socket vmctl talks to; default: `<stateDir>/control.sock` (`--control-socket` wins).'),
        mode: z.number().int().min(0).max(0o777).default(0o660).describe('Permission bits of the socket, as a number (432 = 0o660: owner and group).'),
        group: z.string().min(1).optional().describe('Group (name or gid) given the socket, so its members may use vmctl; skipped with a warning when not permitted.'),
      })
      .strict()
      .prefault({})
      .describe('The local control socket (vmctl).'),
    logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info').describe('Least severe log level written; tokens and message bodies are never logged at `info`.'),
    limits: z
      .object({
        maxClients: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(1000)
          .describe('Connected clients (v2 and legacy together); one more is refused with `too_many_clients`. An idle client costs about 53 KB, so 1,000 cost about 53 MB.'),
        maxFrameBytes: z.number().int().min(4096).default(DEFAULT_LIMITS.maxFrameBytes).describe('Largest WebSocket frame accepted, in raw bytes of the frame payload (JSON text or binary chunk with its header).'),
        maxTextLength: z.number().int().min(1).default(DEFAULT_LIMITS.maxTextLength).describe('Characters (UTF-16 code units) in one text message.'),
        maxImageBytes: z.number().int().min(1).default(DEFAULT_LIMITS.maxImageBytes).describe('Bytes of one image file.'),
        maxImagePixels: z.number().int().min(1).default(DEFAULT_LIMITS.maxImagePixels).describe('Width × height of one image; larger is refused as a decompression bomb.'),
        maxFileBytes: z
          .number()
          .int()
          .min(1)
          .default(DEFAULT_LIMITS.maxFileBytes)
          .describe('Bytes of one file that is not an image (uploads stream to disk: this bounds disk use, not memory).'),
        chunkBytes: z.number().int().min(1024).default(256 * 1024).describe('Payload bytes of one binary chunk, without its 4-byte transfer header; announced in `welcome`, and clients upload in chunks of this size. Keep it below maxFrameBytes; 256 KiB measured faster than 64 KiB for uploads while text still overtakes a transfer within one chunk.'),
        sendQueueBytes: z.number().int().min(64 * 1024).default(16 * 1024 * 1024).describe('Bytes queued for one client before it is dropped as a slow consumer (close 4005), if they are still queued after slowConsumerMs; four times as many drop it at once.'),
        slowConsumerMs: z
          .number()
          .int()
          .min(10)
          .default(2000)
          .describe('How long a client may stay more than sendQueueBytes behind before it is dropped as a slow consumer; a burst that a reading client drains within it does no harm.'),
        downloadChunkBytes: z
          .number()
          .int()
          .min(1024)
          .max(DEFAULT_LIMITS.maxFrameBytes - CHUNK_HEADER_BYTES)
          .default(512 * 1024)
          .describe('Bytes of one binary frame of a download (fetch-image, library-get); each download holds about two of them in memory. 512 KiB pushed a 200 MiB file to 10 clients 2–24 % faster than 256 KiB (docs/BENCHMARKS.md), and text still overtakes a download within one chunk.'),
        downloadsPerClient: z
          .number()
          .int()
          .min(1)
          .default(4)
          .describe('Downloads one client may have in progress at once; further requests wait their turn.'),
        queuedDownloadsPerClient: z
          .number()
          .int()
          .min(0)
          .default(64)
          .describe('Download requests one client may have waiting; beyond that they are refused with too_many_transfers.'),
        maxDownloads: z
          .number()
          .int()
          .min(1)
          .default(32)
          .describe('Downloads in progress over all clients (each holds an open file); further requests wait their turn.'),
        handshakeTimeoutMs: z.number().int().min(50).default(HANDSHAKE_TIMEOUT_MS).describe('Time a new connection has for TLS, the WebSocket upgrade and `hello`.'),
        keepaliveTimeoutMs: z
          .number()
          .int()
          .min(50)
          .default(KEEPALIVE_TIMEOUT_MS)
          .describe('A peer silent this long is dropped (close 4008); the daemon pings every third of it.'),
        badTokenDelayMs: z.number().int().min(0).default(1000).describe('Delay before answering a wrong token, against guessing.'),
        badTokenMaxDelayMs: z
          .number()
          .int()
          .min(0)
          .default(60_000)
          .describe('Longest delay for wrong tokens from one IP: each wrong try doubles it (from badTokenDelayMs) and hellos from that IP wait their turn; a correct token from an IP with no recent failures is never delayed'),
        maxUnauthenticated: z
          .number()
          .int()
          .min(1)
          .default(256)
          .describe('TCP connections that have not yet been welcomed, from all addresses together; more are closed at once, before any TLS work'),
        maxUnauthenticatedPerIp: z
          .number()
          .int()
          .min(1)
          .default(16)
          .describe('Connections from one IP address that have not yet been welcomed; more are closed at once, before any TLS work'),
        uploadsPerConnection: z.number().int().min(1).default(4).describe('Uploads one client may have open at once (too_many_transfers beyond)'),
        maxUploads: z.number().int().min(1).default(32).describe('Uploads open at once across all clients, vmctl and legacy (each holds a file descriptor and a temp file)'),
        uploadIdleTimeoutMs: z.number().int().min(50).default(30_000).describe('An upload that receives no chunk for this long is aborted and its temp file removed'),
        uploadWindowBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .default(8 * 1024 * 1024)
          .describe('Upload bytes one connection may have received but not yet written to disk; the socket is paused beyond it (announced in welcome so clients size their send window)'),
        decodesInFlight: z.number().int().min(1).default(2).describe('Image decodes (validation and thumbnail) running at once; more wait in a queue'),
        decodeMemoryBytes: z
          .number()
          .int()
          .min(16 * 1024 * 1024)
          .default(128 * 1024 * 1024)
          .describe('Estimated decoder memory all running decodes may use together; an image whose decode alone would need more is refused with image_rejected'),
        decodeQueueLength: z.number().int().min(0).default(64).describe('Decodes that may wait for a turn; beyond it an upload is refused with busy'),
        maxAnimationFrames: z.number().int().min(1).default(1000).describe('Frames of one animated GIF or WebP'),
        maxAnimationPixels: z
          .number()
          .int()
          .min(1)
          .default(400_000_000)
          .describe('Pixels of all frames of one animated image together (width × height × frames): what a viewer decodes to play it'),
      })
      .strict()
      .prefault({})
      .describe('Limits that protect the daemon and its clients.'),
    storage: z
      .object({
        durability: z
          .enum(['os-crash', 'daemon-crash'])
          .default('os-crash')
          .describe(
            'What an accepted message survives. os-crash: it is fsynced to disk before its sender is told it was accepted or anyone sees it, so it survives an OS crash or power loss (the fsync runs beside the event loop; a burst shares one). daemon-crash: it is acknowledged once in the OS page cache, which survives the daemon being killed but an OS crash may lose the last few seconds.',
          ),
        busyTimeoutMs: z
          .number()
          .int()
          .min(0)
          .default(5000)
          .describe('How long a message waits for a history database locked by another program before it is refused with storage_busy.'),
      })
      .strict()
      .prefault({})
      .describe('The history database (SQLite).'),
    legacy: z
      .object({
        enabled: z.boolean().default(false).describe('Serve clients of the original, unauthenticated line protocol (see docs/LEGACY.md).'),
        allow: z
          .array(z.string().refine(isNetwork, 'must be a network such as 192.168.56.0/24 or fd00::/8, or a single IP address'))
          .default([])
          .describe('Networks (CIDR) or addresses allowed to use the legacy protocol; empty = any.'),
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .optional()
          .describe('An extra plain-TCP port for legacy clients only, where they get their first ping on accept (the main port keeps serving both, after `legacy.detectionWaitMs`).'),
        pingIntervalMs: z.number().int().min(10).default(1000).describe('How often legacy clients are pinged, as the original server did.'),
        maxLineBytes: z.number().int().min(1024).optional().describe('Longest line accepted from a legacy client; default: `limits.maxImageBytes` in base64 plus 64 KiB.'),
        detectionWaitMs: z
          .number()
          .int()
          .min(20)
          .max(10_000)
          .default(100)
          .describe(
            'How long the main port waits for a first byte before taking a silent peer for an original client ' +
              '(which waits for the server to speak) and sending it its first ping. Shorter: original clients get ' +
              'their first ping sooner. Too short: a tray client whose TLS hello is later than this is taken for an ' +
              'original client, fails its handshake and reconnects. `legacy.port` pings at once, with no wait.',
          ),
        stalledUploadMs: z
          .number()
          .int()
          .min(100)
          .default(10_000)
          .describe(
            'An `IMAGE:` line that stops arriving for this long before its end is taken as cut off (the original ' +
              "client's socket.send() sends a large image only in part, and never the rest): the client is told at " +
              'once with `IMAGE_ERROR` naming the file, and nothing is stored.',
          ),
        clientMaxLineBytes: z
          .number()
          .int()
          .min(4096)
          .default(3 * 1024 * 1024)
          .describe(
            'Longest line the original client keeps: its reader throws away a line once more than 3 MiB of it is ' +
              'unread. An image whose SERVER_IMAGE line would be longer is sent to legacy clients as a smaller ' +
              're-encoded copy that fits. Raise it only for a client whose reader was changed.',
          ),
      })
      .strict()
      .prefault({})
      .describe('The compatibility listener for the original clients.'),
  })
  .strict();

export type ConfigFile = z.infer<typeof ConfigFile>;

export interface DaemonConfig extends Omit<ConfigFile, 'stateDir' | 'serverName' | 'controlSocket'> {
  serverName: string;
  stateDir: string;
  controlSocket: { path: string; mode: number; group?: string };
}

export class ConfigError extends Error {
  readonly code = 'bad_config';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates a parsed config object; `source` names it in errors. */
export function parseConfig(json: unknown, source: string): ConfigFile {
  const parsed = ConfigFile.safeParse(json);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration in ${source}:\n${lines.join('\n')}`);
}

export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read configuration ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`configuration ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(json, file);
}

/** Fills in the directories: explicit overrides win over the file, the file over the defaults. */
export function resolveConfig(
  file: ConfigFile,
  opts: { stateDir?: string; controlSocket?: string; defaultStateDir: string; hostname: string },
): DaemonConfig {
  const stateDir = path.resolve(opts.stateDir ?? file.stateDir ?? opts.defaultStateDir);
  const controlPath = opts.controlSocket ?? file.controlSocket.path ?? path.join(stateDir, 'control.sock');
  return {
    ...file,
    serverName: file.serverName ?? opts.hostname,
    stateDir,
    libraryDir: path.resolve(stateDir, file.libraryDir),
    receivedDir: path.resolve(stateDir, file.receivedDir),
    filesDir: path.resolve(stateDir, file.filesDir),
    controlSocket: { ...file.controlSocket, path: path.resolve(controlPath) },
  };
}
