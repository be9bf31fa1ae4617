"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_test_1 = require("node:test");
const content_store_js_1 = require("../../../src/builder/tree/content-store.js");
const extract_cache_js_1 = require("../../../src/builder/rpm/extract-cache.js");
const integration_js_1 = require("../../helpers/integration.js");
const RPM = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'rpms', 'ngircd-22-2.fc22.x86_64.rpm');
const sha = (0, node_crypto_1.createHash)('sha256').update((0, node_fs_1.readFileSync)(RPM)).digest('hex');
async function contents(pkg) {
    const out = [];
    for (const [i, c] of [...pkg.content].sort(([a], [b]) => a - b)) {
        const parts = [];
        for await (const p of c.stream?.() ?? [])
            parts.push(Buffer.from(p));
        out.push(`${i}:${(0, node_crypto_1.createHash)('sha256').update(Buffer.concat(parts)).digest('hex')}`);
    }
    return out;
}
(0, node_test_1.test)('extraction cache: the second extraction of a package reuses its content, identical', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-xcache-'));
    try {
        const first = (0, extract_cache_js_1.extractCache)(dir);
        const a = await first.extract(RPM, sha);
        strict_1.default.deepEqual(first.stats, { extracted: 1, reused: 0 });
        const second = (0, extract_cache_js_1.extractCache)(dir); // a new build: only the disk is shared
        const b = await second.extract(RPM, sha);
        strict_1.default.deepEqual(second.stats, { extracted: 0, reused: 1 });
        strict_1.default.equal(b.nevra, a.nevra);
        strict_1.default.deepEqual(b.files.map((f) => f.path), a.files.map((f) => f.path));
        strict_1.default.deepEqual(await contents(b), await contents(a));
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('extraction cache: a missing content file means extracting again; changed bytes fail when read and the entry goes', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-xcache-'));
    try {
        const a = await (0, extract_cache_js_1.extractCache)(dir).extract(RPM, sha);
        const [, victim] = [...a.content].find(([, c]) => c.size > 16) ?? [];
        strict_1.default.ok(victim?.sha256);
        const path = (0, content_store_js_1.contentPath)((0, node_path_1.join)(dir, 'content'), victim.sha256);
        // same size, other bytes: reused (size matches) but re-hashed as it is read
        (0, node_fs_1.writeFileSync)(path, Buffer.alloc(victim.size, 0x41));
        const cache = (0, extract_cache_js_1.extractCache)(dir);
        const b = await cache.extract(RPM, sha);
        strict_1.default.equal(cache.stats.reused, 1);
        const bad = [...b.content].find(([, c]) => c.sha256 === victim.sha256)?.[1];
        await strict_1.default.rejects(bad?.read() ?? Promise.reject(new Error('none')), /cached content .* has sha256 .*expected/);
        strict_1.default.ok(!(0, node_fs_1.readdirSync)((0, node_path_1.join)(dir, 'content', victim.sha256.slice(0, 2))).includes(victim.sha256), 'the bad entry is removed');
        // now missing: the next build extracts the package again
        const again = (0, extract_cache_js_1.extractCache)(dir);
        await again.extract(RPM, sha);
        strict_1.default.deepEqual(again.stats, { extracted: 1, reused: 0 });
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('extraction cache: a package without a known sha256 is extracted and not recorded', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-xcache-'));
    try {
        const c = (0, extract_cache_js_1.extractCache)(dir);
        await c.extract(RPM, undefined);
        await c.extract(RPM, undefined);
        strict_1.default.deepEqual(c.stats, { extracted: 2, reused: 0 });
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)((0, node_path_1.join)(dir, 'pkgs')), []);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
