// ESLint flat config: typescript-eslint strictTypeChecked everywhere, plus the
// chaincode determinism rules: chaincode must not read clocks or
// randomness of its own, since every endorser must compute identical results.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Sources of non-determinism refused in chaincode/src (tests excepted). */
export const determinismRules = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Non-deterministic: use txTimestamp(ctx).' },
    { object: 'Math', property: 'random', message: 'Non-deterministic: derive randomness from revealed inputs.' },
    { object: 'performance', property: 'now', message: 'Non-deterministic clock in chaincode.' },
    { object: 'process', property: 'hrtime', message: 'Non-deterministic clock in chaincode.' },
    { object: 'crypto', property: 'randomBytes', message: 'Non-deterministic randomness in chaincode.' },
    { object: 'crypto', property: 'randomUUID', message: 'Non-deterministic randomness in chaincode.' },
    { object: 'crypto', property: 'getRandomValues', message: 'Non-deterministic randomness in chaincode.' },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: 'Non-deterministic: `new Date()` reads the clock; use txTimestamp(ctx).',
    },
    {
      selector: "CallExpression[callee.name='Date']",
      message: 'Non-deterministic: `Date()` reads the clock; use txTimestamp(ctx).',
    },
    {
      selector: 'ImportSpecifier[imported.name=/^(randomBytes|randomUUID|randomInt|randomFill|randomFillSync|getRandomValues)$/]',
      message: 'Non-deterministic randomness in chaincode.',
    },
    {
      selector: 'CallExpression[callee.name=/^(setTimeout|setInterval|setImmediate)$/]',
      message: 'Timers make chaincode results depend on scheduling.',
    },
  ],
};

/**
 * The one chaincode file allowed to read the peer's clock: it refuses to endorse a proposal whose
 * timestamp is far off, and decides nothing that is written. Randomness and timers stay refused there.
 */
export const PEER_CLOCK_FILE = 'chaincode/src/shared/peer-clock.ts';

/** {@link determinismRules} without the `Date.now` restriction, for {@link PEER_CLOCK_FILE} alone. */
const peerClockRules = {
  ...determinismRules,
  'no-restricted-properties': determinismRules['no-restricted-properties'].filter((r) => typeof r === 'string' || r.object !== 'Date'),
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.network/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  // Formatting is Prettier's (checked by `prettier --check` in npm run lint), not ESLint's.
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      complexity: ['error', 12],
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    // The fixture stands in for chaincode source so a test can prove these rules fire;
    // it is ignored by `npm run lint` and linted by the test with --no-ignore.
    files: ['chaincode/src/**/*.ts', 'test/fixtures/chaincode/**/*.ts'],
    ignores: ['chaincode/src/**/*.test.ts', 'chaincode/src/test-support/**', PEER_CLOCK_FILE],
    rules: determinismRules,
  },
  { files: [PEER_CLOCK_FILE], rules: peerClockRules },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', '**/test-support/**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-function-return-type': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/explicit-function-return-type': 'off' },
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
  },
);
