// Writes an export document (format evaluator-export 1) of N small global libraries to stdout, each about 200 bytes
// of code, optionally with H history versions each, with its checksum: the input of bench/import.sh.
//   node bench/import-document.js N [H]
'use strict';
const crypto = require('crypto');
const count = Number(process.argv[2]);
const history = Number(process.argv[3] || 0);
const hash = crypto.createHash('sha256');
const chunks = [];
let pending = 0;
function write(text) {
    hash.update(text);
    chunks.push(text);
    pending += text.length;
    if (pending > 1 << 20) {
        process.stdout.write(chunks.join(''));
        chunks.length = 0;
        pending = 0;
    }
}
const sha = (code) => crypto.createHash('sha256').update(code, 'utf8').digest('hex');
const when = '2026-01-01T00:00:00Z';
write('{"format":"evaluator-export","formatVersion":1,"exported":"' + new Date().toISOString() + '","libraries":[');
for (let i = 0; i < count; i++) {
    const code = (v) => 'function add' + i + '(a, b) {\n    // library ' + i + ', version ' + v + ' of a benchmark import\n'
        + '    return a + b + ' + i + ';\n}\nfunction twice' + i + '(x) {\n    return add' + i + '(x, x) * ' + v + ';\n}\n';
    const current = code(Math.max(history, 1));
    let entry = '{"name":"lib' + i + '","bucket":"","scope":"","modified":"' + when + '","sha256":"' + sha(current)
        + '","code":' + JSON.stringify(current);
    if (history > 0) {
        const versions = [];
        for (let v = history; v >= 1; v--) {
            const c = code(v);
            versions.push('{"version":' + v + ',"created":"' + when + '","user":"bench","message":"v' + v
                + '","sha256":"' + sha(c) + '","code":' + JSON.stringify(c) + '}');
        }
        entry += ',"history":[' + versions.join(',') + ']';
    }
    write((i > 0 ? ',' : '') + entry + '}');
}
write('],"functions":[]');
const digest = hash.digest('hex');
process.stdout.write(chunks.join('') + ',"sha256":"' + digest + '"}\n');
