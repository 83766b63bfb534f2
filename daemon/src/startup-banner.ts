import { commandFor } from '@vm-messenger/protocol';

export interface BannerFacts {
  pairing(): { pairing: string; fingerprint: string; warning?: string };
  readonly host: string;
  readonly port: number;
  readonly controlSocketPath: string;
}

const ALL_ADDRESSES: Readonly<Record<string, string>> = {
  '0.0.0.0': ' (every IPv4 address of this machine)',
  '::': ' (every IPv4 and IPv6 address of this machine)',
};

/** The pairing string with its token left out: safe for a log that others may read. */
export function withoutToken(pairing: string): string {
  const url = new URL(pairing);
  url.searchParams.delete('token');
  return url.toString();
}

/** What the daemon prints once it listens. A person at `npm start` gets the pairing string to
 *  paste, whether or not stdout is a terminal (the README promises it). Under systemd stdout is
 *  the journal, readable by more people than should hold the token: there it is logged once
 *  without the token. */
export function startupBanner(daemon: BannerFacts, where: { journal: boolean; env: Readonly<Record<string, string | undefined>> }): string {
  const { pairing, fingerprint, warning } = daemon.pairing();
  const vmctl = commandFor('vmctl', where.env);
  const listening = `Listening on ${daemon.host}:${daemon.port}${ALL_ADDRESSES[daemon.host] ?? ''}; control socket ${daemon.controlSocketPath}.`;
  const logged = `pairing string without its token: ${withoutToken(pairing)} (\`${vmctl} pair\` prints it whole)`;
  const caution = warning ? `warning: ${warning}\n` : '';
  if (where.journal) return `${logged}\n${caution}`;
  return (
    `\nPair a client with this string (keep it secret, it holds the token):\n\n  ${pairing}\n\n${caution}` +
    `Certificate fingerprint: sha256:${fingerprint}\n${listening}\n` +
    `Operate the daemon from another terminal: ${vmctl} status\n\n${logged}\n`
  );
}
