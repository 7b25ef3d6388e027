/** Jest projects: `unit` (chaincode logic and CLI, no network) and `integration` (live Fabric network). */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }];
/** The CLI imports chaincode client code from the workspace; tests use its sources. */
const moduleNameMapper = { '^@civic-ledger/chaincode/dist/(.*)$': '<rootDir>/chaincode/src/$1' };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      setupFiles: ['<rootDir>/test/setup-env.js'],
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
      testMatch: ['<rootDir>/chaincode/src/**/*.test.ts', '<rootDir>/cli/src/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
  ],
};
