// Preloaded into a CLI run by tests/support/cli.ts: at exit, writes the process's
// peak resident memory (VmHWM, kB) to $MARIONETTE_PEAK_RSS_FILE.
'use strict';
const fs = require('node:fs');
process.on('exit', () => {
  const file = process.env.MARIONETTE_PEAK_RSS_FILE;
  if (!file) return;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) fs.writeFileSync(file, m[1]);
  } catch {
    // not Linux: nothing to report
  }
});
