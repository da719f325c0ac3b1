/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	// Node tests start HTTP sandboxes and run real executions: give them room on a 2-core CI machine.
	testTimeout: 60000,
	maxWorkers: 2,
};
