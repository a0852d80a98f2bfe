import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateIp, allocateSubnet, contains, formatCidr, formatIp, overlaps, parseCidr, parseIp } from '../../src/netavark/ipv4.js';

test('parses and formats addresses and CIDRs (host bits dropped)', () => {
  assert.equal(formatIp(parseIp('10.213.0.1')), '10.213.0.1');
  assert.equal(formatIp(parseIp('255.255.255.255')), '255.255.255.255');
  assert.equal(formatCidr(parseCidr('172.30.5.7/16')), '172.30.0.0/16');
  assert.throws(() => parseIp('1.2.3.256'), /invalid IP address/);
  assert.throws(() => parseCidr('10.0.0.0'), /invalid CIDR/);
  assert.throws(() => parseCidr('10.0.0.0/33'), /invalid CIDR/);
});

test('containment and overlap', () => {
  const a = parseCidr('10.1.0.0/16');
  assert.ok(contains(a, parseIp('10.1.255.254')));
  assert.ok(!contains(a, parseIp('10.2.0.1')));
  assert.ok(overlaps(a, parseCidr('10.1.4.0/24')));
  assert.ok(overlaps(parseCidr('10.0.0.0/8'), a));
  assert.ok(!overlaps(a, parseCidr('10.2.0.0/16')));
});

test('subnets come from the pools in order, skipping taken ranges', () => {
  const pools = [{ base: '172.29.0.0/16', size: 24 }];
  assert.equal(formatCidr(allocateSubnet(pools, [])!), '172.29.0.0/24');
  assert.equal(formatCidr(allocateSubnet(pools, [parseCidr('172.29.0.0/24'), parseCidr('172.29.1.0/24')])!), '172.29.2.0/24');
  // A wider taken route covers the whole pool.
  assert.equal(allocateSubnet(pools, [parseCidr('172.16.0.0/12')]), undefined);
  assert.equal(formatCidr(allocateSubnet([...pools, { base: '10.50.0.0/16', size: 24 }], [parseCidr('172.16.0.0/12')])!), '10.50.0.0/24');
});

test('addresses skip network, gateway, broadcast and used ones; ranges and offsets are honoured', () => {
  const s = parseCidr('10.9.0.0/29'); // .0 network, .7 broadcast
  const gw = parseIp('10.9.0.1');
  assert.equal(formatIp(allocateIp(s, gw, new Set())!), '10.9.0.2');
  assert.equal(formatIp(allocateIp(s, gw, new Set([parseIp('10.9.0.2'), parseIp('10.9.0.3')]))!), '10.9.0.4');
  const full = new Set(['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6'].map(parseIp));
  assert.equal(allocateIp(s, gw, full), undefined);
  assert.equal(formatIp(allocateIp(parseCidr('10.9.0.0/24'), gw, new Set(), parseCidr('10.9.0.128/25'))!), '10.9.0.128');
  // An offset starts further in and wraps around at the end.
  assert.equal(formatIp(allocateIp(s, gw, new Set(), undefined, 4)!), '10.9.0.5');
  assert.equal(formatIp(allocateIp(s, gw, new Set([parseIp('10.9.0.6')]), undefined, 5)!), '10.9.0.2');
});
