/** The card shown in place of the conversation when retrying cannot help (the VM rejects this
 *  pairing, its certificate changed, the pairing was revoked): what happened, in plain words, and
 *  the one thing to do. The composer is disabled meanwhile (see app.ts). */
import type { ConnectionState } from '../core/bridge-api.js';
import { plainError } from './error-text.js';

export interface FatalElements {
  root: HTMLElement;
  title: HTMLElement;
  text: HTMLElement;
  action: HTMLButtonElement;
  detailsToggle: HTMLButtonElement;
  details: HTMLElement;
}

export interface FatalContent {
  title: string;
  text: string;
  action: { label: string; run: 'pair' | 'reconnect' };
  detail: string;
}

/** Title and next step per code; the card says each once (the plain sentence elsewhere says both). */
const CARDS: Record<string, { title: string; text: string }> = {
  bad_token: { title: 'This VM no longer accepts this pairing', text: 'Run vmctl pair on the VM and paste the new pairing string.' },
  bad_fingerprint: {
    title: "The VM's certificate has changed",
    text: 'If the VM was reinstalled, pair again. If not, check your network first: something may be intercepting the connection.',
  },
  revoked: { title: 'This VM removed this computer', text: 'Ask for a new pairing string (vmctl pair on the VM) and pair again.' },
  unsupported_protocol: { title: 'This VM runs an incompatible version', text: 'Update VM Messenger here or the service on the VM, then try again.' },
};

export function fatalContent(state: ConnectionState): FatalContent | undefined {
  if (state.status !== 'auth-failed') return undefined;
  const pair = plainError(state.code).action === 'pair';
  const card = CARDS[state.code] ?? { title: 'Cannot connect to the VM', text: plainError(state.code).text };
  return {
    ...card,
    action: pair ? { label: 'Pair again', run: 'pair' } : { label: 'Try again', run: 'reconnect' },
    detail: state.reason,
  };
}

export class FatalState {
  private run: 'pair' | 'reconnect' = 'pair';

  constructor(
    private readonly ui: FatalElements,
    actions: { pairAgain(): void; reconnectNow(): void },
  ) {
    ui.action.addEventListener('click', () => (this.run === 'pair' ? actions.pairAgain() : actions.reconnectNow()));
    ui.detailsToggle.addEventListener('click', () => {
      ui.details.hidden = !ui.details.hidden;
      ui.detailsToggle.setAttribute('aria-expanded', String(!ui.details.hidden));
    });
  }

  /** Returns whether the state is fatal (the card shows). */
  update(state: ConnectionState): boolean {
    const content = fatalContent(state);
    this.ui.root.hidden = !content;
    if (!content) return false;
    this.ui.title.textContent = content.title;
    this.ui.text.textContent = content.text;
    this.ui.action.textContent = content.action.label;
    this.ui.details.textContent = content.detail;
    this.ui.detailsToggle.hidden = content.detail === '';
    this.run = content.action.run;
    return true;
  }
}
