import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { parsePortKey, portRequests, portsSummary, portsView } from '../../src/network/ports.js';
import { assignHostPorts } from '../../src/netavark/host-ports.js';

test('port keys', () => {
  assert.deepEqual(parsePortKey('80/tcp'), { port: 80, protocol: 'tcp' });
  assert.deepEqual(parsePortKey('53/udp'), { port: 53, protocol: 'udp' });
  assert.deepEqual(parsePortKey('8080'), { port: 8080, protocol: 'tcp' });
  assert.throws(() => parsePortKey('0/tcp'), /invalid port/);
  assert.throws(() => parsePortKey('80/icmp'), /invalid proto/);
});

test('PortBindings and -P with ExposedPorts become requests', () => {
  const reqs = portRequests({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '' }], '90/tcp': [{ HostIp: '', HostPort: '9000-9010' }] }, true, { '80/tcp': {}, '443/tcp': {} });
  assert.deepEqual(reqs, [
    { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortLow: 8080, hostPortHigh: 8080 },
    { containerPort: 53, protocol: 'udp', hostIp: '', hostPortLow: 0, hostPortHigh: 0 },
    { containerPort: 90, protocol: 'tcp', hostIp: '', hostPortLow: 9000, hostPortHigh: 9010 },
    { containerPort: 443, protocol: 'tcp', hostIp: '', hostPortLow: 0, hostPortHigh: 0 },
  ]);
  assert.deepEqual(portRequests(null, false, { '80/tcp': {} }), []);
  assert.throws(() => portRequests({ '80/tcp': [{ HostIp: '', HostPort: 'x' }] }, false, null), /invalid hostPort/);
});

test('NetworkSettings.Ports and ps Ports', () => {
  const ports = portsView([{ host_ip: '127.0.0.1', host_port: 18099, container_port: 80, protocol: 'tcp', range: 1 }, { host_ip: '', host_port: 5353, container_port: 53, protocol: 'udp', range: 1 }], { '80/tcp': {}, '443/tcp': {} });
  assert.deepEqual(ports, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18099' }], '443/tcp': null, '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }] });
  assert.deepEqual(portsSummary(ports), [
    { IP: '127.0.0.1', PrivatePort: 80, PublicPort: 18099, Type: 'tcp' },
    { PrivatePort: 443, Type: 'tcp' },
    { IP: '0.0.0.0', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
  ]);
});

test('host ports: a taken port is refused with Docker\'s words, 0 picks a free one, ranges skip taken ports', async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const taken = (srv.address() as net.AddressInfo).port;
  try {
    await assert.rejects(assignHostPorts([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortLow: taken, hostPortHigh: taken }], new Map()), /Bind for 127\.0\.0\.1:\d+ failed: port is already allocated/);
    const [m] = await assignHostPorts([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortLow: 0, hostPortHigh: 0 }], new Map());
    assert.ok(m.host_port > 0 && m.host_port !== taken);
    // Ports Berth published itself count as taken even though nothing listens on them.
    const ours = new Map([[`tcp/${m.host_port}`, new Set([''])]]);
    await assert.rejects(assignHostPorts([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortLow: m.host_port, hostPortHigh: m.host_port }], ours), /port is already allocated/);
    const [r] = await assignHostPorts([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortLow: m.host_port, hostPortHigh: m.host_port + 1 }], ours);
    assert.equal(r.host_port, m.host_port + 1);
  } finally {
    srv.close();
  }
});
