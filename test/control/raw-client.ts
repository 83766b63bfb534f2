import net from 'node:net';
import { parseControlReply, type ControlReply } from '@vm-messenger/protocol';

/** Talks to a control socket byte by byte, the way a buggy or hostile local tool would. */
export interface RawControlClient {
  send(text: string | Buffer): void;
  /** Every reply line, validated against the protocol. */
  readonly replies: ControlReply[];
  nextReply(timeoutMs?: number): Promise<ControlReply>;
  readonly closed: Promise<void>;
  close(): void;
}

export async function rawConnect(path: string): Promise<RawControlClient> {
  const socket = net.connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const replies: ControlReply[] = [];
  let consumed = 0;
  let buffered = '';
  let wake: (() => void) | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    buffered += text;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const parsed = parseControlReply(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (!parsed.ok) throw new Error(`daemon sent an invalid control line: ${parsed.message}`);
      replies.push(parsed.value);
    }
    wake?.();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => (wake?.(), resolve())));
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  return {
    send: (text) => void socket.write(text),
    replies,
    closed,
    async nextReply(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (consumed >= replies.length) {
        if (isClosed) throw new Error('connection closed while waiting for a reply');
        if (Date.now() > deadline) throw new Error('no reply in time');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return replies[consumed++]!;
    },
    close: () => socket.destroy(),
  };
}
