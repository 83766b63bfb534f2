/** Puts `window.vmMessenger` into a page the way preload does in Electron, backed by any object
 *  implementing `VmMessengerApi` on the Node side (the real tray core, connected to a real daemon).
 *  Calls go page → Node through one Playwright binding; updates go Node → page through
 *  `page.evaluate`, in order. */
import type { Page } from 'playwright-core';
import type { ChatUpdate, VmMessengerApi } from 'vm-messenger-tray/core';

const METHODS = [
  'getSnapshot',
  'sendText',
  'sendImage',
  'pair',
  'reconnectNow',
  'loadOlder',
  'openImage',
  'imageData',
  'imageAction',
  'openLink',
  'retry',
  'remove',
  'markRead',
  'updateSettings',
  'sendFile',
  'openFile',
  'showInFolder',
] as const;
type Method = (typeof METHODS)[number];

export interface PageBridge {
  /** Resolves once every update emitted so far has reached the page. */
  flushed(): Promise<void>;
  /** Sends one update that does not come from the core (main's own: scroll to a message, focus). */
  push(update: ChatUpdate): void;
  dispose(): void;
}

export async function installBridge(page: Page, api: VmMessengerApi): Promise<PageBridge> {
  await page.exposeBinding('__vmmCall', async (_source, method: unknown, args: unknown) => {
    if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method) || !Array.isArray(args)) {
      throw new Error(`vmMessenger: no such call ${String(method)}`);
    }
    return toWire(await call(api, method as Method, args.map(fromWire)));
  });
  await page.addInitScript(pageSide);

  let queue: Promise<void> = Promise.resolve();
  const push = (update: ChatUpdate): void => {
    queue = queue.then(() =>
      page
        .evaluate((u) => (window as unknown as { __vmmPush(u: unknown): void }).__vmmPush(u), update)
        // A page that is navigating or closed misses the update; it reads a fresh snapshot anyway.
        .catch(() => undefined),
    );
  };
  const unsubscribe = api.onUpdate(push);
  return { flushed: () => queue, push, dispose: unsubscribe };
}

function call(api: VmMessengerApi, method: Method, args: unknown[]): Promise<unknown> {
  const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(api, args);
}

/** Bytes cross the binding as base64 (JSON cannot carry a Uint8Array). */
function fromWire(arg: unknown): unknown {
  if (arg && typeof arg === 'object' && '__bytes' in arg && 'name' in arg) {
    const { name, __bytes } = arg as { name: string; __bytes: string };
    return { name, bytes: new Uint8Array(Buffer.from(__bytes, 'base64')) };
  }
  return arg;
}

/** An answer carrying bytes (imageData) crosses as base64 too. */
function toWire(result: unknown): unknown {
  if (result && typeof result === 'object' && 'bytes' in result && result.bytes instanceof Uint8Array) {
    return { ...result, bytes: { __bytes: Buffer.from(result.bytes).toString('base64') } };
  }
  return result;
}

/** Runs in the page before its own scripts (serialised by Playwright: self-contained). */
function pageSide(): void {
  type Listener = (u: unknown) => void;
  const w = window as unknown as {
    __vmmCall(method: string, args: unknown[]): Promise<unknown>;
    __vmmPush(u: unknown): void;
  };
  const listeners = new Set<Listener>();
  w.__vmmPush = (u) => {
    for (const l of [...listeners]) l(u);
  };
  const toBase64 = (bytes: Uint8Array): string => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const fromBase64 = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const call = async (method: string, ...args: unknown[]): Promise<unknown> => {
    const result = await w.__vmmCall(method, args);
    if (result && typeof result === 'object' && 'bytes' in result) {
      const bytes = (result as { bytes: unknown }).bytes;
      if (bytes && typeof bytes === 'object' && '__bytes' in bytes) return { ...result, bytes: fromBase64(String((bytes as { __bytes: string }).__bytes)) };
    }
    return result;
  };
  const api = {
    getSnapshot: () => call('getSnapshot'),
    onUpdate: (l: Listener) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    sendText: (text: string) => call('sendText', text),
    sendImage: (file: { name: string; bytes: Uint8Array }) => call('sendImage', { name: file.name, __bytes: toBase64(file.bytes) }),
    sendFile: (file: { name: string; bytes: Uint8Array }) => call('sendFile', { name: file.name, __bytes: toBase64(file.bytes) }),
    openFile: (key: string) => call('openFile', key),
    showInFolder: (key: string) => call('showInFolder', key),
    pair: (pairing: string, clientName?: string) => call('pair', pairing, clientName),
    reconnectNow: () => call('reconnectNow'),
    loadOlder: () => call('loadOlder'),
    openImage: (key: string) => call('openImage', key),
    imageData: (key: string) => call('imageData', key),
    imageAction: (key: string, action: string) => call('imageAction', key, action),
    openLink: (url: string) => call('openLink', url),
    retry: (key: string) => call('retry', key),
    remove: (key: string) => call('remove', key),
    markRead: () => call('markRead'),
    updateSettings: (patch: unknown) => call('updateSettings', patch),
  };
  Object.defineProperty(window, 'vmMessenger', { value: Object.freeze(api), enumerable: true });
  // Records any Content-Security-Policy violation the page causes, for the tests to assert none.
  const violations: string[] = [];
  (window as unknown as { __cspViolations: string[] }).__cspViolations = violations;
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
}
