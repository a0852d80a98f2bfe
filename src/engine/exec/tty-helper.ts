// The terminal side of `exec -t`. runc hands the pty master of a new process only to a console socket,
// and only when it detaches; Node can neither receive a file descriptor nor reap an orphan. This small
// python3 helper (as the stdin forwarder, python3 is part of the base OS here) does both: it becomes a
// child subreaper, runs `runc exec -d -t --console-socket`, receives the master, copies its stdin to the
// terminal and the terminal to its stdout, applies `size H W` lines read on fd 3 (where it first
// reports `pid N`), and exits with the process's exit code (128+signal when killed; 255 if runc failed).
export const PYTHON = '/usr/bin/python3';

export const TTY_HELPER = `
import ctypes, fcntl, os, select, socket, struct, subprocess, sys, termios, threading
sock_path, pid_file = sys.argv[1], sys.argv[2]
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sock_path)
srv.listen(1)
runc = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
master = None
while master is None:
    r, _, _ = select.select([srv], [], [], 0.1)
    if r:
        conn, _ = srv.accept()
        _, fds, _, _ = socket.recv_fds(conn, 4096, 1)
        if fds:
            master = fds[0]
        conn.close()
    elif runc.poll() is not None:
        sys.exit(255)
srv.close()
os.unlink(sock_path)
if runc.wait() != 0:
    sys.exit(255)
pid = int(open(pid_file).read().strip())
os.write(3, b'pid %d\\n' % pid)
def control():
    buf = b''
    while True:
        try:
            b = os.read(3, 4096)
        except OSError:
            return
        if not b:
            return
        buf += b
        while b'\\n' in buf:
            line, buf = buf.split(b'\\n', 1)
            f = line.split()
            if len(f) == 3 and f[0] == b'size':
                try:
                    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', int(f[1]), int(f[2]), 0, 0))
                except (OSError, ValueError):
                    pass
def pump_in():
    while True:
        try:
            b = os.read(0, 8192)
        except OSError:
            return
        if not b:
            return
        try:
            os.write(master, b)
        except OSError:
            return
def pump_out():
    while True:
        try:
            b = os.read(master, 65536)
        except OSError:
            return
        if not b:
            return
        os.write(1, b)
threading.Thread(target=control, daemon=True).start()
threading.Thread(target=pump_in, daemon=True).start()
out = threading.Thread(target=pump_out, daemon=True)
out.start()
code = 255
while True:
    try:
        p, status = os.waitpid(-1, 0)
    except ChildProcessError:
        break
    if p == pid:
        code = os.waitstatus_to_exitcode(status)
        code = 128 - code if code < 0 else code
        break
out.join(2)
sys.stdout.flush()
os._exit(code)
`;
