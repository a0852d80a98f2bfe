import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePublish } from '../../src/cli/verbs/network-flags.js';
import { portLines } from '../../src/cli/verbs/network-port.js';

test('-p specs as docker parses them', () => {
  assert.deepEqual(parsePublish('8080:80'), [{ key: '80/tcp', hostIp: '', hostPort: '8080' }]);
  assert.deepEqual(parsePublish('127.0.0.1:8080:80/udp'), [{ key: '80/udp', hostIp: '127.0.0.1', hostPort: '8080' }]);
  assert.deepEqual(parsePublish('127.0.0.1::80'), [{ key: '80/tcp', hostIp: '127.0.0.1', hostPort: '' }]);
  assert.deepEqual(parsePublish('80'), [{ key: '80/tcp', hostIp: '', hostPort: '' }]);
  assert.deepEqual(parsePublish('[::1]:8080:80'), [{ key: '80/tcp', hostIp: '::1', hostPort: '8080' }]);
  assert.deepEqual(parsePublish('8000-8001:80-81'), [{ key: '80/tcp', hostIp: '', hostPort: '8000' }, { key: '81/tcp', hostIp: '', hostPort: '8001' }]);
  assert.deepEqual(parsePublish('9000-9010:80'), [{ key: '80/tcp', hostIp: '', hostPort: '9000-9010' }]);
  assert.throws(() => parsePublish('8000-8002:80-81'), /invalid ranges/);
  assert.throws(() => parsePublish('80/icmp'), /invalid proto/);
  assert.throws(() => parsePublish('a:b:c:d'), /invalid port format/);
});

test('docker port lines', () => {
  const ports = { '81/udp': [{ HostIp: '127.0.0.1', HostPort: '5000' }], '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '90/tcp': null };
  assert.deepEqual(portLines(ports), ['80/tcp -> 0.0.0.0:8080', '81/udp -> 127.0.0.1:5000']);
  assert.deepEqual(portLines(ports, '80'), ['0.0.0.0:8080']);
  assert.deepEqual(portLines(ports, '90/tcp'), []);
});
