// Tests are written in TypeScript beside the code, compiled by `tsc -b` (which also type-checks
// them: ts-jest in ESM mode does not), and jest runs the compiled files.
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/packages/*/dist/**/*.test.js'],
  cacheDirectory: '<rootDir>/.cache/jest',
  transform: {},
  testTimeout: 60000,
  maxWorkers: 2,
};
