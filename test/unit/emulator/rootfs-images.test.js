"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const rootfs_images_js_1 = require("../../../src/emulator/microvm/rootfs-images.js");
function lookup(files, dirs = []) {
    return {
        isFile: (p) => p in files,
        isDir: (p) => dirs.includes(p) || dirs.includes(p.replace(/\/$/, '')),
        readText: (p) => files[p],
        list: (d) => {
            const names = Object.keys(files).filter((f) => f.startsWith(`${d}/`) && !f.slice(d.length + 1).includes('/')).map((f) => f.slice(d.length + 1));
            return names.length ? names : undefined;
        },
    };
}
const G = '/usr/share/fex-emu';
const home = { HOME: '/home/u' };
const cfg = (rootfs) => JSON.stringify({ Config: { RootFS: rootfs, Other: '1' } });
const cases = [
    {
        name: 'nothing configured: muvm\'s default RootFS and the Mesa overlays, i386 first',
        files: { [`${G}/RootFS/default.erofs`]: '', [`${G}/overlays/mesa-x86_64.erofs`]: '', [`${G}/overlays/mesa-i386.erofs`]: '', [`${G}/overlays/README`]: '' },
        images: [`${G}/RootFS/default.erofs`, `${G}/overlays/mesa-i386.erofs`, `${G}/overlays/mesa-x86_64.erofs`],
        source: /muvm's default/,
    },
    {
        name: 'a name in the global Config.json, installed system-wide (fexpod rootfs install as root)',
        files: { [`${G}/Config.json`]: cfg('Fedora_43.erofs'), [`${G}/RootFS/Fedora_43.erofs`]: '', [`${G}/RootFS/default.erofs`]: '' },
        images: [`${G}/RootFS/Fedora_43.erofs`],
        source: /\/usr\/share\/fex-emu\/Config\.json/,
    },
    {
        name: 'the user\'s Config.json beats the global one; its name resolves in the user\'s data dir',
        files: { [`${G}/Config.json`]: cfg('Fedora_43.erofs'), [`${G}/RootFS/Fedora_43.erofs`]: '', '/home/u/.config/fex-emu/Config.json': cfg('Mine.erofs'), '/home/u/.local/share/fex-emu/RootFS/Mine.erofs': '' },
        images: ['/home/u/.local/share/fex-emu/RootFS/Mine.erofs'],
        source: /\/home\/u\/\.config\/fex-emu\/Config\.json/,
    },
    {
        name: 'XDG_CONFIG_HOME and XDG_DATA_HOME are honoured',
        env: { XDG_CONFIG_HOME: '/x/cfg', XDG_DATA_HOME: '/x/data' },
        files: { '/x/cfg/fex-emu/Config.json': cfg('A.erofs'), '/x/data/fex-emu/RootFS/A.erofs': '' },
        images: ['/x/data/fex-emu/RootFS/A.erofs'],
    },
    {
        name: 'an existing ~/.fex-emu wins over XDG (FEX\'s legacy dir)',
        env: { XDG_CONFIG_HOME: '/x/cfg' },
        dirs: ['/home/u/.fex-emu'],
        files: { '/home/u/.fex-emu/Config.json': cfg('L.erofs'), '/home/u/.fex-emu/RootFS/L.erofs': '', '/x/cfg/fex-emu/Config.json': cfg('A.erofs') },
        images: ['/home/u/.fex-emu/RootFS/L.erofs'],
    },
    {
        name: 'FEX_ROOTFS beats every Config.json',
        env: { FEX_ROOTFS: '/srv/rootfs/x.erofs' },
        files: { '/srv/rootfs/x.erofs': '', [`${G}/Config.json`]: cfg('Fedora_43.erofs'), [`${G}/RootFS/Fedora_43.erofs`]: '' },
        images: ['/srv/rootfs/x.erofs'],
        source: /FEX_ROOTFS/,
    },
    {
        name: 'a SquashFS RootFS muvm cannot mount: said so, default.erofs used instead',
        files: { [`${G}/Config.json`]: cfg('Fedora.sqsh'), [`${G}/RootFS/Fedora.sqsh`]: '', [`${G}/RootFS/default.erofs`]: '' },
        images: [`${G}/RootFS/default.erofs`],
        note: /not an EroFS image/,
    },
    {
        name: 'a configured RootFS that is missing and no default: the dispatcher refuses with the fix',
        files: { [`${G}/Config.json`]: cfg('Gone.erofs') },
        images: [],
        note: /"Gone\.erofs" named by .* does not exist/,
        blocker: /no FEX RootFS image/,
    },
    { name: 'no RootFS at all', files: {}, images: [], blocker: /no FEX RootFS image/ },
];
for (const c of cases) {
    (0, node_test_1.test)(`microVmImages: ${c.name}`, () => {
        const r = (0, rootfs_images_js_1.microVmImages)({ ...home, ...c.env }, lookup(c.files, c.dirs));
        strict_1.default.deepEqual(r.images, c.images);
        if (c.source)
            strict_1.default.match(r.source, c.source);
        if (c.note)
            strict_1.default.ok(r.notes.some((n) => c.note?.test(n)), r.notes.join('\n'));
        if (c.blocker) {
            strict_1.default.match(r.blocker?.reason ?? '', c.blocker);
            strict_1.default.match(r.blocker?.fix ?? '', /fexpod rootfs install/);
        }
        else
            strict_1.default.equal(r.blocker, undefined);
    });
}
(0, node_test_1.test)('fexUserDirs: FEX_APP_* overrides are used verbatim, with a trailing slash', () => {
    strict_1.default.deepEqual((0, rootfs_images_js_1.fexUserDirs)({ HOME: '/h', FEX_APP_DATA_LOCATION: '/d', FEX_APP_CONFIG_LOCATION: '/c/' }, lookup({})), { data: '/d/', config: '/c/' });
    strict_1.default.equal((0, rootfs_images_js_1.fexUserDirs)({}, lookup({})), undefined);
});
(0, node_test_1.test)('configuredRootfs reads {"Config":{"RootFS":…}} and nothing else', () => {
    strict_1.default.equal((0, rootfs_images_js_1.configuredRootfs)(cfg('x')), 'x');
    for (const t of [undefined, '', '{', '{"RootFS":"x"}', '{"Config":{"RootFS":""}}', '{"Config":{"RootFS":1}}'])
        strict_1.default.equal((0, rootfs_images_js_1.configuredRootfs)(t), undefined);
});
