// Jest for every package: `unit` runs pure logic, `integration` runs against one shared real control plane.
import type { Config } from 'jest';

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleNameMapper: {
    // Tests run against the sources, not dist/, so no build is needed between an edit and a test run.
    '^@kubeop/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@kubeop/decorators/names$': '<rootDir>/packages/decorators/src/names.ts',
    '^@kubeop/core/tooling$': '<rootDir>/packages/core/src/tooling.ts',
    '^@kubeop/testing/operator$': '<rootDir>/packages/testing/src/operator-kit/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

const config: Config = {
  // Integration tests wait on real servers (fault tests restart them); unit tests finish in milliseconds anyway.
  testTimeout: 180_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,samples}/*/test/**/*.test.ts', '!**/*.int.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,samples}/*/test/**/*.int.test.ts'],
      globalSetup: '<rootDir>/packages/testing/src/jest/global-setup.ts',
      globalTeardown: '<rootDir>/packages/testing/src/jest/global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
};

export default config;
