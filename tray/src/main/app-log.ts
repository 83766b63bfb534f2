/** The app's own log: one line per failure with its technical detail (what the window hides
 *  behind "Details"), in `%APPDATA%\VM Messenger\logs\vm-messenger.log`. Kept small: past
 *  MAX_BYTES the file moves to `.1` and a new one starts. */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

const MAX_BYTES = 1024 * 1024;

export function logLine(at: Date, text: string): string {
  // One line per entry whatever the message holds.
  return `${at.toISOString()} ${text.replace(/\s*[\r\n]+\s*/g, ' | ')}\n`;
}

export function createAppLog(file: string): (text: string) => void {
  return (text) => {
    try {
      mkdirSync(dirname(file), { recursive: true });
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_BYTES) renameSync(file, `${file}.1`);
      appendFileSync(file, logLine(new Date(), text));
    } catch {
      // Logging must never take the app down.
    }
  };
}
