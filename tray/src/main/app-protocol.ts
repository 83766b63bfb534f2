/** Serves the renderer folder on `vmm-app://ui/…`. */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { APP_HOST, APP_SCHEME, resolveInside } from './app-paths.js';

/** Must run before `app` is ready. `standard` gives the scheme real origins (so CSP 'self' and ES
 *  modules work), `secure` makes it a secure context like https. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST && request.method === 'GET' ? resolveInside(rendererDir, url.pathname) : undefined;
    if (!file) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
}
