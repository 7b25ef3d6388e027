/** Jest projects: `unit` (chaincode logic and CLI, no network) and `integration` (live Fabric network). */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }];
/** The CLI imports chaincode client code from the workspace; tests use its sources. */
const moduleNameMapper = {
  '^@civic-ledger/chaincode/dist/(.*)$': '<rootDir>/chaincode/src/$1',
  '^@civic-ledger/cli/dist/(.*)$': '<rootDir>/cli/src/$1',
};
/**
 * @cloudflare/blindrsa-ts (RFC 9474) ships only ES modules. Node >= 20.19 `require`s them as they
 * are (the built CLI does), but jest 29's module registry does not, so its files, and only
 * those, are compiled to CommonJS for tests.
 */
const esmOnly = ['@cloudflare/blindrsa-ts'];
const transform = {
  '^.+\\.ts$': tsJest,
  [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
};
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnly.join('|')})/)`];

module.exports = {
  // Suites named *.last.test.ts run after all others (they check what the run left on the ledger).
  testSequencer: '<rootDir>/test/integration/setup/sequencer.js',
  projects: [
    {
      displayName: 'unit',
      setupFiles: ['<rootDir>/test/setup-env.js'],
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: [
        '<rootDir>/chaincode/src/**/*.test.ts',
        '<rootDir>/cli/src/**/*.test.ts',
        '<rootDir>/bench/src/**/*.test.ts',
        '<rootDir>/test/unit/**/*.test.ts',
      ],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/integration/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/setup/global-teardown.ts',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
  ],
};
