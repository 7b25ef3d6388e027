import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The determinism rules must catch clocks, randomness and timers
 * in chaincode/src. The fixture marks each offending line with `// flagged:`.
 */
const root = path.resolve(__dirname, '../..');
const fixture = 'test/fixtures/chaincode/nondeterministic.ts';

interface LintMessage {
  line: number;
  ruleId: string | null;
  message: string;
}

const eslintBin = path.join(root, 'node_modules/eslint/bin/eslint.js');

function lint(file: string): LintMessage[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [eslintBin, '--no-ignore', '-f', 'json', file], {
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

  it('applies the same rules to the chaincode sources', () => {
    const config = JSON.parse(execFileSync(process.execPath, [eslintBin, '--print-config', 'chaincode/src/index.ts'], { cwd: root, encoding: 'utf8' })) as {
      rules: Record<string, unknown>;
    };
    expect(JSON.stringify(config.rules['no-restricted-properties'])).toContain('Date');
    expect(JSON.stringify(config.rules['no-restricted-syntax'])).toContain("NewExpression[callee.name='Date'][arguments.length=0]");
  });

  it('accepts a Date built from a given time', () => {
    const line = source.findIndex((text) => text.includes('fromTx')) + 1;
    expect(messages.filter((m) => m.line === line && m.ruleId?.startsWith('no-restricted'))).toEqual([]);
  });
});
