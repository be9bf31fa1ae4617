/** Human-readable rendering of a DoctorReport (the --json form is the report itself). Pure. */
import type { DoctorReport } from './doctor-report.js';

const yes = (b: boolean | undefined) => (b === undefined ? 'unknown' : b ? 'yes' : 'no');

export function formatDoctorReport(r: DoctorReport): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  line(`host          ${r.hostArch}, page size ${r.pageSize.bytes ?? 'unknown'} (${r.pageSize.source}), kernel ${r.kernel.release}${r.kernel.perUsernsBinfmt ? ' (per-userns binfmt_misc)' : ''}`);
  line(`user          uid ${r.uid}${r.rootless ? ' (rootless)' : ' (root)'}`);
  line(`binfmt_misc   mounted ${yes(r.binfmt.mounted)}, enabled ${yes(r.binfmt.enabled)}, writable ${yes(r.binfmt.writable)}`);
  for (const e of r.binfmt.entries) {
    const notes = [e.enabled ? 'enabled' : 'disabled', `flags ${e.flags || '-'}`, `catches ${e.arches.join(',') || 'no ELF arch'}`];
    if (!e.interpreterExists) notes.push('interpreter missing');
    else if (e.interpreterStatic === false) notes.push(e.inPrefix ? 'dynamic, in fexpod prefix' : 'dynamic');
    else if (e.interpreterStatic) notes.push('static');
    line(`  ${e.name.padEnd(20)} ${e.interpreter}  [${notes.join('; ')}]`);
  }
  line(`/dev/kvm      present ${yes(r.kvm.present)}, accessible ${yes(r.kvm.accessible)}`);
  const crun = r.runtimes.crun;
  line(`crun          ${crun ? `${crun.version ?? '?'} at ${crun.path} (${(crun.features ?? []).map((f) => `+${f}`).join(' ')})` : 'not installed'}`);
  line(`runc          ${r.runtimes.runc ? `${r.runtimes.runc.version ?? '?'} at ${r.runtimes.runc.path}` : 'not installed'}`);
  line(`podman        ${r.podman ? `${r.podman.version?.raw ?? '?'}, hooks dirs ${r.podman.hooks.dirs.join(', ')}` : 'not installed'}`);
  for (const h of r.podman?.fexpodHooks ?? []) line(`  fexpod hook  ${h.path} (${h.stages.join(', ')})`);
  if (r.guestInit !== undefined) line(`guest init    ${r.guestInit ?? 'not built (containers in a krun microVM would run through FEX directly)'}`);
  const fr = r.fex?.rootfs;
  if (r.fex && (fr || r.emulators.some((e) => e.id === 'fex'))) line(`FEX RootFS    ${fr ? `${fr.path ?? `"${fr.value}" (not found)`}${fr.path ? ` (${fr.kind})` : ''}, named by ${fr.source}` : 'none configured'}; erofsfuse ${r.fex.erofsfuse ?? 'not found'}, squashfuse ${r.fex.squashfuse ?? 'not found'}`);
  if (r.fex?.sveDefaultVectorLength !== undefined) line(`SVE           default vector length ${r.fex.sveDefaultVectorLength * 8} bits`);
  line(`SELinux       ${r.selinux.enabled ? (r.selinux.enforcing ? 'enforcing' : 'permissive') : 'disabled'}${r.selinux.prefixLabel ? `, prefix label ${r.selinux.prefixLabel}` : ''}`);
  line();
  line('emulators');
  if (r.emulators.length === 0) line('  none found');
  for (const e of r.emulators) {
    const kind = e.static === undefined ? '' : e.static ? ', static' : ', dynamic';
    line(`  ${e.id.padEnd(17)} ${e.path}${e.version ? ` (${e.version})` : ''}${kind}; serves ${e.guests.join(', ')}`);
    for (const [k, v] of Object.entries(e.helpers)) line(`  ${''.padEnd(17)} ${k}: ${v}`);
    for (const p of e.problems) line(`  ${''.padEnd(17)} problem: ${p}`);
  }
  line();
  if (r.summary) {
    line(`in short        ${r.summary.sentence}${r.uid === 0 && r.summary.pageSize !== 4096 ? ' (programs: as a regular user in the kvm group; muvm refuses root)' : ''}`);
    for (const o of [r.summary.process, r.summary.container]) if (!o.via && o.fix) line(`  ${o.purpose.padEnd(13)} fix: ${o.fix}`);
    line();
  }
  line('routes (first usable in precedence order)');
  for (const route of r.routes) {
    line(`  ${route.guest.padEnd(8)} ${route.purpose.padEnd(9)} → ${route.emulator ? `${route.emulator} (${route.path})` : 'NONE'}`);
    for (const rej of route.rejected) line(`  ${''.padEnd(20)} skipped ${rej.id}: ${rej.reason}`);
  }
  if (r.conflicts.length > 0) {
    line();
    line('conflicts');
    for (const c of r.conflicts) line(`  ${c.guest}: ${c.entries.join(', ')}`);
  }
  if (r.installed) {
    line();
    line('installed by fexpod');
    for (const reg of r.installed.registrations) line(`  ${reg.entryName} (${reg.guest}, ${reg.emulator}) → ${reg.interpreter}`);
    for (const d of r.installed.disabled) line(`  disabled ${d.entryName}`);
    for (const e of r.installed.microvm ?? []) line(`  krun microVM: ${e.guest} → ${e.interpreter}${e.guestInit ? ', registered in the guest by fexpod-guest-init' : ', run directly (no fexpod-guest-init)'}`);
  }
  if (r.rootlessRoute) {
    line();
    line(`rootless route (private binfmt_misc in Podman's user namespace): ${r.rootlessRoute.available ? 'available' : 'NOT available'}${r.rootlessRoute.installed ? `, set up for ${r.rootlessRoute.guests.join(', ')}` : ', not set up'}`);
    for (const c of r.rootlessRoute.checks) line(`  ${c.ok ? 'ok ' : 'NO '} ${c.name.padEnd(20)} ${c.detail}`);
  }
  line();
  out.push(...formatVerdict(r));
  return out.join('\n') + '\n';
}

/** The problems with their fixes, then the verdict (the end of the report; `fexpod setup` ends with it too). */
export function formatVerdict(r: DoctorReport): string[] {
  const out: string[] = [];
  if (r.advice.length === 0) out.push('no problems found');
  for (const a of r.advice) {
    out.push(`${a.severity}${a.blocking ? ' (blocks foreign containers)' : ''}: ${a.problem}`);
    out.push(`  fix: ${a.fix}`);
  }
  out.push('');
  out.push(r.healthy ? 'verdict: foreign-architecture containers can work on this host' : 'verdict: foreign-architecture containers are blocked; see the errors above');
  return out;
}
