/** The connection in the header (dot + one line) and, when something is wrong, a banner saying
 *  what is happening and what the user can do about it. */
import type { ConnectionState } from '../core/bridge-api.js';
import { secondsUntil } from './format.js';

export interface BannerElements {
  root: HTMLElement;
  title: HTMLElement;
  detail: HTMLElement;
  action: HTMLButtonElement;
  dot: HTMLElement;
  statusText: HTMLElement;
}

export interface BannerActions {
  reconnectNow(): void;
  pairAgain(): void;
}

interface BannerContent {
  kind: 'warning' | 'error' | 'info';
  title: string;
  detail: string;
  action?: { label: string; run: 'reconnect' | 'pair' };
}

const AUTH_HELP: Record<Extract<ConnectionState, { status: 'auth-failed' }>['code'], string> = {
  bad_token: 'The VM no longer accepts this computer. Run vmctl pair on the VM and paste the new pairing string.',
  bad_fingerprint: "The VM's certificate is not the one you paired with. If the VM was reinstalled, pair again; if not, something may be intercepting the connection.",
  unsupported_protocol: 'The VM runs an incompatible version of VM Messenger. Update the app or the VM service, then reconnect.',
};

export function headerStatus(state: ConnectionState): { dot: string; text: string } {
  switch (state.status) {
    case 'unpaired':
      return { dot: 'disconnected', text: 'Not paired' };
    case 'disconnected':
      return { dot: 'disconnected', text: 'Disconnected' };
    case 'connecting':
      return { dot: 'connecting', text: 'Connecting…' };
    case 'connected':
      return { dot: 'connected', text: `Connected to ${state.serverName}` };
    case 'reconnecting':
      return { dot: 'reconnecting', text: 'Reconnecting…' };
    case 'auth-failed':
      return { dot: 'auth-failed', text: 'Pairing rejected' };
  }
}

export function bannerContent(state: ConnectionState, now: number): BannerContent | undefined {
  switch (state.status) {
    case 'unpaired':
    case 'connected':
      return undefined;
    case 'connecting':
      // The first attempt is usually over before anyone could read a banner.
      return state.attempt > 1 ? { kind: 'info', title: 'Connecting to the VM…', detail: '' } : undefined;
    case 'disconnected':
      return {
        kind: 'warning',
        title: 'Disconnected',
        detail: 'Messages you send now will wait and go out when the VM is back.',
        action: { label: 'Reconnect', run: 'reconnect' },
      };
    case 'reconnecting': {
      const s = secondsUntil(state.nextRetryAt, now);
      // A no-break space keeps "4 s" together when the title wraps.
      const when = s > 0 ? `Reconnecting in ${s}\u00a0s` : 'Reconnecting…';
      const why = state.lastError ? `${sentence(state.lastError)} ` : '';
      return {
        kind: 'warning',
        title: `Connection lost. ${when}`,
        detail: `${why}Attempt ${state.attempt}; messages you send will wait.`,
        action: { label: 'Retry now', run: 'reconnect' },
      };
    }
    case 'auth-failed':
      return {
        kind: 'error',
        title: 'Pairing rejected',
        detail: `${AUTH_HELP[state.code]}${state.reason ? ` (${state.reason})` : ''}`,
        action: { label: 'Pair again', run: 'pair' },
      };
  }
}

/** The core's errors are lower-case fragments ("the daemon is shutting down"). */
function sentence(text: string): string {
  const t = text.trim();
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}

export class ConnectionBanner {
  private state: ConnectionState = { status: 'connecting', attempt: 1 };
  private ticker: ReturnType<typeof setInterval> | undefined;
  private run: 'reconnect' | 'pair' | undefined;

  constructor(
    private readonly ui: BannerElements,
    actions: BannerActions,
  ) {
    ui.action.addEventListener('click', () => {
      if (this.run === 'reconnect') actions.reconnectNow();
      else if (this.run === 'pair') actions.pairAgain();
    });
  }

  update(state: ConnectionState): void {
    this.state = state;
    const header = headerStatus(state);
    this.ui.dot.dataset['state'] = header.dot;
    this.ui.statusText.textContent = header.text;
    this.paint();
    // Only the countdown needs a clock.
    clearInterval(this.ticker);
    this.ticker = state.status === 'reconnecting' ? setInterval(() => this.paint(), 1000) : undefined;
  }

  private paint(): void {
    const content = bannerContent(this.state, Date.now());
    const { root, title, detail, action } = this.ui;
    if (!content) {
      root.hidden = true;
      this.run = undefined;
      return;
    }
    root.hidden = false;
    root.dataset['kind'] = content.kind;
    root.setAttribute('role', content.kind === 'error' ? 'alert' : 'status');
    if (title.textContent !== content.title) title.textContent = content.title;
    if (detail.textContent !== content.detail) detail.textContent = content.detail;
    detail.hidden = content.detail === '';
    this.run = content.action?.run;
    action.hidden = !content.action;
    if (content.action && action.textContent !== content.action.label) action.textContent = content.action.label;
  }
}
