// A bounded poll for tests: checks every 250 ms, fails the test after `tries` checks.
import assert from 'node:assert/strict';

export async function until(what: string, check: () => boolean, tries: number): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting for ${what}`);
}
