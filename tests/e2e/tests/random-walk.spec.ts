// A seeded random walk over the checkout in the real browser against the real server: payer
// actions (typing valid, invalid and hostile values, switching method, language and theme,
// paying, retrying, reloading, going back and forward) and world events (offline and online,
// the page's clock jumping, the session expiring on the server, the provider approving or
// declining, sandbox and network faults), with, after every step: nothing panicked or logged an
// error, what was typed is still there or the screen says why, and no payment was sent twice
// (fixtures/walk.ts). A failing walk prints its seed and steps; replay it with
//   WALK_SEED=<seed> npx playwright test tests/random-walk.spec.ts
// (WALK_SEED takes a comma-separated list; WALK_STEPS changes the walk's length; WALK_KEEP_GOING=1
// notes every broken invariant and walks on, failing at the end with all of them; WALK_PRINT=1
// prints every walk's steps, passed or not).
import { test } from '../fixtures/test';
import { Walk, WalkFailure } from '../fixtures/walk';

// One walk per demo link family (their first draw: 2 CLP/redirect, 3 MXN/SPEI, 9 BRL/PIX QR,
// 11 ARS/QR and CVU, 13 COP/PSE, Nequi and card), 40 steps each: about two minutes on two workers.
const DEFAULT_SEEDS = [2, 3, 9, 11, 13];
const DEFAULT_STEPS = 40;

const seeds = process.env.WALK_SEED
  ? process.env.WALK_SEED.split(',').map((s) => Number.parseInt(s.trim(), 10)).filter(Number.isFinite)
  : DEFAULT_SEEDS;
const steps = Number.parseInt(process.env.WALK_STEPS ?? '', 10) || DEFAULT_STEPS;
const keepGoing = process.env.WALK_KEEP_GOING === '1';

// One test per seed, spread over the workers.
test.describe.configure({ mode: 'parallel' });

for (const seed of seeds) {
  test(`random walk, seed ${seed} (${steps} steps)`, async ({ page, context, conomy, baseURL }) => {
    // A step takes one to a few seconds; a walk that stalls on every step still ends.
    test.setTimeout(60_000 + steps * 10_000);
    const walk = new Walk(page, context, conomy, baseURL!, { seed, steps, keepGoing });
    try {
      await walk.run();
    } catch (e) {
      // A broken invariant carries the steps in its message; anything else (a timeout) gets them here.
      if (!(e instanceof WalkFailure)) console.log(`walk seed ${seed} stopped:\n${walk.log.map((l) => `  ${l}`).join('\n')}`);
      throw e;
    } finally {
      if (process.env.WALK_PRINT === '1') console.log(`walk seed ${seed}:\n${walk.log.map((l) => `  ${l}`).join('\n')}`);
      await test.info().attach(`walk-${seed}.log`, { body: walk.log.join('\n'), contentType: 'text/plain' });
    }
  });
}
