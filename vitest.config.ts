import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites spawn processes and train on real MNIST; a machine under load needs headroom.
    testTimeout: 60_000,
  },
});
