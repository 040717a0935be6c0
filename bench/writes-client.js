// Load generator for bench/writes.sh: POSTs libraries to a running evaluator and prints one JSON line of figures.
//   node writes-client.js BASE AUTHORIZATION sequential COUNT BYTES
//       one keep-alive connection, COUNT POSTs of one library of about BYTES (small functions), one after another
//   node writes-client.js BASE AUTHORIZATION concurrent CLIENTS SECONDS
//       CLIENTS connections, each POSTing its own small library in a loop for SECONDS
//   node writes-client.js - - fdatasync DIR COUNT
//       the disk's own floor: COUNT appends of 4 KiB to a file in DIR, each followed by fdatasync
// Every answer must be 200 (a 200 is a durable write); any other status ends the run with an error.
'use strict';
const http = require('http');

const [base, authorization, mode, a, b] = process.argv.slice(2);
const url = mode === 'fdatasync' ? null : new URL(base);

function library(bytes, salt) {
    const parts = [];
    let size = 0;
    for (let i = 0; size < bytes; i++) {
        const fn = `function f${i}(a, b) { return a * ${i} + b + ${salt}; }\n`;
        parts.push(fn);
        size += fn.length;
    }
    return parts.join('');
}

function post(agent, name, body) {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const req = http.request({
            host: url.hostname, port: url.port, method: 'POST', agent,
            path: `/evaluator/v1/libraries/${name}`,
            headers: {'Authorization': authorization, 'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(body)}
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                if (res.statusCode !== 200) {
                    reject(new Error(`POST ${name}: HTTP ${res.statusCode} ${Buffer.concat(chunks)}`));
                    return;
                }
                resolve(Number(process.hrtime.bigint() - started) / 1e6);
            });
        });
        req.on('error', reject);
        req.end(body);
    });
}

function percentile(sorted, p) {
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function figures(latencies, seconds) {
    const sorted = latencies.slice().sort((x, y) => x - y);
    return {
        writes: sorted.length,
        perSecond: seconds ? +(sorted.length / seconds).toFixed(1) : undefined,
        p50: +percentile(sorted, 0.5).toFixed(3),
        p99: +percentile(sorted, 0.99).toFixed(3),
        max: +sorted[sorted.length - 1].toFixed(3)
    };
}

async function sequential(count, bytes) {
    const agent = new http.Agent({keepAlive: true, maxSockets: 1});
    const latencies = [];
    for (let i = 0; i < count; i++) {
        // The code changes every time (a new constant), as an edited library would.
        latencies.push(await post(agent, 'seq', library(bytes, i)));
    }
    agent.destroy();
    return figures(latencies);
}

async function concurrent(clients, seconds) {
    const deadline = Date.now() + seconds * 1000;
    const latencies = [];
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({length: clients}, async (_, c) => {
        const agent = new http.Agent({keepAlive: true, maxSockets: 1});
        for (let i = 0; Date.now() < deadline; i++) {
            latencies.push(await post(agent, `w${c}`, `function f(a) { return a + ${i}; }`));
        }
        agent.destroy();
    }));
    return figures(latencies, Number(process.hrtime.bigint() - started) / 1e9);
}

function fdatasync(dir, count) {
    const fs = require('fs');
    const path = require('path');
    const file = path.join(dir, 'fdatasync-probe');
    const fd = fs.openSync(file, 'a');
    const block = Buffer.alloc(4096, 1);
    const latencies = [];
    try {
        for (let i = 0; i < count; i++) {
            const started = process.hrtime.bigint();
            fs.writeSync(fd, block);
            fs.fdatasyncSync(fd);
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
    } finally {
        fs.closeSync(fd);
        fs.unlinkSync(file);
    }
    return Promise.resolve(figures(latencies));
}

({sequential: () => sequential(+a, +b), concurrent: () => concurrent(+a, +b), fdatasync: () => fdatasync(a, +b)})[mode]()
    .then((result) => console.log(JSON.stringify(result)))
    .catch((e) => { console.error(e.message); process.exit(1); });
