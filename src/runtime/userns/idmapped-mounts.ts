// Idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP, Linux >= 5.12): a remapped container sees the image's
// layers, its own upper dir and its volumes owned by its own root, while the files on disk keep their
// real ids (layers stay shared with every other container; commit, diff, export and cp see real ids).
// Node has no binding for open_tree/mount_setattr/move_mount, so a python3 helper (python3 is part of
// the base OS, as for the stdin forwarder) makes them. It also mounts the overlay with the remapped
// root's fsuid/fsgid: overlayfs works in its upper dir with its mounter's credentials, and host root
// (id 0) has no id in an idmapped upper.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { internal } from '../../errors.js';
import { CommandFailed, runCommand } from '../../util/run-command.js';
import type { IdRange } from './remap.js';

const PYTHON = '/usr/bin/python3';

// x86_64 and arm64 share these numbers (new syscalls are numbered alike on every architecture).
const HELPER = String.raw`
import ctypes, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
OPEN_TREE, MOVE_MOUNT, MOUNT_SETATTR = 428, 429, 442
OPEN_TREE_CLONE, O_CLOEXEC, AT_RECURSIVE, AT_EMPTY_PATH, AT_FDCWD = 1, 0o2000000, 0x8000, 0x1000, -100
MOVE_MOUNT_F_EMPTY_PATH, MOUNT_ATTR_IDMAP, CLONE_NEWUSER, CLONE_NEWNET, MS_BIND = 4, 0x100000, 0x10000000, 0x40000000, 4096
class Attr(ctypes.Structure):
    _fields_ = [("set", ctypes.c_uint64), ("clr", ctypes.c_uint64), ("prop", ctypes.c_uint64), ("userns", ctypes.c_uint64)]
class CapHdr(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
class CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]
def fail(what):
    e = ctypes.get_errno()
    sys.stderr.write("%s: %s (errno %d)\n" % (what, os.strerror(e), e)); sys.exit(1)
def pin(src, dst):
    open(dst, "a").close()
    if libc.mount(src.encode(), dst.encode(), None, MS_BIND, None) != 0: fail("bind " + dst)
def in_child(setup, kind, dst):
    # A child makes the namespace (and waits); the parent pins it with a bind mount of its ns file.
    r, w = os.pipe(); r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w); os.close(r2)
        ok = setup()
        os.write(w2, b"1" if ok else b"0"); os.read(r, 1); os._exit(0)
    os.close(r); os.close(w2)
    try:
        if os.read(r2, 1) != b"1": fail("making the " + kind + " namespace")
        if kind == "user":
            # The maps are written while the child waits: it does nothing in the namespace itself.
            with open("/proc/%d/uid_map" % pid, "w") as f: f.write(plan["uidMap"])
            with open("/proc/%d/gid_map" % pid, "w") as f: f.write(plan["gidMap"])
        pin("/proc/%d/ns/%s" % (pid, kind), dst)
    finally:
        os.close(w); os.waitpid(pid, 0)
plan = json.loads(sys.argv[1])
if plan["op"] == "userns" and plan.get("fromPid"):
    pin("/proc/%d/ns/user" % plan["fromPid"], plan["usernsFile"])
elif plan["op"] == "userns":
    in_child(lambda: libc.unshare(CLONE_NEWUSER) == 0, "user", plan["usernsFile"])
elif plan["op"] == "netns":
    def enter_and_unshare():
        fd = os.open(plan["usernsFile"], os.O_RDONLY)
        return libc.setns(fd, CLONE_NEWUSER) == 0 and libc.unshare(CLONE_NEWNET) == 0
    in_child(enter_and_unshare, "net", plan["netnsFile"])
else:
    nsfd = os.open(plan["usernsFile"], os.O_RDONLY)
    for b in plan["binds"]:
        fd = libc.syscall(OPEN_TREE, AT_FDCWD, b["src"].encode(), OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE)
        if fd < 0: fail("open_tree " + b["src"])
        a = Attr(MOUNT_ATTR_IDMAP, 0, 0, nsfd)
        if libc.syscall(MOUNT_SETATTR, fd, b"", AT_EMPTY_PATH | AT_RECURSIVE, ctypes.byref(a), ctypes.sizeof(a)) < 0: fail("idmapped mount of " + b["src"])
        if libc.syscall(MOVE_MOUNT, fd, b"", AT_FDCWD, b["dst"].encode(), MOVE_MOUNT_F_EMPTY_PATH) < 0: fail("move_mount " + b["dst"])
        os.close(fd)
    o = plan.get("overlay")
    if o:
        pid = os.fork()
        if pid == 0:
            os.setgroups([])
            libc.setfsgid(o["gid"]); libc.setfsuid(o["uid"])
            # setfsuid away from 0 drops the file capabilities from the effective set: raise them again.
            h = CapHdr(0x20080522, 0); d = (CapData * 2)()
            if libc.capget(ctypes.byref(h), d) != 0: os._exit(3)
            for i in range(2): d[i].effective = d[i].permitted
            if libc.capset(ctypes.byref(h), d) != 0: os._exit(4)
            os.chdir(o.get("cwd") or "/")
            if libc.mount(b"overlay", o["target"].encode(), b"overlay", 0, o["options"].encode()) != 0:
                e = ctypes.get_errno(); sys.stderr.write("mount overlay: %s (errno %d)\n" % (os.strerror(e), e)); os._exit(5)
            os._exit(0)
        _, st = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(st) != 0: sys.stderr.write("overlay mount as the remapped root failed\n"); sys.exit(1)
`;

export interface IdmappedBind { src: string; dst: string }

export interface IdmapPlan {
  /** The pinned user namespace (pinUserNamespace) whose ids the views get. */
  usernsFile: string;
  /** Each src appears at dst with the container's ids (dst is created). */
  binds: IdmappedBind[];
  /** Then an overlay mounted as the remapped root (options as mount(8) takes them; cwd for relative lowerdirs). */
  overlay?: { target: string; options: string; cwd?: string; uid: number; gid: number };
}

const mapText = (ranges: IdRange[]) => ranges.map((r) => `${r.containerID} ${r.hostID} ${r.size}`).join('\n') + '\n';

async function helper(plan: Record<string, unknown>, what: string): Promise<void> {
  await runCommand(PYTHON, ['-c', HELPER, JSON.stringify(plan)], { timeoutMs: 60_000 }).catch((err: unknown) => {
    throw internal(`${what}: ${err instanceof CommandFailed ? err.detail : String(err)}`);
  });
}

/**
 * A user namespace with these mappings, kept alive by a bind mount of its ns file at `file` (the
 * container joins it by path; its network namespace and idmapped views belong to it).
 */
export async function pinUserNamespace(file: string, uids: IdRange[], gids: IdRange[], fromPid?: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o711 });
  // `fromPid`: the user namespace of that process (a peer whose namespaces this container joins).
  await helper({ op: 'userns', usernsFile: file, uidMap: mapText(uids), gidMap: mapText(gids), ...(fromPid ? { fromPid } : {}) }, 'user namespace');
}

/** A network namespace owned by the pinned user namespace (so the container can mount sysfs and set its sysctls), pinned at `file`. */
export async function pinNetNamespaceIn(usernsFile: string, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o755 });
  await helper({ op: 'netns', usernsFile, netnsFile: file }, 'network namespace');
}

/** Makes the idmapped mounts of a plan (and its overlay); on failure the caller unmounts what exists. */
export async function makeIdmappedMounts(plan: IdmapPlan): Promise<void> {
  await Promise.all(plan.binds.map((b) => mkdir(b.dst, { recursive: true, mode: 0o700 })));
  await helper({ op: 'mount', ...plan }, 'user namespace mounts');
}
