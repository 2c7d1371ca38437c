// Jest runs the compiled ES modules that `tsc` writes to build/: one compiler, one type check,
// and the tests exercise exactly the JavaScript that ships.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/test'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 30000,
};
