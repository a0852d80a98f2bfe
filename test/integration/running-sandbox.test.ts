// The sandbox and limits, with real containers through the docker CLI: default seccomp, dropped
// capabilities, no-new-privileges, --init, OOM kill, a bounded fork bomb, stats and update.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('default seccomp blocks unshare; unconfined and privileged do not', () => {
  const r = d.docker(['run', '--rm', 'busybox', 'unshare', '-U', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stderr + r.stdout, /Operation not permitted/);
  assert.equal(d.docker(['run', '--rm', '--security-opt', 'seccomp=unconfined', 'busybox', 'unshare', '-U', 'true']).code, 0);
  assert.match(ok(['run', '--rm', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+2/);
  assert.match(ok(['run', '--rm', '--privileged', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+0/);
});

test('no-new-privileges shows in /proc/self/status; dropped CHOWN makes chown fail', () => {
  assert.match(ok(['run', '--rm', '--security-opt', 'no-new-privileges', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status']), /NoNewPrivs:\s+1/);
  assert.match(ok(['run', '--rm', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status']), /NoNewPrivs:\s+0/);
  const r = d.docker(['run', '--rm', '--cap-drop', 'CHOWN', 'busybox', 'chown', '1', '/tmp']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Operation not permitted/);
  assert.equal(d.docker(['run', '--rm', 'busybox', 'chown', '1', '/tmp']).code, 0);
});

test('--init runs tini as PID 1; --pid host sees the host; bad options answer 400 in Docker words', async () => {
  assert.match(ok(['run', '--rm', '--init', 'busybox', 'cat', '/proc/1/cmdline']), /docker-init/);
  assert.ok(Number(ok(['run', '--rm', '--pid', 'host', 'busybox', 'sh', '-c', 'ls -d /proc/[0-9]* | wc -l']).trim()) > 10);
  assert.match(d.docker(['run', '--rm', '--security-opt', 'foo=bar', 'busybox', 'true']).stderr, /invalid --security-opt 2: "foo=bar"/);
  const res = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { Sysctls: { 'vm.swappiness': '1' } } });
  assert.equal(res.status, 400);
  assert.match(res.body, /vm.swappiness/);
  const rm = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } });
  assert.equal(rm.status, 400);
  assert.match(rm.body, /can't create 'AutoRemove' container with restart policy/);
});

test('a memory hog is OOM-killed: exit 137, OOMKilled, an oom event', () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const r = d.docker(['run', '--name', 'hog', '-m', '16m', '--memory-swap', '16m', 'busybox', 'tail', '/dev/zero']);
  assert.equal(r.code, 137);
  assert.equal(ok(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'hog']), 'true 137\n');
  const ev = ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=hog', '--format', '{{.Action}}']);
  assert.match(ev, /^oom$/m);
  ok(['rm', 'hog']);
});

test('--pids-limit stops a (bounded) fork bomb', () => {
  const r = d.docker(['run', '--rm', '--pids-limit', '10', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 30 ]; do sleep 5 & i=$((i+1)); done; true']);
  assert.match(r.stderr, /can't fork/);
  assert.equal(ok(['run', '--rm', '--pids-limit', '10', 'busybox', 'cat', '/sys/fs/cgroup/pids/pids.max']).trim(), '10');
});

test('stats: docker stats --no-stream draws the table; CPU numbers move under load', async () => {
  ok(['run', '-d', '--name', 'busy', '-m', '64m', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 100000000 ]; do i=$((i+1)); done']);
  ok(['run', '-d', '--name', 'idle', 'busybox', 'sleep', '300']);
  let line = '';
  for (let i = 0; i < 20; i++) {
    const out = ok(['stats', '--no-stream']);
    assert.match(out, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/m);
    assert.match(out, /idle/);
    line = out.split('\n').find((l) => / busy /.test(l)) ?? '';
    if (/ (\d+\.\d+)%/.test(line) && Number(/ (\d+\.\d+)%/.exec(line)![1]) > 0) break;
    await sleep(500);
  }
  assert.ok(Number(/ (\d+\.\d+)%/.exec(line)?.[1] ?? 0) > 0, `no CPU in: ${line}`);
  assert.match(line, /\/ 64MiB/);
  const one = async () => JSON.parse((await d.api('GET', '/containers/busy/stats?stream=false')).body) as { cpu_stats: { cpu_usage: { total_usage: number } }; memory_stats: { limit: number }; pids_stats: { current: number }; precpu_stats: unknown };
  const a = await one();
  await sleep(300);
  const b = await one();
  assert.ok(b.cpu_stats.cpu_usage.total_usage > a.cpu_stats.cpu_usage.total_usage);
  assert.equal(b.memory_stats.limit, 64 * 1024 * 1024);
  assert.equal(b.pids_stats.current, 1);
  const shot = JSON.parse((await d.api('GET', '/containers/idle/stats?stream=false&one-shot=true')).body) as { preread: string };
  assert.equal(shot.preread, '0001-01-01T00:00:00Z');
  ok(['rm', '-f', 'busy', 'idle']);
});

test('update changes the limits of a running container, and the restart policy', () => {
  ok(['run', '-d', '--name', 'up', '-m', '32m', 'busybox', 'sleep', '300']);
  assert.equal(ok(['exec', 'up', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']).trim(), String(32 << 20));
  ok(['update', '--memory', '100m', '--memory-swap', '200m', '--cpus', '0.5', '--pids-limit', '50', '--restart', 'on-failure:3', 'up']);
  assert.equal(ok(['exec', 'up', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']).trim(), String(100 << 20));
  assert.equal(ok(['exec', 'up', 'cat', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us']).trim(), '50000');
  assert.equal(ok(['exec', 'up', 'cat', '/sys/fs/cgroup/pids/pids.max']).trim(), '50');
  assert.equal(ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'up']), `${100 << 20} 500000000 on-failure:3\n`);
  const r = d.docker(['update', '--memory', '300m', 'up']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Memory limit should be smaller than already set memoryswap limit/);
  ok(['rm', '-f', 'up']);
});
