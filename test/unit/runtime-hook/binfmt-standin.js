"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.binfmtStandIn = binfmtStandIn;
function binfmtStandIn(init = {}, opts = {}) {
    const entries = new Map(Object.entries(init));
    const registered = [];
    let mounted = opts.mounted ?? true;
    const deps = {
        mounted: () => mounted,
        mount: () => {
            mounted = true;
        },
        entry: (name) => (mounted ? (entries.get(name) ?? 'missing') : 'missing'),
        register(line) {
            if (opts.failWith)
                throw Object.assign(new Error(opts.failWith), { code: opts.failWith });
            registered.push(line);
            const name = line.split(':')[1] ?? '';
            entries.set(name, 'enabled');
        },
        privileged: () => opts.privileged ?? true,
    };
    return { deps, registered, entries };
}
