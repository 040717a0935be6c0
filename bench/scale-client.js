// Load generator for bench/scale.sh; prints one JSON line of figures.
//   node scale-client.js BASE AUTHORIZATION load COUNT NAMESPACES CLIENTS [FROM]
//       libraries FROM (0) to COUNT - 1 of about 200 bytes, spread over NAMESPACES bucket/scope namespaces, by CLIENTS
//       connections
//   node scale-client.js BASE AUTHORIZATION invoke COUNT NAMESPACES CLIENTS
//       calls add<i>(1, 2) of libraries 0 to COUNT - 1 once each (as loaded above), by CLIENTS connections
//   node scale-client.js BASE AUTHORIZATION get PATH TIMES
//       GET PATH TIMES times on one connection: latency p50/p99/max in ms and the answer's size in bytes
'use strict';
const http = require('http');

const [base, authorization, mode, a, b, c] = process.argv.slice(2);
const url = new URL(base);

function request(agent, method, path, body) {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const headers = {'Authorization': authorization};
        if (body !== undefined) {
            headers['Content-Length'] = Buffer.byteLength(body);
        }
        const req = http.request({host: url.hostname, port: url.port, method, path, agent, headers}, (res) => {
            let size = 0;
            const chunks = [];
            res.on('data', (chunk) => {
                size += chunk.length;
                if (res.statusCode !== 200) {
                    chunks.push(chunk);
                }
            });
            res.on('end', () => {
                if (res.statusCode !== 200) {
                    reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${Buffer.concat(chunks)}`));
                    return;
                }
                resolve({ms: Number(process.hrtime.bigint() - started) / 1e6, size});
            });
        });
        req.on('error', reject);
        req.end(body);
    });
}

function library(i) {
    // About 200 bytes: two small functions.
    return `function add${i}(a, b) { return a + b + ${i}; }\nfunction mul${i}(a, b) { return a * b * ${i}; }\n`
        + `// library ${i} of the scale benchmark, padded to about two hundred bytes.\n`;
}

async function load(count, namespaces, clients, from) {
    let next = from;
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({length: clients}, async () => {
        const agent = new http.Agent({keepAlive: true, maxSockets: 1});
        for (let i = next++; i < count; i = next++) {
            const ns = i % namespaces;
            await request(agent, 'POST',
                `/evaluator/v1/libraries/lib${i}?bucket=b${ns % 100}&scope=s${Math.floor(ns / 100)}`, library(i));
        }
        agent.destroy();
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {libraries: count - from, seconds: +seconds.toFixed(1), perSecond: +((count - from) / seconds).toFixed(0)};
}

async function invoke(count, namespaces, clients) {
    let next = 0;
    const ms = [];
    await Promise.all(Array.from({length: clients}, async () => {
        const agent = new http.Agent({keepAlive: true, maxSockets: 1});
        for (let i = next++; i < count; i = next++) {
            const ns = i % namespaces;
            const answer = await request(agent, 'POST', `/evaluator/v1/libraries/lib${i}/functions/add${i}/invoke`
                + `?bucket=b${ns % 100}&scope=s${Math.floor(ns / 100)}`, '{"args":[1,2]}');
            ms.push(answer.ms);
        }
        agent.destroy();
    }));
    ms.sort((x, y) => x - y);
    const at = (p) => +ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(2);
    return {calls: ms.length, p50: at(0.5), p99: at(0.99), max: at(1)};
}

async function get(path, times) {
    const agent = new http.Agent({keepAlive: true, maxSockets: 1});
    const ms = [];
    let size = 0;
    for (let i = 0; i < times; i++) {
        const answer = await request(agent, 'GET', path);
        ms.push(answer.ms);
        size = answer.size;
    }
    agent.destroy();
    ms.sort((x, y) => x - y);
    const at = (p) => +ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(2);
    return {times, p50: at(0.5), p99: at(0.99), max: at(1), bytes: size};
}

(mode === 'load' ? load(+a, +b, +c, +(process.argv[8] || 0)) : mode === 'invoke' ? invoke(+a, +b, +c) : get(a, +b))
    .then((result) => console.log(JSON.stringify(result)))
    .catch((e) => { console.error(e.message); process.exit(1); });
