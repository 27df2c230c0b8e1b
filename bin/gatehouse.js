#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript bundled by `npm run compile` (tsc → dist/src,
// scripts/bundle.ts → dist/cli).
import { main } from "../dist/cli/main.js";

await main(process.argv.slice(2));
