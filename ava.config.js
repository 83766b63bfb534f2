// Tests are written in TypeScript and run from tsc's output (`npm test` builds first), so what is
// tested is exactly what ships.
export default {
  typescript: { rewritePaths: { 'test/': 'test/dist/' }, compile: false },
  files: ['test/**/*.test.ts', '!test/browser/**'],
  timeout: '60s',
  workerThreads: false,
  concurrency: 2,
};
