#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript (npm run compile → dist/).
import { main } from "../dist/src/cli/main.js";

await main(process.argv.slice(2));
