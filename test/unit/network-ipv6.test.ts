import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateIp6, contains6, formatCidr6, formatIp6, overlaps6, parseCidr6, parseIp6, randomUlaSubnet } from '../../src/netavark/ipv6.js';

test('IPv6 addresses parse and format in RFC 5952 shortest form', () => {
  for (const [input, shown] of [
    ['fd00:0:0:0:0:0:0:1', 'fd00::1'], ['::1', '::1'], ['::', '::'], ['2001:DB8::FF00:42:8329', '2001:db8::ff00:42:8329'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ['[fe80::1]', 'fe80::1'],
  ]) assert.equal(formatIp6(parseIp6(input)), shown, input);
  for (const bad of ['1::2::3', 'fd00::g', '1:2:3:4:5:6:7:8:9', '12345::', '10.0.0.1']) assert.throws(() => parseIp6(bad), /invalid IP address/, bad);
});

test('IPv6 CIDRs: host bits dropped, containment, overlap', () => {
  assert.equal(formatCidr6(parseCidr6('fd00:1:2:3::99/64')), 'fd00:1:2:3::/64');
  const a = parseCidr6('fd00:1::/64');
  assert.ok(contains6(a, parseIp6('fd00:1::ffff')));
  assert.ok(!contains6(a, parseIp6('fd00:2::1')));
  assert.ok(overlaps6(parseCidr6('fd00::/16'), a));
  assert.ok(!overlaps6(a, parseCidr6('fd00:1:0:1::/64')));
  assert.throws(() => parseCidr6('fd00::/129'), /invalid CIDR/);
});

test('IPv6 allocation skips the subnet-router address, the gateway and used addresses', () => {
  const s = parseCidr6('fd00:5::/64');
  const gw = parseIp6('fd00:5::1');
  assert.equal(formatIp6(allocateIp6(s, gw, new Set())!), 'fd00:5::2');
  assert.equal(formatIp6(allocateIp6(s, gw, new Set([parseIp6('fd00:5::2'), parseIp6('fd00:5::3')]))!), 'fd00:5::4');
  const tiny = parseCidr6('fd00:5::/126'); // ::0 (anycast), ::1 (gateway), ::2, ::3
  assert.equal(allocateIp6(tiny, gw, new Set([parseIp6('fd00:5::2'), parseIp6('fd00:5::3')])), undefined);
  assert.equal(formatIp6(allocateIp6(s, gw, new Set(), parseCidr6('fd00:5::100/120'))!), 'fd00:5::101');
});

test('a network with --ipv6 and no subnet gets a unique-local /64 that overlaps no other', () => {
  const taken = [parseCidr6('fd00::/9')]; // half of fd00::/8 taken
  for (let i = 0; i < 20; i++) {
    const s = randomUlaSubnet(taken);
    assert.equal(s.prefix, 64);
    assert.match(formatCidr6(s), /^fd[0-9a-f]{2}:/);
    assert.ok(!overlaps6(s, taken[0]));
  }
});
