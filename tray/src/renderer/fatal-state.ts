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

const TITLES: Record<string, string> = {
  bad_token: 'This VM no longer accepts this pairing',
  bad_fingerprint: "The VM's certificate has changed",
  revoked: "This computer's pairing was revoked",
  unsupported_protocol: 'This VM runs an incompatible version',
};

export function fatalContent(state: ConnectionState): FatalContent | undefined {
  if (state.status !== 'auth-failed') return undefined;
  const plain = plainError(state.code);
  const pair = plain.action === 'pair';
  return {
    title: TITLES[state.code] ?? 'Cannot connect to the VM',
    text: plain.text,
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
