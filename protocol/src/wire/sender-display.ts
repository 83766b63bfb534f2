/** How every user interface shows who said something (vmctl history/watch, vmm, the tray's chat
 *  view, the legacy bridge's lines). One function, so the kind of a sender is visible everywhere
 *  and no sender can look like another: only the VM is shown as plain `VM`; a client's name always
 *  carries its `[client]` tag, a legacy client is its IP address with `[legacy]`. */
import type { Sender } from './event.js';
import { VM_NAME, nameKey, visibleName } from './sender-name.js';

export type SenderKind = Sender['kind'];

/** The tag shown after a name, by kind. */
export const SENDER_KIND_TAG: Readonly<Record<SenderKind, string>> = { vm: 'VM', client: 'client', legacy: 'legacy' };

export interface SenderDisplay {
  kind: SenderKind;
  /** The visible name alone (invisible and bidi characters removed): `VM`, `alice`, `10.0.2.2`. */
  name: string;
  /** `VM`, `client` or `legacy`: for a badge beside the name. */
  tag: string;
  /** One line of text: `VM`, `alice [client]`, `10.0.2.2 [legacy]` (with `withId`: `alice [client c3]`). */
  label: string;
  /** Stable per sender, for colours and avatars: `vm`, `client:c3` (by name for events stored
   *  before clients had ids), `legacy:10.0.2.2`. */
  key: string;
}

export interface SenderDisplayOptions {
  /** Put the client's stable id in the tag (vmctl, where the operator may act on it). */
  withId?: boolean;
}

const plainAddress = (address: string): string => address.replace(/^::ffff:/i, '');

export function displaySender(sender: Sender, options: SenderDisplayOptions = {}): SenderDisplay {
  switch (sender.kind) {
    case 'vm':
      return { kind: 'vm', name: VM_NAME, tag: SENDER_KIND_TAG.vm, label: VM_NAME, key: 'vm' };
    case 'legacy': {
      // A legacy client has no name of its own: its address is who it is.
      const address = visibleName(plainAddress(sender.address ?? sender.name)) || '?';
      return { kind: 'legacy', name: address, tag: SENDER_KIND_TAG.legacy, label: `${address} [${SENDER_KIND_TAG.legacy}]`, key: `legacy:${address}` };
    }
    case 'client': {
      const name = visibleName(sender.name) || '?';
      const tag = options.withId && sender.id ? `${SENDER_KIND_TAG.client} ${sender.id}` : SENDER_KIND_TAG.client;
      return { kind: 'client', name, tag: SENDER_KIND_TAG.client, label: `${name} [${tag}]`, key: sender.id ? `client:${sender.id}` : `client-name:${nameKey(name)}` };
    }
  }
}

/** `displaySender(sender).label`. */
export const senderLabel = (sender: Sender, options?: SenderDisplayOptions): string => displaySender(sender, options).label;

/** The sender in an original client's `MESSAGE:<sender> | <text>` line. The VM stays `VM` and a
 *  legacy client its bare IP address, because the original client shows its own lines as "You"
 *  by comparing that field with its own address; a tray client carries its `[client]` tag. Both
 *  `VM` and IP addresses are reserved, so neither can be a tray client's name. The line
 *  protocol's own escaping (` | `, `: `) is the legacy bridge's job. */
export function legacyLineSender(sender: Sender): string {
  const shown = displaySender(sender);
  return shown.kind === 'client' ? shown.label : shown.name;
}
