#!/usr/bin/env node
// Thin launcher: the CLI bundled into dist/bundle/ (by `npm run build`, which `npm ci` runs through the prepare script).
import('../dist/bundle/cli.js').then((cli) => cli.main(process.argv.slice(2)));
