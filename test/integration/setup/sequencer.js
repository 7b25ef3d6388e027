/**
 * Test order: jest's own (slowest first, from its cache), except that suites named
 * `*.last.test.ts` run after all others: they check what the whole run left on the ledger.
 */
const Sequencer = require('@jest/test-sequencer').default;

class LastSuitesLast extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const isLast = (t) => t.path.endsWith('.last.test.ts');
    return [...sorted.filter((t) => !isLast(t)), ...sorted.filter(isLast)];
  }
}

module.exports = LastSuitesLast;
