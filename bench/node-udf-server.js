// The peer a user would write instead of the evaluator: a minimal Node.js http server (no npm packages) that
// evaluates one JavaScript library once and serves its functions. bench/invoke-vs-node.sh measures the evaluator's
// invoke endpoint against it. To be a fair peer it does the same per-request work the evaluator's fast path does:
// checks a Basic Authorization header (a string compare, like the evaluator's cached check), parses the JSON body,
// calls the function and serializes {"result": ...} as JSON.
//
//   node bench/node-udf-server.js LIBRARY_FILE PORT AUTHORIZATION
//
// LIBRARY_FILE holds the library's code; PORT 0 picks a free port; AUTHORIZATION is the exact header value to
// accept ("Basic <base64>"). Prints "ready <port>" once listening.
//   POST /invoke/<fn>  {"args":[...]}  ->  200 {"result": ...}   (undefined is null, like the evaluator's invoke)
// 401 without the right credentials, 404 for an unknown function, 400 for a bad body, 422 if the function throws.
'use strict';
const fs = require('fs');
const http = require('http');
const vm = require('vm');

const [libraryFile, portArg, authorization] = process.argv.slice(2);
if (!libraryFile || portArg === undefined || !authorization) {
    console.error('usage: node node-udf-server.js LIBRARY_FILE PORT AUTHORIZATION');
    process.exit(2);
}
const MAX_BODY_BYTES = 1024 * 1024;

// The library runs once in its own context; its top-level function declarations become the context's properties.
const sandbox = vm.createContext({});
vm.runInContext(fs.readFileSync(libraryFile, 'utf8'), sandbox, { filename: libraryFile });
const functions = new Map(Object.keys(sandbox)
    .filter(name => typeof sandbox[name] === 'function')
    .map(name => [name, sandbox[name]]));

function answer(res, status, body) {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
}

const server = http.createServer((req, res) => {
    if (req.headers.authorization !== authorization) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="node"', 'Content-Length': 0 });
        res.end();
        req.resume();
        return;
    }
    if (req.method !== 'POST' || !req.url.startsWith('/invoke/')) {
        answer(res, 404, { error: 'not found' });
        req.resume();
        return;
    }
    const fn = functions.get(decodeURIComponent(req.url.slice('/invoke/'.length)));
    if (!fn) {
        answer(res, 404, { error: 'no such function' });
        req.resume();
        return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', chunk => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) {
            chunks.push(chunk);
        }
    });
    req.on('end', () => {
        if (size > MAX_BODY_BYTES) {
            answer(res, 413, { error: 'body too large' });
            return;
        }
        let args;
        try {
            const text = Buffer.concat(chunks).toString('utf8');
            const body = text.trim() === '' ? {} : JSON.parse(text);
            args = body.args === undefined ? [] : body.args;
            if (!Array.isArray(args)) {
                throw new Error('args must be a JSON array');
            }
        } catch (e) {
            answer(res, 400, { error: String(e.message) });
            return;
        }
        let result;
        try {
            result = fn(...args);
        } catch (e) {
            answer(res, 422, { error: String(e) });
            return;
        }
        answer(res, 200, { result: result === undefined ? null : result });
    });
});
server.listen(Number(portArg), '127.0.0.1', () => {
    console.log('ready ' + server.address().port);
});
