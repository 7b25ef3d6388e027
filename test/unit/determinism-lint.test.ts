import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The determinism rules (DESIGN.md §3) must catch clocks, randomness and timers
 * in chaincode/src. The fixture marks each offending line with `// flagged:`.
 */
const root = path.resolve(__dirname, '../..');
const fixture = 'chaincode/src/__fixtures__/nondeterministic.ts';

interface LintMessage {
  line: number;
  ruleId: string | null;
  message: string;
}

function lint(file: string): LintMessage[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--no-ignore', '-f', 'json', file], {
      cwd: root,
      encoding: 'utf8',
    });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  const [result] = JSON.parse(out) as { messages: LintMessage[] }[];
  return result?.messages ?? [];
}

describe('chaincode determinism lint rules', () => {
  const messages = lint(fixture);
  const source = readFileSync(path.join(root, fixture), 'utf8').split('\n');
  const flaggedLines = source.flatMap((text, i) => (text.includes('// flagged:') ? [i + 1] : []));

  it('has a fixture with offending lines', () => {
    expect(flaggedLines.length).toBeGreaterThanOrEqual(7);
  });

  it.each(flaggedLines)('flags line %i of the fixture', (line) => {
    const hits = messages.filter((m) => m.line === line && /no-restricted-(properties|syntax)/.test(m.ruleId ?? ''));
    expect(hits.map((m) => m.message).join('\n')).toMatch(/Non-deterministic|Timers/);
  });

  it('accepts a Date built from a given time', () => {
    const line = source.findIndex((text) => text.includes('fromTx')) + 1;
    expect(messages.filter((m) => m.line === line && m.ruleId?.startsWith('no-restricted'))).toEqual([]);
  });
});
