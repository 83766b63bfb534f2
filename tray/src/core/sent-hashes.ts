/** Uploads this process sent in full that never got an answer, by event id. With the
 *  `sha256-at-end` feature an upload's hash is known only once its last byte is sent; when the
 *  answer is then lost (the connection drops before `accepted`), the resend on the next connection
 *  announces the remembered hash in `image-begin`, and a daemon that already stored the upload
 *  answers at once instead of asking for every byte again. An answer of any kind ends the entry:
 *  after it the caller may mean other bytes under the same id, which must reach the daemon (and
 *  meet `id_conflict`) rather than ride on this hash. */
const MAX_REMEMBERED = 256;

const unanswered = new Map<string, { sha256: string; size: number }>();

export function rememberUnanswered(id: string, sent: { sha256: string; size: number }): void {
  unanswered.delete(id);
  unanswered.set(id, sent);
  // Oldest first: a Map iterates in insertion order.
  for (const oldest of unanswered.keys()) {
    if (unanswered.size <= MAX_REMEMBERED) break;
    unanswered.delete(oldest);
  }
}

export function forgetAnswered(id: string): void {
  unanswered.delete(id);
}

/** The hash sent for `id`, if that upload went unanswered and this one is the same size. */
export const unansweredHashOf = (id: string, size: number): string | undefined => {
  const sent = unanswered.get(id);
  return sent?.size === size ? sent.sha256 : undefined;
};
