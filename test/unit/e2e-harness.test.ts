/**
 * The e2e harness reads n8n's run data out of `n8n execute --rawOutput`; a task-runner log line
 * printed after the JSON once made a green run look like a failed one (CI, separate-steps example).
 */
import { parseRunOutput } from '../e2e/n8n';

const run = { data: { resultData: { runData: { Start: [] } } }, status: 'success' };
const pretty = JSON.stringify(run, null, 2);

describe('parseRunOutput', () => {
	it('reads the run data between log lines printed before and after it', () => {
		const stdout = ['Registered runner "JS Task Runner" (abc)', pretty, 'Registered runner "JS Task Runner" (def) ', ''].join('\n');
		expect(parseRunOutput(stdout)).toEqual(run);
	});

	it('reads the run data alone', () => {
		expect(parseRunOutput(`${pretty}\n`)).toEqual(run);
	});

	it('gives undefined when there is no run data or it is cut short', () => {
		expect(parseRunOutput('Error: workflow not found\n')).toBeUndefined();
		expect(parseRunOutput(pretty.split('\n').slice(0, -3).join('\n'))).toBeUndefined();
	});
});
