/** The client's persisted settings: ONE zod schema; the JSON Schema that conf / electron-store
 *  validate the file with, and the defaults, are derived from it, so the two cannot drift.
 *  The pairing token is deliberately absent: it lives in a SecretStore. */
import Conf from 'conf';
import { z } from 'zod';
import type { Schema } from 'conf';
import { DEFAULT_LIMITS } from '@vm-messenger/protocol';
import { parseAccelerator } from './accelerator.js';
import type { PersistedSettings } from './ports.js';

export const TraySettings = z.object({
  /** The daemon, from the pairing string. Absent until paired. */
  host: z.string().min(1).max(255).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** SHA-256 of the daemon's certificate, 64 lowercase hex digits. */
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** The daemon's name, for display (from its welcome). */
  serverName: z.string().max(120).optional(),
  /** The name this client asks for; empty means the computer's name. */
  clientName: z.string().max(DEFAULT_LIMITS.maxNameLength).default(''),
  /** Where received images are saved; empty means the host's default folder. */
  receivedImagesDir: z.string().default(''),
  /** Where received files (not images) are saved; empty means `Downloads/VM Messenger`. */
  receivedFilesDir: z.string().max(1024).default(''),
  notifications: z.boolean().default(true),
  doNotDisturb: z.boolean().default(false),
  startAtLogin: z.boolean().default(false),
  /** Opens the chat from anywhere (an Electron accelerator); empty means none. */
  globalShortcut: z.string().max(100).default('Ctrl+Alt+M'),
  /** The newest seq the user has looked at: older events are never toasted and not unread. */
  lastSeenSeq: z.number().int().nonnegative().default(0),
  /** The newest seq received: the resume point after a restart of the client. */
  lastReceivedSeq: z.number().int().nonnegative().optional(),
});
export type TraySettings = z.infer<typeof TraySettings>;

const jsonSchema = z.toJSONSchema(TraySettings, { io: 'input', target: 'draft-2020-12' }) as { properties: Record<string, unknown> };

/** conf's `schema` option: the `properties` of the derived JSON Schema. */
export const settingsSchema = jsonSchema.properties as Schema<PersistedSettings>;
export const settingsDefaults: PersistedSettings = TraySettings.parse({});

export type SettingsPatch = Partial<
  Pick<TraySettings, 'notifications' | 'doNotDisturb' | 'startAtLogin' | 'clientName' | 'receivedImagesDir' | 'receivedFilesDir' | 'globalShortcut'>
>;
const SettingsPatch = TraySettings.pick({
  notifications: true,
  doNotDisturb: true,
  startAtLogin: true,
  clientName: true,
  receivedImagesDir: true,
  receivedFilesDir: true,
  globalShortcut: true,
})
  .partial()
  .strict();

/** Reads and validates the whole store. A value conf let through but zod refuses (cannot happen
 *  with the derived schema, but the file may be hand-edited) falls back to its default. */
export function readSettings(store: Conf<PersistedSettings>): TraySettings {
  const parsed = TraySettings.safeParse(store.store);
  if (parsed.success) return parsed.data;
  const raw = { ...store.store };
  for (const issue of parsed.error.issues) {
    const key = issue.path[0];
    if (typeof key === 'string') delete raw[key];
  }
  return TraySettings.parse(raw);
}

export type PatchResult = { ok: true; value: SettingsPatch } | { ok: false; code: string; message: string };

export function validatePatch(patch: unknown): PatchResult {
  const parsed = SettingsPatch.safeParse(patch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: 'invalid_setting', message: `invalid setting${issue?.path.length ? ` ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}` };
  }
  if (parsed.data.globalShortcut === undefined) return { ok: true, value: parsed.data };
  const shortcut = parseAccelerator(parsed.data.globalShortcut);
  if (!shortcut.ok) return { ok: false, code: 'shortcut_invalid', message: shortcut.message };
  return { ok: true, value: { ...parsed.data, globalShortcut: shortcut.value } };
}

/** Writes validated values; `undefined` removes a key (conf cannot store undefined). */
export function writeSettings(store: Conf<PersistedSettings>, values: Partial<TraySettings>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) store.delete(key);
    else store.set(key, value);
  }
}

/** A conf store with the core's schema, as the terminal client and tests use it (electron-store
 *  builds the same in the app, so the file format is one). */
export function openSettingsStore(dir: string | undefined, configName = 'settings'): Conf<PersistedSettings> {
  return new Conf<PersistedSettings>({
    ...(dir ? { cwd: dir } : { projectName: 'vm-messenger-client' }),
    configName,
    schema: settingsSchema,
    defaults: settingsDefaults,
    clearInvalidConfig: false,
  });
}
