/**
 * The rootless hook's registration in the private binfmt_misc of Podman's user
 * namespace, against a fake that keeps two instances apart (the host's, which
 * this process may not write, and the private one the mount creates). The
 * real kernel is exercised in test/integration/runtime-hook/private-binfmt.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEntryFile, parseEntryFile } from '../../../src/emulator/binfmt/binfmt-entry.js';
import { parseRegistration } from '../../../src/emulator/binfmt/binfmt-rule.js';
import type { InstallState, InstalledRegistration } from '../../../src/emulator/binfmt/install-state.js';
import { entriesToCopy, ensurePrivateRegistration, type PrivateBinfmtDeps } from '../../../src/runtime-hook/hook/private-binfmt.js';

// Real entry texts: Debian's qemu-user-static aarch64 and arm entries as this kernel prints them.
const HOST_AARCH64 = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n';
const HOST_ARM = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/arm-binfmt-P\nflags: POF\noffset 0\nmagic 7f454c4601010100000000000000000002002800\nmask ffffffffffffff00fffffffffffffffffeffffff\n';
const HOST_RISCV = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/riscv64-binfmt-P\nflags: POF\noffset 0\nmagic 7f454c460201010000000000000000000200f300\nmask ffffffffffffff00fffffffffffffffffeffffff\n';
const HOST_JAR = 'enabled\ninterpreter /usr/bin/jexec\nflags: \nextension .jar\n';

const REG: InstalledRegistration = {
  guest: 'aarch64',
  emulator: 'qemu-user',
  entryName: 'fexpod-qemu-user-aarch64',
  registration: ':fexpod-qemu-user-aarch64:M:0:\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/home/u/.local/share/fexpod/prefix/abc/bin/qemu-aarch64:POF',
  interpreter: '/home/u/.local/share/fexpod/prefix/abc/bin/qemu-aarch64',
  prefix: '/home/u/.local/share/fexpod/prefix/abc',
};
const STATE: InstallState = { version: 1, registrations: [REG], disabled: [], persisted: [] };
const ROOTLESS_MAP = '         0       1000          1\n         1     100000      65536\n';
const INITIAL_MAP = '         0          0 4294967295\n';

function errno(code: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(code);
  e.code = code;
  return e;
}

/** Two instances: the host's (read-only here) and the private one, made by mountOnce. */
class FakeNamespace implements PrivateBinfmtDeps {
  kernelRelease = '6.18.44';
  map: string | undefined = ROOTLESS_MAP;
  host = new Map<string, string>();
  priv: Map<string, string> | undefined;
  mounts = 0;
  registered: string[] = [];
  mountError: Error | undefined;
  /** Another hook mounts between our check and our lock. */
  raceMount = false;
  registerError: (line: string) => Error | undefined = () => undefined;

  constructor(host: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(host)) this.host.set(k, v);
  }
  private visible(): Map<string, string> {
    return this.priv ?? this.host;
  }
  uidMap() {
    return this.map;
  }
  ownInstance() {
    return this.priv !== undefined;
  }
  visibleEntries() {
    return [...this.visible()].map(([name, text]) => ({ name, text }));
  }
  mountOnce(): 'mounted' | 'present' {
    if (this.mountError) throw this.mountError;
    if (this.raceMount) this.priv ??= new Map();
    if (this.priv) return 'present';
    this.priv = new Map();
    this.mounts++;
    return 'mounted';
  }
  entry(name: string) {
    const t = this.visible().get(name);
    return t === undefined ? 'missing' : t.startsWith('enabled') ? 'enabled' : 'disabled';
  }
  register(line: string) {
    if (!this.priv) throw errno('EACCES');
    const err = this.registerError(line);
    if (err) throw err;
    const rule = parseRegistration(line);
    if (this.priv.has(rule.name)) throw errno('EEXIST');
    this.priv.set(rule.name, formatEntryFile({ rule, enabled: true }));
    this.registered.push(rule.name);
  }
}

interface Case {
  readonly name: string;
  readonly ns: () => FakeNamespace;
  readonly ok: boolean;
  readonly action?: 'present' | 'registered';
  readonly reason?: RegExp;
  readonly check?: (ns: FakeNamespace, r: ReturnType<typeof ensurePrivateRegistration>) => void;
}

const cases: Case[] = [
  {
    name: 'first foreign start: mounts once, carries over the host entries that catch other arches, registers ours',
    ns: () => new FakeNamespace({ 'qemu-aarch64': HOST_AARCH64, 'qemu-arm': HOST_ARM, 'qemu-riscv64': HOST_RISCV, jar: HOST_JAR }),
    ok: true,
    action: 'registered',
    check: (ns, r) => {
      assert.equal(ns.mounts, 1);
      assert.equal(r.created, true);
      assert.deepEqual([...r.copied].sort(), ['jar', 'qemu-arm', 'qemu-riscv64']);
      assert.deepEqual(r.notCopied, ['qemu-aarch64'], 'the host entry for our guest is left out');
      assert.equal(ns.registered.at(-1), REG.entryName);
      assert.equal(ns.host.size, 4, 'the host instance is untouched');
    },
  },
  {
    name: 'instance already ours, entry present: nothing written',
    ns: () => {
      const ns = new FakeNamespace();
      ns.priv = new Map([[REG.entryName, 'enabled\n']]);
      return ns;
    },
    ok: true,
    action: 'present',
    check: (ns) => assert.equal(ns.registered.length + ns.mounts, 0),
  },
  {
    name: 'instance ours (another start made it), entry missing: registers, no second mount',
    ns: () => {
      const ns = new FakeNamespace();
      ns.priv = new Map();
      return ns;
    },
    ok: true,
    action: 'registered',
    check: (ns) => assert.equal(ns.mounts, 0),
  },
  {
    name: 'another hook mounted between our check and our lock: no copy, no second mount',
    ns: () => {
      const ns = new FakeNamespace({ 'qemu-riscv64': HOST_RISCV });
      ns.raceMount = true;
      return ns;
    },
    ok: true,
    action: 'registered',
    check: (ns, r) => {
      assert.equal(r.created, false);
      assert.deepEqual(r.copied, []);
      assert.equal(ns.mounts, 0);
    },
  },
  {
    name: 'a concurrent hook registered the entry first (EEXIST): success',
    ns: () => {
      const ns = new FakeNamespace();
      ns.priv = new Map();
      ns.registerError = (line) => {
        ns.priv?.set(parseRegistration(line).name, 'enabled\n');
        return errno('EEXIST');
      };
      return ns;
    },
    ok: true,
    action: 'registered',
  },
  {
    name: 'entry disabled by the user in the namespace: left alone',
    ns: () => {
      const ns = new FakeNamespace();
      ns.priv = new Map([[REG.entryName, 'disabled\n']]);
      return ns;
    },
    ok: false,
    reason: /disabled in Podman's user namespace/,
  },
  {
    name: 'kernel 6.6: no private instance, spec left alone, no mount tried',
    ns: () => Object.assign(new FakeNamespace(), { kernelRelease: '6.6.30-200.fc39.aarch64' }),
    ok: false,
    reason: /kernel 6\.6\.30.*Linux ≥ 6\.7/,
    check: (ns) => assert.equal(ns.mounts, 0),
  },
  {
    name: 'not in a user namespace (rootful Podman reading a user hook): refuses, no mount',
    ns: () => Object.assign(new FakeNamespace(), { map: INITIAL_MAP }),
    ok: false,
    reason: /initial user namespace/,
    check: (ns) => assert.equal(ns.mounts, 0),
  },
  {
    name: 'the mount fails (a security module forbids it): reason and fix',
    ns: () => Object.assign(new FakeNamespace(), { mountError: new Error('mount: permission denied') }),
    ok: false,
    reason: /mounting binfmt_misc in Podman's user namespace failed: mount: permission denied/,
  },
  {
    name: 'registering fails (interpreter gone: ENOENT from F): reason',
    ns: () => {
      const ns = new FakeNamespace();
      ns.priv = new Map();
      ns.registerError = () => errno('ENOENT');
      return ns;
    },
    ok: false,
    reason: /registering fexpod-qemu-user-aarch64 .* failed: ENOENT/,
  },
];

for (const c of cases) {
  test(c.name, () => {
    const ns = c.ns();
    const r = ensurePrivateRegistration(REG, STATE, ns);
    assert.equal(r.result.ok, c.ok, JSON.stringify(r.result));
    if (r.result.ok && c.action) assert.equal(r.result.action, c.action);
    if (!r.result.ok) {
      assert.match(r.result.reason, c.reason ?? /./);
      assert.ok(r.result.fix.length > 0);
    }
    c.check?.(ns, r);
  });
}

test('entriesToCopy: enabled host entries that catch none of our guests, as exact registration lines', () => {
  const disabledArm = HOST_ARM.replace('enabled', 'disabled');
  const { copy, skipped } = entriesToCopy(
    [
      { name: 'qemu-aarch64', text: HOST_AARCH64 },
      { name: 'qemu-arm', text: disabledArm },
      { name: 'qemu-riscv64', text: HOST_RISCV },
      { name: REG.entryName, text: HOST_AARCH64 },
      { name: 'garbage', text: 'what\n' },
    ],
    STATE,
  );
  assert.deepEqual(copy.map((c) => c.name), ['qemu-riscv64']);
  assert.deepEqual(skipped, ['qemu-aarch64', 'garbage']);
  // Re-registering the line recreates the host's entry exactly.
  const line = copy[0]?.line ?? '';
  assert.equal(formatEntryFile({ rule: parseRegistration(line), enabled: true }), HOST_RISCV);
  assert.deepEqual(parseEntryFile('qemu-riscv64', HOST_RISCV).rule.interpreter, parseRegistration(line).interpreter);
});
