/**
 * The "prepared" stand-in base (see standin-base.ts): Debian's essential set,
 * apt and the builder image's runtime packages unpacked natively with
 * `mmdebstrap --variant=extract` (no maintainer script runs, so nothing runs
 * under emulation), then finished natively: what those maintainer scripts would
 * have done that the image needs is written here, each with its source.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './integration.js';

/** The apt-get branch's runtime package list of containerfiles/install-packages.sh (one source of truth). */
export function runtimePackages(): string[] {
  const script = readFileSync(join(repoRoot(), 'containerfiles', 'install-packages.sh'), 'utf8');
  const apt = script.slice(script.indexOf('command -v apt-get'));
  const m = /runtime\)\s+pkgs="([^"]+)"/.exec(apt);
  if (!m?.[1]) throw new Error('containerfiles/install-packages.sh: no runtime) pkgs="…" line in the apt-get branch');
  return m[1].split(/\s+/).filter(Boolean);
}

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.slice(-3000)}${r.error ? ` ${r.error.message}` : ''}`);
  return r.stdout;
}

/** mmdebstrap --variant=extract: essential + required + apt + the runtime packages and their dependencies, unpacked. */
export function extractPrepared(debianArch: string, suite: string, mirror: string, root: string): void {
  run('mmdebstrap', [
    '--variant=extract', '--mode=root', `--arch=${debianArch}`,
    '--include=?essential', '--include=?priority(required)', `--include=${['apt', ...runtimePackages()].join(',')}`,
    '--skip=cleanup/apt/cache', // the .debs stay for finishNatively's dpkg status, then go
    suite, root, mirror,
  ]);
}

/** pam-auth-update's output for the only profile installed (libpam-runtime's "unix"). */
const PAM: Record<string, string> = {
  'common-auth': 'auth\t[success=1 default=ignore]\tpam_unix.so nullok\nauth\trequisite\tpam_deny.so\nauth\trequired\tpam_permit.so\n',
  'common-account': 'account\t[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so\naccount\trequisite\tpam_deny.so\naccount\trequired\tpam_permit.so\n',
  'common-password': 'password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt\npassword\trequisite\tpam_deny.so\npassword\trequired\tpam_permit.so\n',
  'common-session': 'session\t[default=1]\tpam_permit.so\nsession\trequisite\tpam_deny.so\nsession\trequired\tpam_permit.so\nsession\trequired\tpam_unix.so\n',
  'common-session-noninteractive': 'session\t[default=1]\tpam_permit.so\nsession\trequisite\tpam_deny.so\nsession\trequired\tpam_permit.so\nsession\trequired\tpam_unix.so\n',
};

/** Alternatives the runtime tools need (update-alternatives in their postinst): link → target. */
const ALTERNATIVES: Record<string, string> = { 'usr/bin/fakeroot': 'fakeroot-sysv' };

/** Directories base-files' postinst creates. */
const LOCAL_DIRS = ['bin', 'etc', 'games', 'include', 'lib', 'sbin', 'share/man', 'src'].map((d) => `usr/local/${d}`).concat(['var/local', 'var/opt', 'var/mail']);

const names = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(':')[0] ?? '');

/** What the skipped maintainer scripts would have done that the builder image needs. */
export function finishNatively(root: string): void {
  // base-passwd's postinst: /etc/passwd and /etc/group from its masters on a new system.
  for (const f of ['passwd', 'group']) writeFileSync(join(root, 'etc', f), readFileSync(join(root, 'usr/share/base-passwd', `${f}.master`)), { mode: 0o644 });
  // passwd's postinst (shadowconfig on): shadow files, locked passwords, root:shadow 0640.
  const shadowGid = Number(readFileSync(join(root, 'etc/group'), 'utf8').split('\n').find((l) => l.startsWith('shadow:'))?.split(':')[2] ?? 42);
  writeFileSync(join(root, 'etc/shadow'), names(join(root, 'etc/passwd')).map((n) => `${n}:*::0:99999:7:::\n`).join(''));
  writeFileSync(join(root, 'etc/gshadow'), names(join(root, 'etc/group')).map((n) => `${n}:*::\n`).join(''));
  for (const f of ['shadow', 'gshadow']) {
    chownSync(join(root, 'etc', f), 0, shadowGid);
    chmodSync(join(root, 'etc', f), 0o640);
  }
  // libpam-runtime's postinst (pam-auth-update) and libpam-modules' (/etc/environment).
  for (const [f, text] of Object.entries(PAM)) writeFileSync(join(root, 'etc/pam.d', f), text, { mode: 0o644 });
  writeFileSync(join(root, 'etc/environment'), '', { mode: 0o644 });
  for (const [link, target] of Object.entries(ALTERNATIVES)) symlinkSync(target, join(root, link));
  // base-files' postinst: the local hierarchies (the Containerfile links fexpod into /usr/local/bin).
  for (const d of LOCAL_DIRS) mkdirSync(join(root, d), { recursive: true, mode: 0o755 });
  symlinkSync('share/man', join(root, 'usr/local/man'));
  writeDpkgStatus(root);
}

/** dpkg's status: every unpacked package as installed (its control fields), so apt in the image knows them. */
function writeDpkgStatus(root: string): void {
  const archives = join(root, 'var/cache/apt/archives');
  const debs = readdirSync(archives).filter((f) => f.endsWith('.deb')).sort();
  if (debs.length === 0) throw new Error(`${archives}: no .deb left by mmdebstrap (--skip=cleanup/apt/cache)`);
  const stanzas = debs.map((deb) => {
    const control = run('dpkg-deb', ['-f', join(archives, deb)]).trimEnd().split('\n');
    return [control[0], 'Status: install ok installed', ...control.slice(1)].join('\n');
  });
  writeFileSync(join(root, 'var/lib/dpkg/status'), `${stanzas.join('\n\n')}\n`);
  for (const deb of debs) rmSync(join(archives, deb));
}
