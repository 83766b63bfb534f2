import test from 'ava';
import tls from 'node:tls';
import { connectClient, startTestDaemon } from '../helpers/daemon.js';
import type { Daemon } from '@vm-messenger/daemon';

/** A bare TLS handshake with the given client settings: the negotiated suite, or the error. */
function handshake(daemon: Daemon, options: tls.ConnectionOptions): Promise<{ cipher?: string; version?: string | null; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: daemon.port, rejectUnauthorized: false, ...options });
    socket.once('secureConnect', () => {
      resolve({ cipher: socket.getCipher().name, version: socket.getProtocol() });
      socket.destroy();
    });
    socket.once('error', (err) => resolve({ error: err.message }));
  });
}

const CBC_SUITES = 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:AES128-SHA256';

test('a TLS 1.2 client offering only CBC suites is refused', async (t) => {
  const daemon = await startTestDaemon(t);
  const result = await handshake(daemon, { maxVersion: 'TLSv1.2', ciphers: CBC_SUITES });
  t.truthy(result.error, `negotiated ${result.cipher}`);
  t.regex(result.error ?? '', /handshake failure|no shared cipher|alert/i);
});

test('a TLS 1.2 client gets an AEAD suite, a TLS 1.3 client TLS 1.3, and a real client still connects', async (t) => {
  const daemon = await startTestDaemon(t);
  const v12 = await handshake(daemon, { maxVersion: 'TLSv1.2' });
  t.is(v12.version, 'TLSv1.2');
  t.regex(v12.cipher ?? '', /GCM|CHACHA20/);
  const v13 = await handshake(daemon, {});
  t.is(v13.version, 'TLSv1.3');
  const client = await connectClient(t, daemon, 'alice');
  t.like(await client.say('hello'), { type: 'accepted' });
});
