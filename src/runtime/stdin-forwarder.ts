// Feeds a container's stdin through conmon's attach socket. That socket is SOCK_SEQPACKET, which Node
// cannot open, so a tiny helper (python3, part of the base OS here) bridges a pipe to it: bytes written
// to `input` reach the container's stdin; ending `input` detaches, and conmon then closes the
// container's stdin (unless it runs with --leave-stdin-open).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { notImplemented } from '../errors.js';

const PYTHON = '/usr/bin/python3';

// The socket path can exceed sun_path's 108 bytes, hence the /proc/self/fd/<dirfd> detour.
// conmon reads at most 8192 bytes per message, so stdin goes in chunks of that size.
const HELPER = `
import os, socket, sys, threading
d = os.open(sys.argv[1], os.O_RDONLY)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect('/proc/self/fd/%d/attach' % d)
def drain():
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass
    os._exit(0)
threading.Thread(target=drain, daemon=True).start()
while True:
    b = os.read(0, 8192)
    if not b:
        break
    s.sendall(b)
s.shutdown(socket.SHUT_WR)
threading.Event().wait()
`;

export interface StdinForwarder { input: Writable; close(): void }

export function canForwardStdin(): boolean {
  return existsSync(PYTHON);
}

export function openStdinForwarder(bundleDir: string): StdinForwarder {
  if (!canForwardStdin()) throw notImplemented('attaching stdin needs /usr/bin/python3 on this host');
  const child: ChildProcess = spawn(PYTHON, ['-c', HELPER, bundleDir], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.on('error', () => undefined);
  child.stdin!.on('error', () => undefined);
  return {
    input: child.stdin!,
    close: () => { if (child.exitCode === null) child.kill('SIGKILL'); },
  };
}
