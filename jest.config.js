/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// The end-to-end tests start a real n8n: `npm run test:e2e`.
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	// Node tests start HTTP sandboxes and run real executions: give them room on a 2-core CI machine.
	testTimeout: 60000,
	maxWorkers: 2,
};
