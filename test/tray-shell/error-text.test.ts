import test from 'ava';
import { ERROR_CODES } from '@vm-messenger/protocol';
import { errorText } from './shell-modules.js';

test('every protocol error code has a plain sentence (add yours to tray/src/renderer/error-text.ts)', async (t) => {
  const { ERROR_SENTENCES } = await errorText();
  const missing = ERROR_CODES.filter((code) => !(code in ERROR_SENTENCES));
  t.deepEqual(missing, []);
  // The client's own codes too (ClientErrorCode beyond the protocol's, and the core's).
  for (const code of ['bad_fingerprint', 'connect_failed', 'connection_lost', 'closed', 'request_timeout', 'not_paired', 'image_too_large', 'offline', 'link_not_allowed', 'shortcut_taken', 'revoked']) {
    t.true(code in ERROR_SENTENCES, code);
  }
});

test('sentences are plain: no backticks, no raw byte counts, no developer words, one sentence said once', async (t) => {
  const { ERROR_SENTENCES } = await errorText();
  for (const [code, sentence] of Object.entries(ERROR_SENTENCES)) {
    const { text } = sentence({ vm: 'dev-vm', target: '192.168.122.10:12345', size: 1_473_382, limit: 300_000 });
    t.false(/[`{}]|ECONN|undefined|null|\bbytes?\b|frame|JSON|UTF/i.test(text), `${code}: ${text}`);
    t.regex(text, /^[\p{L}"'].*[.?!]$/u, `${code} reads as a sentence: ${text}`);
    const first = text.split('. ')[0]!;
    t.is(text.indexOf(first, first.length), -1, `${code} does not repeat itself`);
  }
});

test('sizes are in KB/MB and the VM is named', async (t) => {
  const { plainError } = await errorText();
  t.is(plainError('image_too_large', { size: 1_473_382, limit: 300_000 }).text, 'The image is 1.4 MB; the limit is 293 KB.');
  t.is(plainError('connect_failed', { vm: 'dev-vm' }).text, "Can't reach dev-vm.");
  t.is(plainError('connect_failed', { target: '127.0.0.1:16099' }).text, "Can't reach 127.0.0.1:16099.");
  t.is(plainError('bad_token').action, 'pair');
  // An unknown code still gets a sentence, never the raw message.
  t.is(plainError('something_new').text, 'Something went wrong.');
});
