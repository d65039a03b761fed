#!/usr/bin/env node
// Launcher: loads the TypeScript CLI through tsx so `npx rserpool-harness` works right after
// `npm ci`, with no separate build step that could go stale.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
