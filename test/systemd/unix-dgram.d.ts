// Same declaration as daemon/src/systemd/unix-dgram.d.ts: ambient declarations do not cross project references.
/** The slice of `unix-dgram` (a native addon without bundled types) that sd_notify needs.
 *  Its events and callbacks fire synchronously from inside the calls below. */
declare module 'unix-dgram' {
  import type { EventEmitter } from 'node:events';

  export interface UnixDgramSocket extends EventEmitter {
    bind(path: string): void;
    /** Unconnected send; `callback` gets an errno-style error (`code` is a negative errno). */
    send(buf: Buffer, offset: number, length: number, path: string, callback?: (err?: Error & { code?: number | string }) => void): void;
    close(): void;
    on(event: 'message', listener: (buf: Buffer, rinfo: { size: number; path?: string }) => void): this;
    on(event: 'error', listener: (err: Error & { code?: number | string }) => void): this;
    on(event: 'listening', listener: () => void): this;
  }

  export function createSocket(type: 'unix_dgram', listener?: (buf: Buffer) => void): UnixDgramSocket;
}
