import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../src/api/router.js';
import { isBerthError } from '../../src/errors.js';

test('strips the version prefix and rejects versions out of range', () => {
  assert.deepEqual(Router.splitVersion('/v1.44/containers/json'), { version: '1.44', path: '/containers/json' });
  assert.deepEqual(Router.splitVersion('/containers/json'), { version: '1.50', path: '/containers/json' });
  assert.throws(() => Router.splitVersion('/v1.99/info'), (e) => isBerthError(e, 'invalid-argument') && /too new/.test(e.message));
  assert.throws(() => Router.splitVersion('/v1.12/info'), (e) => isBerthError(e, 'invalid-argument') && /too old/.test(e.message));
});

test('matches greedy params for image references with slashes', () => {
  const r = new Router();
  r.get('/images/{name*}/json', () => undefined);
  r.get('/containers/{id}/json', () => undefined);
  assert.equal(r.match('GET', '/images/localhost:5000/a/b:1/json').params.name, 'localhost:5000/a/b:1');
  assert.equal(r.match('GET', '/containers/abc/json').params.id, 'abc');
  assert.equal(r.match('HEAD', '/containers/abc/json').params.id, 'abc');
  assert.throws(() => r.match('GET', '/nope'), (e) => isBerthError(e, 'not-found'));
});
