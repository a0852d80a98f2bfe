import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netavarkName, netavarkOptions } from '../../src/netavark/netavark.js';
import { blankNetwork } from '../../src/network/network-store.js';
import { resolvConfText } from '../../src/network/etc-files.js';
import { splitRule } from '../../src/netavark/firewall-sweep.js';
import { networkMatches } from '../../src/api/routes/networks.js';

const ID = 'ab'.repeat(32);

function userNet() {
  const n = blankNetwork('front', ID, 'bridge');
  n.IPAM.Config = [{ Subnet: '10.216.0.0/24', Gateway: '10.216.0.1' }];
  n.BridgeName = 'br-abababababab';
  n.Labels = { team: 'net' };
  return n;
}

test('netavark options: one network under a per-network name, static IP, aliases, ports, isolation', () => {
  const opts = netavarkOptions(userNet(), { containerId: 'c'.repeat(64), containerName: 'web', interfaceName: 'eth0', ip: '10.216.0.2', names: ['web', 'www'], ports: [{ host_ip: '127.0.0.1', host_port: 18099, container_port: 80, protocol: 'tcp', range: 1 }] });
  const name = netavarkName(userNet());
  assert.equal(name, 'berth-br-abababababab');
  assert.deepEqual(opts.networks, { [name]: { interface_name: 'eth0', static_ips: ['10.216.0.2'], aliases: ['web', 'www'] } });
  const info = opts.network_info[name];
  assert.equal(info.network_interface, 'br-abababababab');
  assert.equal(info.dns_enabled, true);
  assert.deepEqual(info.subnets, [{ subnet: '10.216.0.0/24', gateway: '10.216.0.1' }]);
  assert.deepEqual(info.options, { isolate: 'true' });
  assert.equal(opts.port_mappings?.length, 1);
  const bridge = blankNetwork('bridge', ID, 'bridge');
  bridge.IPAM.Config = [{ Subnet: '172.30.0.0/16', Gateway: '172.30.0.1' }];
  const b = netavarkOptions(bridge, { containerId: 'c'.repeat(64), containerName: 'x', interfaceName: 'eth0', ip: '172.30.0.9', mac: '02:42:ac:1e:00:09', names: [], ports: [] });
  assert.equal(b.network_info[netavarkName(bridge)].dns_enabled, false, 'the default bridge has no name resolution, as in Docker');
  assert.equal(b.networks[netavarkName(bridge)].static_mac, '02:42:ac:1e:00:09');
  assert.equal(b.port_mappings, null);
});

test('resolv.conf: user DNS wins, then the network DNS server, else the host\'s servers without loopback', () => {
  const host = 'nameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch example.org\noptions edns0\n';
  assert.equal(resolvConfText(host, ['10.216.0.1'], {}), 'nameserver 10.216.0.1\nsearch example.org\noptions edns0\n');
  assert.equal(resolvConfText(host, [], {}), 'nameserver 192.0.2.1\nsearch example.org\noptions edns0\n');
  assert.equal(resolvConfText(host, ['10.216.0.1'], { servers: ['192.0.2.9'], search: ['a.test'], options: ['ndots:2'] }), 'nameserver 192.0.2.9\nsearch a.test\noptions ndots:2\n');
});

test('iptables -S rules split back into arguments with quoted comments whole', () => {
  assert.deepEqual(splitRule('FORWARD -m comment --comment "netavark firewall plugin rules" -j NETAVARK_FORWARD'),
    ['FORWARD', '-m', 'comment', '--comment', 'netavark firewall plugin rules', '-j', 'NETAVARK_FORWARD']);
});

test('network list filters', () => {
  const n = userNet();
  assert.ok(networkMatches(n, { name: ['fro'] }, false));
  assert.ok(!networkMatches(n, { name: ['back'] }, false));
  assert.ok(networkMatches(n, { id: ['abab'] }, false));
  assert.ok(networkMatches(n, { label: ['team=net'] }, false));
  assert.ok(!networkMatches(n, { label: ['team=web'] }, false));
  assert.ok(networkMatches(n, { type: ['custom'] }, false));
  assert.ok(!networkMatches(n, { type: ['builtin'] }, false));
  assert.ok(networkMatches(n, { dangling: ['true'] }, false));
  assert.ok(!networkMatches(n, { dangling: ['true'] }, true));
  assert.ok(networkMatches(blankNetwork('host', ID, 'host'), { type: ['builtin'], driver: ['host'] }, false));
  assert.throws(() => networkMatches(n, { type: ['odd'] }, false), /invalid filter/);
});
