/** The connection in the header (a dot whose shape and colour say the state, and a few words) and,
 *  when something is wrong but retrying helps, ONE line saying what is happening and what the
 *  user can do, with the technical detail behind "Details". States retrying cannot fix (pairing
 *  rejected, certificate changed, revoked) are the fatal card's, not the banner's. */
import type { ConnectionState } from '../core/bridge-api.js';
import { plainError } from './error-text.js';
import { secondsUntil } from './format.js';

export interface BannerElements {
  root: HTMLElement;
  text: HTMLElement;
  detailsToggle: HTMLButtonElement;
  details: HTMLElement;
  action: HTMLButtonElement;
  dot: HTMLElement;
  statusText: HTMLElement;
}

export interface BannerActions {
  reconnectNow(): void;
}

export interface BannerContent {
  kind: 'warning' | 'info';
  /** One line. */
  text: string;
  /** Technical detail, behind "Details". */
  detail: string;
  action?: string;
}

type FatalCode = Extract<ConnectionState, { status: 'auth-failed' }>['code'];

const FATAL_HEADER: Partial<Record<FatalCode | 'revoked', string>> = {
  bad_token: 'Pairing rejected',
  bad_fingerprint: 'Certificate changed',
  revoked: 'Pairing revoked',
  unsupported_protocol: 'Incompatible VM',
};

export function headerStatus(state: ConnectionState): { dot: string; text: string } {
  switch (state.status) {
    case 'unpaired':
      return { dot: 'disconnected', text: 'Not paired' };
    case 'disconnected':
      return { dot: 'disconnected', text: 'Offline' };
    case 'connecting':
      return { dot: 'connecting', text: 'Connecting…' };
    case 'connected':
      return { dot: 'connected', text: `Connected to ${state.serverName}` };
    case 'reconnecting':
      // The banner says why and when; the header only that we are offline.
      return { dot: 'reconnecting', text: 'Offline' };
    case 'auth-failed':
      return { dot: 'auth-failed', text: FATAL_HEADER[state.code] ?? 'Cannot connect' };
  }
}

/** `vm` is the daemon's name when known ("Can't reach dev-vm."). */
export function bannerContent(state: ConnectionState, now: number, vm?: string): BannerContent | undefined {
  switch (state.status) {
    case 'unpaired':
    case 'connected':
    case 'auth-failed':
      return undefined;
    case 'connecting':
      // The first attempt is usually over before anyone could read a banner.
      return state.attempt > 1 ? { kind: 'info', text: `Connecting to ${vm || 'the VM'}…`, detail: `Attempt ${state.attempt}.` } : undefined;
    case 'disconnected':
      return { kind: 'warning', text: 'Offline. Messages you send will wait.', detail: 'The connection is stopped.', action: 'Reconnect' };
    case 'reconnecting': {
      const s = secondsUntil(state.nextRetryAt, now);
      // A no-break space keeps "8 s" together.
      const when = s > 0 ? `Retrying in ${s}\u00a0s` : 'Retrying…';
      const why = plainError(state.lastErrorCode ?? 'connection_lost', vm ? { vm } : {}).text;
      const detail = [state.lastError ? `${state.lastError}.` : '', `Attempt ${state.attempt}.`, 'Messages you send wait and go out when the VM is back.'].filter(Boolean).join(' ');
      return { kind: 'warning', text: `${why} ${when}`, detail, action: 'Retry now' };
    }
  }
}

export class ConnectionBanner {
  private state: ConnectionState = { status: 'connecting', attempt: 1 };
  private vm: string | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly ui: BannerElements,
    actions: BannerActions,
  ) {
    ui.action.addEventListener('click', () => actions.reconnectNow());
    ui.detailsToggle.addEventListener('click', () => {
      ui.details.hidden = !ui.details.hidden;
      ui.detailsToggle.setAttribute('aria-expanded', String(!ui.details.hidden));
    });
  }

  update(state: ConnectionState, vm?: string): void {
    this.state = state;
    this.vm = vm;
    const header = headerStatus(state);
    this.ui.dot.dataset['state'] = header.dot;
    this.ui.statusText.textContent = header.text;
    this.paint();
    // Only the countdown needs a clock.
    clearInterval(this.ticker);
    this.ticker = state.status === 'reconnecting' ? setInterval(() => this.paint(), 1000) : undefined;
  }

  private paint(): void {
    const content = bannerContent(this.state, Date.now(), this.vm);
    const { root, text, details, detailsToggle, action } = this.ui;
    if (!content) {
      root.hidden = true;
      details.hidden = true;
      detailsToggle.setAttribute('aria-expanded', 'false');
      return;
    }
    root.hidden = false;
    root.dataset['kind'] = content.kind;
    if (text.textContent !== content.text) text.textContent = content.text;
    if (details.textContent !== content.detail) details.textContent = content.detail;
    action.hidden = !content.action;
    if (content.action && action.textContent !== content.action) action.textContent = content.action;
  }
}
