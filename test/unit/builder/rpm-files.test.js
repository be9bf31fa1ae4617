"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/** The header file list of real corpus RPMs, against what `rpm -qp --qf` printed for them. */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_test_1 = require("node:test");
const rpm_files_js_1 = require("../../../src/builder/rpm/rpm-files.js");
const rpm_header_js_1 = require("../../../src/builder/rpm/rpm-header.js");
const integration_js_1 = require("../../helpers/integration.js");
const header = (name) => (0, rpm_header_js_1.parseRpmHeaders)((0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'rpms', name))).header;
// rpm -qp --qf '[%{FILEMODES:octal} %{FILEUSERNAME} %{FILEFLAGS} %{FILESIZES} %{FILEMTIMES} %{FILENAMES} %{FILELINKTOS} %{FILEDIGESTS}\n]'
const rpmSign = [
    '100755 root 0 20888 1574156470 /usr/bin/rpmsign  c5fe58e1e163dab6c7f63d9763bcf1b02d41c07f227a793ba9f0532c6e4e9557',
    '40755 root 4096 0 1574156569 /usr/lib/.build-id  ',
    '40755 root 4096 0 1574156569 /usr/lib/.build-id/a6  ',
    '120777 root 4096 27 1574156569 /usr/lib/.build-id/a6/d79cbdf87a3979ddb9fdfa6459d588afd476a5 ../../../../usr/bin/rpmsign ',
    '100644 root 2 1524 1568015813 /usr/share/man/man8/rpmsign.8.gz  9f7cef2eee8f5fb6a644cf485a3360bd07edd1b89faa1c5f519e2d082fd934f1',
];
(0, node_test_1.test)('rpm-sign file list matches rpm -qp', () => {
    const { files, digestAlgo } = (0, rpm_files_js_1.rpmFileList)(header('rpm-sign-4.15.1-1.fc31.x86_64.rpm'));
    strict_1.default.equal(digestAlgo, 'sha256');
    strict_1.default.deepEqual(files.map((f) => `${f.mode.toString(8)} ${f.user} ${f.flags} ${f.size} ${f.mtime} ${f.path} ${f.linkTo} ${f.digest}`), rpmSign);
});
(0, node_test_1.test)('ngircd: %config (1), %config(noreplace) %ghost… flags as rpm stores them', () => {
    const { files } = (0, rpm_files_js_1.rpmFileList)(header('ngircd-22-2.fc22.x86_64.rpm'));
    strict_1.default.deepEqual(files.slice(0, 3).map((f) => [f.path, f.mode.toString(8), f.flags]), [
        ['/etc/ngircd.conf', '100660', 17],
        ['/etc/ngircd.motd', '100660', 81],
        ['/etc/pam.d/ngircd', '100660', 17],
    ]);
});
