/**
 * The exactly-once protocol's decisions (planInvoice), without I/O: what a run does next for an order
 * given what the reference lookup lists, its own draft and its time spent.
 */
import { planInvoice, rankOf, type Observation } from '../../nodes/services/invoicexpress/api/invoiceOrder';

const base: Observation = {
	finalize: true,
	listed: [],
	creates: 1,
	createUncertain: false,
	waitedMs: 0,
	budgetMs: 6000,
	foreignWinnerSeenMs: 0,
	finalSeenMs: 0,
	graceMs: 2000,
};
const plan = (o: Partial<Observation>) => planInvoice({ ...base, ...o });
const draft = (id: number) => ({ id, status: 'draft' });
const final = (id: number) => ({ id, status: 'final' });
const gone = (id: number) => ({ id, status: 'deleted' });

describe('planInvoice', () => {
	it('creates a draft when nothing is known yet, once per run', () => {
		expect(plan({ creates: 0 })).toEqual({ kind: 'create' });
		expect(plan({ creates: 1, createUncertain: true })).toMatchObject({ kind: 'wait' });
	});

	it('finalizes its own draft only once the lookup lists it (every older draft is then listed)', () => {
		expect(plan({ own: draft(5) })).toMatchObject({ kind: 'wait' });
		expect(plan({ own: draft(5), listed: [draft(5)] })).toEqual({
			kind: 'finalize',
			id: 5,
			adopt: false,
		});
		expect(plan({ own: draft(5), listed: [draft(5), draft(7)] })).toEqual({
			kind: 'finalize',
			id: 5,
			adopt: false,
		});
	});

	it('never finalizes when its own draft stays unlisted: pending, with the reason', () => {
		const action = plan({ own: draft(5), waitedMs: 6000 });
		expect(action).toMatchObject({ kind: 'pending', winner: draft(5) });
		expect(action.kind === 'pending' && action.reason).toMatch(/draft 5 is not yet listed/);
		expect(plan({ createUncertain: true, waitedMs: 6000 })).toMatchObject({
			kind: 'pending',
			reason: expect.stringMatching(/no answer/),
		});
	});

	it("another run's older draft wins: it is left to its run, then adopted in rank order, one grace period apart", () => {
		// Our draft 7 sits right above the winner 5: rank 1, adopts after 2 grace periods.
		expect(
			plan({ own: draft(7), listed: [draft(5), draft(7)], foreignWinnerSeenMs: 3999 }),
		).toMatchObject({ kind: 'wait' });
		expect(
			plan({ own: draft(7), listed: [draft(5), draft(7)], foreignWinnerSeenMs: 4000 }),
		).toEqual({ kind: 'finalize', id: 5, adopt: true });
		// Not listed yet, but newer than a listed draft: it loses all the same, with the same rank.
		expect(plan({ own: draft(7), listed: [draft(5)], foreignWinnerSeenMs: 4000 })).toEqual({
			kind: 'finalize',
			id: 5,
			adopt: true,
		});
		// Draft 9's run has rank 2: it waits one more grace period, by when 7's run has finalized 5.
		expect(
			plan({
				own: draft(9),
				listed: [draft(5), draft(7), draft(9)],
				foreignWinnerSeenMs: 4000,
				waitedMs: 4000,
				budgetMs: 10000,
			}),
		).toMatchObject({ kind: 'wait' });
		expect(
			plan({
				own: draft(9),
				listed: [draft(5), draft(7), draft(9)],
				foreignWinnerSeenMs: 6000,
				waitedMs: 6000,
				budgetMs: 10000,
			}),
		).toEqual({ kind: 'finalize', id: 5, adopt: true });
		// Every rank gets its turn within the budget: past the cap, ranks share the last turn.
		expect(
			plan({
				own: draft(9),
				listed: [draft(5), draft(7), draft(9)],
				foreignWinnerSeenMs: 4000,
				waitedMs: 4000,
			}),
		).toEqual({ kind: 'finalize', id: 5, adopt: true });
		// Without an own draft (its create got no answer): rank 0, after one grace period.
		expect(plan({ createUncertain: true, listed: [draft(5)], foreignWinnerSeenMs: 2000 })).toEqual({
			kind: 'finalize',
			id: 5,
			adopt: true,
		});
	});

	it("out of time with another run's draft winning: its own draft is deleted, then pending", () => {
		expect(plan({ own: draft(7), listed: [draft(5), draft(7)], waitedMs: 6000 })).toEqual({
			kind: 'delete',
			id: 7,
			own: true,
		});
		expect(
			plan({ own: gone(7), listed: [draft(5)], waitedMs: 6000, foreignWinnerSeenMs: 6000 }),
		).toMatchObject({ kind: 'pending', winner: draft(5) });
	});

	it('ranks differ for concurrent runs holding different drafts', () => {
		const drafts = [draft(5), draft(6), draft(8)];
		expect(rankOf(drafts, draft(6), 5)).toBe(1);
		expect(rankOf(drafts, draft(8), 5)).toBe(2);
		expect(rankOf(drafts, undefined, 5)).toBe(0);
	});

	it("a final document is the order's: its own draft is deleted; older drafts of gone runs are removed in rank order", () => {
		expect(plan({ own: draft(9), listed: [final(5), draft(9)] })).toEqual({
			kind: 'delete',
			id: 9,
			own: true,
		});
		expect(plan({ own: gone(9), listed: [final(5)] })).toEqual({
			kind: 'done',
			winner: final(5),
			final: true,
		});
		// A final document wins over an older draft: the draft is left to its run for a budget, then removed.
		expect(plan({ listed: [draft(3), final(5)] })).toMatchObject({ kind: 'wait' });
		expect(plan({ listed: [draft(3), final(5)], finalSeenMs: 6000 })).toEqual({ kind: 'delete', id: 3, own: false });
		expect(plan({ listed: [final(5)], finalSeenMs: 6000 })).toEqual({ kind: 'done', winner: final(5), final: true });
		// Drafts of other runs: removed by the run that finalized, once a whole budget has let their runs act.
		expect(
			plan({ own: draft(9), listed: [final(5), draft(7), draft(9)], finalSeenMs: 7000 }),
		).toEqual({ kind: 'delete', id: 9, own: true });
		// Any run that sees a stray draft for a whole budget removes it (its run is gone).
		expect(plan({ listed: [final(5), draft(7)], finalSeenMs: 100 })).toMatchObject({ kind: 'wait' });
		expect(plan({ listed: [final(5), draft(7)], finalSeenMs: 7000 })).toEqual({ kind: 'delete', id: 7, own: false });
		const finalizer = { finalizedHere: true, own: final(5) };
		expect(plan({ ...finalizer, listed: [final(5), draft(7)], finalSeenMs: 100 })).toMatchObject({
			kind: 'wait',
		});
		expect(plan({ ...finalizer, listed: [final(5), draft(7)], finalSeenMs: 6000 })).toEqual({
			kind: 'delete',
			id: 7,
			own: false,
		});
		// Its cleaning has a budget of its own; past it, the draft stays (it has no fiscal value).
		expect(plan({ ...finalizer, listed: [final(5), draft(7)], finalSeenMs: 12000 })).toEqual({
			kind: 'done',
			winner: final(5),
			final: true,
		});
	});

	it('two final documents are a conflict, never a success', () => {
		expect(plan({ listed: [final(5), final(6)] })).toEqual({
			kind: 'conflict',
			finals: [final(5), final(6)],
		});
	});

	it('a lookup that lists a newer draft but not its older own one breaks A1: pending, nothing finalized', () => {
		const action = plan({ own: draft(4), listed: [draft(6)] });
		expect(action).toMatchObject({ kind: 'pending' });
		expect(action.kind === 'pending' && action.reason).toMatch(/creation order/);
	});

	it("without finalize (Create), converges on the winning draft: its own, or another run's in rank order", () => {
		expect(plan({ finalize: false, own: draft(5), listed: [draft(5)] })).toEqual({
			kind: 'done',
			winner: draft(5),
			final: false,
		});
		expect(plan({ finalize: false, listed: [draft(5)], foreignWinnerSeenMs: 2000 })).toEqual({
			kind: 'done',
			winner: draft(5),
			final: false,
		});
		expect(
			plan({
				finalize: false,
				own: draft(6),
				listed: [draft(5), draft(6)],
				foreignWinnerSeenMs: 4000,
			}),
		).toEqual({ kind: 'delete', id: 6, own: true });
		expect(plan({ finalize: false, listed: [draft(5)] })).toMatchObject({ kind: 'wait' });
	});

	it('deleted and canceled documents are no candidates', () => {
		expect(plan({ own: draft(8), listed: [{ id: 5, status: 'canceled' }, draft(8)] })).toEqual({
			kind: 'finalize',
			id: 8,
			adopt: false,
		});
	});

	it('concurrent runs that see the same listing pick the same winner; only its owner acts at once', () => {
		const listed = [draft(11), draft(12), draft(13)];
		const actions = [11, 12, 13].map((id) => plan({ own: draft(id), listed }));
		expect(actions).toEqual([
			{ kind: 'finalize', id: 11, adopt: false },
			expect.objectContaining({ kind: 'wait' }),
			expect.objectContaining({ kind: 'wait' }),
		]);
	});
});
