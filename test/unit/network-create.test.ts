// `docker network create` rules, decoded without a daemon: names, drivers, options applied or refused,
// pools (IPv4 and IPv6), aux addresses and Docker's overlap rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNetwork, type CreateContext, type NetworkCreateRequest } from '../../src/network/network-create.js';
import { parseCidr } from '../../src/netavark/ipv4.js';
import { blankNetwork } from '../../src/network/network-store.js';
import { isBerthError } from '../../src/errors.js';

let n = 0;
function ctx(existing = [] as ReturnType<typeof blankNetwork>[]): CreateContext {
  return {
    existing, defaultAddressPools: [{ base: '172.29.0.0/16', size: 24 }], newId: () => (++n).toString(16).padStart(64, '0'),
    takenForAuto: () => [parseCidr('172.29.0.0/24'), ...existing.flatMap((e) => e.IPAM.Config.filter((c) => !c.Subnet.includes(':')).map((c) => parseCidr(c.Subnet)))],
  };
}
const build = (body: NetworkCreateRequest, c = ctx()) => buildNetwork(body, c);
const kindOf = (fn: () => unknown) => { try { fn(); } catch (err) { return isBerthError(err) ? err.kind : 'other'; } return 'none'; };

test('any non-empty name, as Docker takes it; duplicates conflict', () => {
  assert.equal(build({ Name: 'my net' }).Name, 'my net');
  assert.equal(build({ Name: 'a:b/c' }).Name, 'a:b/c');
  assert.equal(kindOf(() => build({ Name: '' })), 'invalid-argument');
  const existing = build({ Name: 'taken' });
  assert.equal(kindOf(() => build({ Name: 'taken' }, ctx([existing]))), 'conflict');
});

test('options are shown back; Docker\'s own are applied or refused, never dropped', () => {
  const net = build({ Name: 'o', Options: { foo: 'bar', 'com.docker.network.driver.mtu': '1400' }, Labels: { a: 'b' } });
  assert.deepEqual(net.Options, { foo: 'bar', 'com.docker.network.driver.mtu': '1400' });
  assert.deepEqual(net.Labels, { a: 'b' });
  assert.equal(build({ Name: 'b', Options: { 'com.docker.network.bridge.name': 'brx0' } }).BridgeName, 'brx0');
  assert.equal(kindOf(() => build({ Name: 'x', Options: { 'com.docker.network.bridge.enable_icc': 'false' } })), 'invalid-argument');
  assert.equal(kindOf(() => build({ Name: 'x', Options: { 'com.docker.network.bridge.inhibit_ipv4': 'true' } })), 'invalid-argument');
  assert.equal(kindOf(() => build({ Name: 'x', Options: { 'com.docker.network.bridge.name': 'a-very-long-bridge-name' } })), 'invalid-argument');
});

test('subnet, ip-range, gateway and aux addresses; an aux address outside the subnet is refused', () => {
  const net = build({ Name: 'p', IPAM: { Config: [{ Subnet: '10.78.0.0/16', IPRange: '10.78.5.0/24', Gateway: '10.78.5.254', AuxiliaryAddresses: { h: '10.78.5.5' } }] } });
  assert.deepEqual(net.IPAM.Config, [{ Subnet: '10.78.0.0/16', Gateway: '10.78.5.254', IPRange: '10.78.5.0/24', AuxiliaryAddresses: { h: '10.78.5.5' } }]);
  assert.equal(kindOf(() => build({ Name: 'q', IPAM: { Config: [{ Subnet: '10.78.0.0/16', AuxiliaryAddresses: { h: '10.1.1.1' } }] } })), 'invalid-argument');
  assert.equal(kindOf(() => build({ Name: 'q', IPAM: { Config: [{ Subnet: '10.78.0.0/16', Gateway: '10.79.0.1' }] } })), 'invalid-argument');
});

test('a named subnet may overlap a host route but never another network; picked subnets avoid both', () => {
  // 172.29.0.0/24 is "a host route" in this context: named, it is allowed.
  assert.equal(build({ Name: 'r', IPAM: { Config: [{ Subnet: '172.29.0.0/24' }] } }).IPAM.Config[0].Subnet, '172.29.0.0/24');
  assert.equal(build({ Name: 'auto' }).IPAM.Config[0].Subnet, '172.29.1.0/24');
  const other = build({ Name: 'o', IPAM: { Config: [{ Subnet: '10.80.0.0/16' }] } });
  assert.equal(kindOf(() => build({ Name: 's', IPAM: { Config: [{ Subnet: '10.80.4.0/24' }] } }, ctx([other]))), 'forbidden');
});

test('--ipv6: dual-stack pools, a ULA /64 when none is named, overlap checked per family', () => {
  const auto = build({ Name: 'v6', EnableIPv6: true });
  assert.equal(auto.EnableIPv6, true);
  assert.equal(auto.IPAM.Config.length, 2);
  assert.match(auto.IPAM.Config[1].Subnet, /^fd[0-9a-f:]+::\/64$/);
  assert.equal(auto.IPAM.Config[1].Gateway, auto.IPAM.Config[1].Subnet.replace('::/64', '::1'));
  const named = build({ Name: 'v6n', EnableIPv6: true, IPAM: { Config: [{ Subnet: 'fd00:1::/64' }, { Subnet: '10.81.0.0/24' }] } });
  assert.deepEqual(named.IPAM.Config.map((c) => [c.Subnet, c.Gateway]), [['10.81.0.0/24', '10.81.0.1'], ['fd00:1::/64', 'fd00:1::1']]);
  assert.equal(kindOf(() => build({ Name: 'v6o', EnableIPv6: true, IPAM: { Config: [{ Subnet: 'fd00:1::/48' }] } }, ctx([named]))), 'forbidden');
  // An IPv6 subnet without --ipv6 is kept, as Docker 20.10 does, but the network stays IPv4-only.
  assert.equal(build({ Name: 'v6off', IPAM: { Config: [{ Subnet: 'fd00:9::/64' }] } }).EnableIPv6, false);
});

test('macvlan needs an existing parent; ipvlan and unknown drivers are refused', () => {
  const mv = build({ Name: 'mv', Driver: 'macvlan', Options: { parent: 'lo' }, IPAM: { Config: [{ Subnet: '10.82.0.0/24' }] } });
  assert.equal(mv.Driver, 'macvlan');
  assert.equal(mv.BridgeName, undefined);
  assert.deepEqual(mv.Options, { parent: 'lo' });
  assert.equal(kindOf(() => build({ Name: 'mv2', Driver: 'macvlan' })), 'invalid-argument');
  assert.equal(kindOf(() => build({ Name: 'mv3', Driver: 'macvlan', Options: { parent: 'nosuchif0' } })), 'invalid-argument');
  assert.equal(kindOf(() => build({ Name: 'iv', Driver: 'ipvlan', Options: { parent: 'lo' } })), 'invalid-argument');
  assert.equal(kindOf(() => build({ Name: 'ov', Driver: 'overlay' })), 'not-found');
});
