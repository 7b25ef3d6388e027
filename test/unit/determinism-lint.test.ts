import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
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

/** The rules ESLint applies to `file` (a path relative to the repo root; it need not exist). */
function rulesFor(file: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, [eslintBin, '--print-config', file], { cwd: root, encoding: 'utf8' });
  return (JSON.parse(out) as { rules: Record<string, unknown> }).rules;
}

/** Whether the rules refuse `Date.now`. */
const refusesDateNow = (rules: Record<string, unknown>): boolean => /"object":"Date","property":"now"/.test(JSON.stringify(rules['no-restricted-properties']));

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

describe("the one read of the peer's clock", () => {
  const PEER_CLOCK = 'chaincode/src/shared/peer-clock.ts';

  it('exempts exactly chaincode/src/shared/peer-clock.ts from the Date.now rule, and keeps its other rules there', () => {
    const rules = rulesFor(PEER_CLOCK);
    expect(refusesDateNow(rules)).toBe(false);
    expect(JSON.stringify(rules['no-restricted-properties'])).toContain('"object":"Math","property":"random"');
    expect(JSON.stringify(rules['no-restricted-syntax'])).toContain("NewExpression[callee.name='Date'][arguments.length=0]");
    for (const other of ['chaincode/src/shared/tx-time.ts', 'chaincode/src/petition/peer-clock.ts']) {
      expect({ other, refused: refusesDateNow(rulesFor(other)) }).toEqual({ other, refused: true });
    }
  });

  it('lints clean, using its exemption', () => {
    expect(readFileSync(path.join(root, PEER_CLOCK), 'utf8')).toContain('Date.now()');
    expect(lint(PEER_CLOCK)).toEqual([]);
  });

  it('is the only chaincode source (tests and test-support aside) that reads a clock', () => {
    const sources = readdirSync(path.join(root, 'chaincode/src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('test-support'))
      .map((f) => `chaincode/src/${f.split(path.sep).join('/')}`);
    expect(sources).toContain(PEER_CLOCK);
    const readers = sources.filter((f) => /\bDate\.now\b|new Date\(\)|performance\.now|process\.hrtime/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(readers).toEqual([PEER_CLOCK]);
  });
});
