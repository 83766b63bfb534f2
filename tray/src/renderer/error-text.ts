/** The one map from error codes to the plain sentences the window shows. Every code the daemon,
 *  the protocol or the tray core can produce has an entry (a test checks the protocol's list);
 *  the technical message stays behind "Details" and in the log. Pure: no DOM, so Node tests
 *  import it too. When you add an error code anywhere, add its sentence here. */
import { formatBytes } from './format.js';

/** What a sentence may mention. `vm` is the daemon's name when known. */
export interface ErrorFacts {
  vm?: string;
  target?: string;
  size?: number;
  limit?: number;
}

/** What the user can do about it; the UI turns it into a button. */
export type ErrorAction = 'retry' | 'pair' | 'reconnect' | 'remove';

export interface PlainError {
  text: string;
  action?: ErrorAction;
}

type Sentence = (f: ErrorFacts) => PlainError;

const vmName = (f: ErrorFacts): string => f.vm || 'the VM';
const limitText = (f: ErrorFacts, what: string): string =>
  f.size !== undefined && f.limit !== undefined ? `${what} is ${formatBytes(f.size)}; the limit is ${formatBytes(f.limit)}.` : `${what} is too large.`;
const plain = (text: string, action?: ErrorAction): Sentence => () => (action ? { text, action } : { text });

export const ERROR_SENTENCES: Readonly<Record<string, Sentence>> = {
  // Pairing and identity: retrying with the same pairing cannot help.
  bad_token: plain('This VM no longer accepts this pairing. Run vmctl pair on the VM and paste the new string.', 'pair'),
  bad_fingerprint: plain("The VM's certificate has changed. If the VM was reinstalled, pair again; if not, check your network first.", 'pair'),
  revoked: plain('This VM removed this computer. Ask for a new pairing string and pair again.', 'pair'),
  unsupported_protocol: plain('The VM runs an incompatible version of VM Messenger. Update the app or the VM service.'),
  unknown_client: plain('The VM does not know this computer any more. Pair again.', 'pair'),
  kicked: (f) => ({ text: `${vmName(f)} disconnected this computer.`, action: 'reconnect' }),
  not_paired: plain('Not paired yet. Paste the pairing string from vmctl pair first.', 'pair'),
  token_unreadable: plain('The saved pairing cannot be read on this Windows account. Pair again.', 'pair'),
  encryption_unavailable: plain('Windows offers no encrypted storage for the pairing right now. Sign in again, then retry.', 'retry'),

  // Reaching the daemon.
  connect_failed: (f) => ({ text: `Can't reach ${f.vm || f.target || 'the VM'}.`, action: 'reconnect' }),
  connection_lost: (f) => ({ text: `Lost the connection to ${vmName(f)}.`, action: 'reconnect' }),
  keepalive_timeout: (f) => ({ text: `${vmName(f)} stopped answering.`, action: 'reconnect' }),
  handshake_timeout: (f) => ({ text: `${vmName(f)} did not answer in time.`, action: 'reconnect' }),
  request_timeout: (f) => ({ text: `${vmName(f)} did not answer in time. It will be sent again.`, action: 'retry' }),
  server_shutdown: (f) => ({ text: `${vmName(f)} is restarting.`, action: 'reconnect' }),
  too_many_clients: (f) => ({ text: `${vmName(f)} has too many computers connected.`, action: 'reconnect' }),
  slow_consumer: plain('The connection was too slow to keep up, so the VM reset it.', 'reconnect'),
  closed: plain('The connection was closed.', 'reconnect'),
  offline: plain('Not connected. Try again once the VM is back.', 'retry'),
  not_welcomed: plain('The VM ended the connection before it was set up.', 'reconnect'),
  already_welcomed: plain('The connection got confused and was reset.', 'reconnect'),
  rate_limited: plain('Too many attempts in a short time. Wait a moment, then retry.', 'retry'),
  busy: (f) => ({ text: `${vmName(f)} is busy. Try again in a moment.`, action: 'retry' }),
  too_many_transfers: plain('Too many images are on their way. Try again when they are done.', 'retry'),
  transfer_in_use: plain('The transfer got mixed up with another one. Try again.', 'retry'),

  // Sending.
  empty_message: plain('Type a message first.'),
  text_too_long: (f) => ({
    text: f.size !== undefined && f.limit !== undefined ? `The message is ${f.size.toLocaleString()} characters; the limit is ${f.limit.toLocaleString()}.` : 'The message is too long.',
  }),
  empty_image: plain('That image file is empty.'),
  image_too_large: (f) => ({ text: limitText(f, 'The image') }),
  frame_too_large: (f) => ({ text: limitText(f, 'The message') }),
  image_rejected: plain('The VM refused this image: it is not a picture it can read, or too large in pixels.', 'remove'),
  file_rejected: plain('The VM refused this file.', 'remove'),
  forbidden_name: plain('The VM refused the file name. Rename the file and send it again.', 'remove'),
  invalid_utf8: plain('The message contains characters that cannot be sent.', 'remove'),
  invalid_frame: plain('The VM did not understand the message.', 'remove'),
  malformed_json: plain('The VM did not understand the message.', 'remove'),
  bad_request: plain('The VM did not understand the request.'),
  transfer_failed: plain('The transfer broke off. Try again.', 'retry'),
  queue_failed: plain('Could not keep the message for sending (is the disk full?).', 'retry'),
  file_missing: plain('The file is gone from this computer.', 'remove'),
  id_conflict: plain('The VM already has a different message under this id.', 'remove'),
  storage_full: (f) => ({ text: `${vmName(f)} is out of disk space. Free some space on the VM, then retry.`, action: 'retry' }),
  storage_busy: (f) => ({ text: `${vmName(f)} is busy saving. Try again in a moment.`, action: 'retry' }),
  storage_failed: (f) => ({ text: `${vmName(f)} could not save it. Try again; if it keeps happening, check the VM's disk.`, action: 'retry' }),

  // Images and links.
  not_found: plain('The VM no longer has this.'),
  no_such_image: plain('This image is not available.'),
  image_timeout: plain('The image did not arrive in time. Try again.', 'retry'),
  no_such_item: plain('That message is already gone.'),
  unsupported: plain('This cannot be done here.'),
  link_not_allowed: plain('Only web links (http and https) can be opened.'),
  open_failed: plain('Windows could not open it.'),
  copy_failed: plain('Could not copy the image.'),
  save_failed: plain('Could not save the file there.'),
  invalid_setting: plain('That value cannot be saved.'),
  shortcut_invalid: plain('That is not a shortcut. Use something like Ctrl+Alt+M.'),
  shortcut_taken: plain('Another app already uses that shortcut. Choose another.'),

  internal: plain('Something went wrong on the VM. Try again; if it keeps happening, check the VM service log.', 'retry'),
};

/** The plain sentence for a code; an unknown code still gets a sentence (never the raw message). */
export function plainError(code: string | undefined, facts: ErrorFacts = {}): PlainError {
  const sentence = code ? ERROR_SENTENCES[code] : undefined;
  return sentence ? sentence(facts) : { text: 'Something went wrong.', action: 'retry' };
}
