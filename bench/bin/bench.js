#!/usr/bin/env node
// The load runner (`npm run bench`); the sources are bench/src, built by `npm run build`.
require('../dist/main.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
