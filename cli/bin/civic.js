#!/usr/bin/env node
'use strict';
// The `civic` command. Build first: `npm run build` at the repo root.
require('../dist/index.js').main(process.argv);
