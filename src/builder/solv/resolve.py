#!/usr/bin/python3
"""fexpod's bridge to libsolv (python3-solv): solver input on stdin, solver output on stdout.

Input (JSON): {
  "arch": "x86_64",                       # primary arch: libsolv's arch policy (pool.setarch)
  "arches": ["x86_64", "i686"],           # RPM arches allowed in the result besides noarch
  "multilib": ["i686"],                   # secondary arches each requested name is also installed for
  "repos": [{"id": "fedora", "primary": "/path/primary.xml", "filelists": "/path/filelists.xml" | null}],
  "packages": ["glibc", "bash.i686"],
  "excludes": ["*-debuginfo"],
  "weakDeps": false,
  "groupPackages": [{"name": "bash", "basearchonly": false}],   # from @group entries (comps)
  "conditional": [{"name": "gimp-help", "requires": "gimp"}]     # comps conditional packages
}
Output (JSON): {"ok": true, "packages": [{"repo", "pkgid", "name", "evr", "arch"}], "jobs": [...], "warnings": [...]}
           or  {"ok": false, "problems": [{"kind", "text", "missing": [{"dep", "requiredBy"}], "rules": [...]}]}

Pool set-up as dnf does it (checked against dnf on the same metadata): RPM disttype (Debian's
libsolv defaults to Debian semantics), implicit obsoletes use colors (x86_64 and i686 builds of one
package coexist), arch policy of the primary arch.

Group packages follow dnf 4's Base._finalize_comps_trans: looked up by name only; a name nothing
provides is skipped with a warning ('No match for group package'); basearchonly keeps the primary
arch's build; with multilib every available arch is installed. A conditional package is the rich
dependency "(name if requires)" handed to the solver as an install job, as dnf's selector does.
"""
import fnmatch
import json
import sys

import solv

ARCH_FAMILY = {
    "x86_64": ["x86_64", "amd64", "ia32e"],
    "i686": ["i686", "i586", "i486", "i386", "athlon", "geode"],
    "aarch64": ["aarch64"],
    "armv7hl": ["armv7hl", "armv7hnl", "armv7l", "armv6hl", "armv6l", "armv5tel"],
}


def fail(problems):
    json.dump({"ok": False, "problems": problems}, sys.stdout)
    sys.stdout.write("\n")
    sys.exit(0)


def main():
    req = json.load(sys.stdin)
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    pool.set_flag(solv.Pool.POOL_FLAG_IMPLICITOBSOLETEUSESCOLORS, 1)
    pool.setarch(req["arch"])

    for r in req["repos"]:
        repo = pool.add_repo(r["id"])
        f = solv.xfopen(r["primary"])
        if not f or not repo.add_rpmmd(f, None, 0):
            fail([{"kind": "metadata", "text": "libsolv cannot read primary metadata of repo %s: %s" % (r["id"], pool.errstr)}])
        f.close()
        if r.get("filelists"):
            f = solv.xfopen(r["filelists"])
            if not f or not repo.add_rpmmd(f, None, solv.Repo.REPO_EXTEND_SOLVABLES):
                fail([{"kind": "metadata", "text": "libsolv cannot read filelists of repo %s: %s" % (r["id"], pool.errstr)}])
            f.close()
        repo.internalize()

    allowed = set(["noarch"])
    for a in req["arches"]:
        allowed.update(ARCH_FAMILY.get(a, [a]))
    excludes = req.get("excludes", [])
    considered = []
    for s in pool.solvables_iter():
        if s.arch not in allowed:
            continue
        if any(fnmatch.fnmatchcase(s.name, pat) for pat in excludes):
            continue
        considered.append(s.id)
    pool.set_considered_list(considered)
    pool.addfileprovides()
    pool.createwhatprovides()
    considered_set = set(considered)

    def available(name):
        return [s for s in pool.select(name, solv.Selection.SELECTION_NAME).solvables() if s.id in considered_set]

    jobs = []
    job_names = []
    missing = []
    flags = (solv.Selection.SELECTION_NAME | solv.Selection.SELECTION_PROVIDES | solv.Selection.SELECTION_FILELIST
             | solv.Selection.SELECTION_DOTARCH | solv.Selection.SELECTION_CANON)
    for spec in req["packages"]:
        sel = pool.select(spec, flags)
        if sel.isempty() or not any(s.id in considered_set for s in sel.solvables()):
            missing.append(spec)
            continue
        # Multilib: a plain package name is installed for the primary arch and for each
        # secondary arch that has a build of it (dnf's multilib_policy=all); noarch once.
        by_name = available(spec)
        pinned = []
        if by_name and req.get("multilib") and not any(s.arch == "noarch" for s in by_name):
            for a in [req["arch"]] + req["multilib"]:
                fam = set(ARCH_FAMILY.get(a, [a]))
                if any(s.arch in fam for s in by_name):
                    pinned.append("%s.%s" % (spec, a))
        if pinned:
            for p in pinned:
                psel = pool.select(p, solv.Selection.SELECTION_NAME | solv.Selection.SELECTION_DOTARCH)
                jobs += psel.jobs(solv.Job.SOLVER_INSTALL)
                job_names.append(p)
        else:
            jobs += sel.jobs(solv.Job.SOLVER_INSTALL)
            job_names.append(spec)
    if missing:
        fail([{"kind": "unknown", "text": "no package matches %s" % m, "missing": [{"dep": m, "requiredBy": None}], "rules": []} for m in missing])

    warnings = []
    for gp in req.get("groupPackages", []):
        name = gp["name"]
        cands = available(name)
        if gp.get("basearchonly"):
            cands = [s for s in cands if s.arch == req["arch"]]
        if not cands:
            warnings.append('No match for group package "%s"' % (name + ("." + req["arch"] if gp.get("basearchonly") else "")))
            continue
        if req.get("multilib"):
            by_arch = {}
            for s in cands:
                by_arch.setdefault(s.arch, []).append(s.id)
            for arch in sorted(by_arch):
                jobs.append(pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_ONE_OF, pool.towhatprovides(by_arch[arch])))
                job_names.append("@%s.%s" % (name, arch))
        else:
            jobs.append(pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_ONE_OF, pool.towhatprovides([s.id for s in cands])))
            job_names.append("@" + name)
    for cp in req.get("conditional", []):
        if not available(cp["name"]):
            warnings.append('No match for group package "%s"' % cp["name"])
            continue
        dep = pool.parserpmrichdep("(%s if %s)" % (cp["name"], cp["requires"]))
        jobs.append(pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_PROVIDES, dep.id))
        job_names.append("@(%s if %s)" % (cp["name"], cp["requires"]))

    solver = pool.Solver()
    solver.set_flag(solv.Solver.SOLVER_FLAG_IGNORE_RECOMMENDED, 0 if req.get("weakDeps") else 1)
    solver.set_flag(solv.Solver.SOLVER_FLAG_BEST_OBEY_POLICY, 1)
    problems = solver.solve(jobs)
    if problems:
        out = []
        for p in problems:
            entry = {"kind": "conflict", "text": str(p), "missing": [], "rules": []}
            for rule in p.findallproblemrules():
                for ri in rule.allinfos():
                    info = {"type": ri.type, "text": ri.problemstr()}
                    if ri.type in (solv.Solver.SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP, solv.Solver.SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP):
                        entry["kind"] = "missing"
                        entry["missing"].append({"dep": str(ri.dep), "requiredBy": str(ri.solvable) if ri.solvable else None})
                    entry["rules"].append(info)
            out.append(entry)
        fail(out)

    trans = solver.transaction()
    result = []
    for s in trans.newsolvables():
        chk = s.lookup_checksum(solv.SOLVABLE_CHECKSUM)
        result.append({
            "repo": s.repo.name,
            "pkgid": chk.hex() if chk else None,
            "name": s.name,
            "evr": s.evr,
            "arch": s.arch,
            "location": s.lookup_location()[0],
        })
    result.sort(key=lambda x: (x["name"], x["arch"], x["evr"]))
    json.dump({"ok": True, "packages": result, "jobs": job_names, "warnings": warnings}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
