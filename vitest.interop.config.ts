import { defineConfig } from 'vitest/config';

// `npm run test:interop`: the project's PE / PU against a real rsplib registrar in a qemu guest
// (scripts/lab/).  Kept out of the default run: needs root, qemu and a Debian mirror for the
// first image build.
export default defineConfig({
  test: {
    include: ['interop/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    // .ci/run adds these cases to its closing line.
    reporters: ['default', 'json'],
    outputFile: { json: '.ci/interop-result.json' },
  },
});
