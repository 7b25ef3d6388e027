/**
 * Jest project `reliability` (`npm run test:reliability`): faults injected into a live network of
 * its own under load (test/reliability). A config of its own, not a project of jest.config.js, so
 * that a plain `jest` run (`npm test`, CI) does not start it; it compiles as the integration project.
 */
const integration = require('./jest.config.js').projects.find((p) => p.displayName === 'integration');

module.exports = {
  projects: [
    {
      ...integration,
      displayName: 'reliability',
      globalSetup: '<rootDir>/test/reliability/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/reliability/setup/global-teardown.ts',
      testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
    },
  ],
};
