export default {
  typescript: { rewritePaths: { 'test/': 'test/dist/' }, compile: false },
  files: ['test/browser/**/*.test.ts'],
  timeout: '120s',
  workerThreads: false,
  concurrency: 1,
};
