// Load generator for bench/propagation.sh: writes a change through node A and polls node B until B serves it,
// CHANGES times, one after another, and prints one JSON line of figures (milliseconds from A's 200 to the first
// answer of B that shows the change).
//   node propagation-client.js BASE_A BASE_B AUTHORIZATION CHANGES
// Changes alternate between four kinds, each read the way a user of B would see it:
//   get      a library replaced on A, GET of it on B
//   invoke   a library replaced on A, a call of its function on B (compiled anew there)
//   execute  a SQL++ function re-created on A over another library function, EXECUTE FUNCTION on B
//   user     a user's password changed on A, B refusing the old one. A refusal is answered only after hashing the
//            password tried (one PBKDF2 check, ~0.2 s, reported alone as "hash"), so this figure is taken when the
//            first request that B refused was sent: from then on the old password no longer works on B. Then B
//            accepts the new password once (that login is the "hash" figure), which also resets the login
//            throttle's count.
// Any answer of A other than 200 ends the run with an error.
'use strict';
const http = require('http');

const [baseA, baseB, authorization, changesText] = process.argv.slice(2);
const changes = Number(changesText);
const agentA = new http.Agent({keepAlive: true, maxSockets: 1});
const agentB = new http.Agent({keepAlive: true, maxSockets: 1});

function request(base, agent, method, path, body, headers = {}) {
    const url = new URL(base);
    return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : Buffer.from(body);
        const req = http.request({
            host: url.hostname, port: url.port, method, path, agent,
            headers: Object.assign({'Authorization': authorization},
                data ? {'Content-Length': data.length} : {}, headers)
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({status: res.statusCode, body: Buffer.concat(chunks).toString()}));
        });
        req.on('error', reject);
        req.end(data);
    });
}

async function onA(method, path, body, headers) {
    const answer = await request(baseA, agentA, method, path, body, headers);
    if (answer.status !== 200) {
        throw new Error(`${method} ${path} on A: HTTP ${answer.status} ${answer.body}`);
    }
}

const query = (statement) => `statement=${encodeURIComponent(statement)}`;
const form = {'Content-Type': 'application/x-www-form-urlencoded'};
const json = {'Content-Type': 'application/json'};

const kinds = {
    async get(i) {
        await onA('POST', '/evaluator/v1/libraries/propagated', `function v() { return ${i}; }`, json);
        return async () => {
            const b = await request(baseB, agentB, 'GET', '/evaluator/v1/libraries/propagated');
            return b.status === 200 && b.body.includes(`return ${i};`);
        };
    },
    async invoke(i) {
        await onA('POST', '/evaluator/v1/libraries/called', `function v() { return ${i}; }`, json);
        return async () => {
            const b = await request(baseB, agentB, 'POST', '/evaluator/v1/libraries/called/functions/v/invoke',
                '{"args":[]}', json);
            return b.status === 200 && JSON.parse(b.body).result === i;
        };
    },
    async execute(i) {
        await onA('POST', '/query/service', query(`CREATE OR REPLACE FUNCTION answer() LANGUAGE JAVASCRIPT AS`
            + ` "f${i % 2}" AT "answers"`), form);
        return async () => {
            const b = await request(baseB, agentB, 'POST', '/query/service', query('EXECUTE FUNCTION answer()'), form);
            return b.status === 200 && JSON.stringify(JSON.parse(b.body).results) === `[${i % 2}]`;
        };
    },
    async user(i) {
        const old = 'Basic ' + Buffer.from(`propagated:pw-${lastPassword}-abcdef`).toString('base64');
        lastPassword = i;
        await onA('PUT', '/settings/rbac/users/local/propagated', `password=pw-${i}-abcdef&roles=ro_admin`, form);
        return async () => {
            const b = await request(baseB, agentB, 'GET', '/whoami', undefined, {'Authorization': old});
            if (b.status === 200) {
                return false;
            }
            if (b.status !== 401) {
                throw new Error(`old password on B: HTTP ${b.status} ${b.body}`);
            }
            return true;
        };
    },
};

function percentile(sorted, p) {
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** The user's first login on B with its current password (one PBKDF2 check), so its next change starts cached. */
async function loginOnB(i) {
    const started = process.hrtime.bigint();
    const own = 'Basic ' + Buffer.from(`propagated:pw-${i}-abcdef`).toString('base64');
    const b = await request(baseB, agentB, 'GET', '/whoami', undefined, {'Authorization': own});
    if (b.status !== 200) {
        throw new Error(`new password on B: HTTP ${b.status} ${b.body}`);
    }
    latencies.hash.push(Number(process.hrtime.bigint() - started) / 1e6);
}

const latencies = {all: [], hash: []};
let lastPassword = 0;

async function main() {
    await onA('POST', '/evaluator/v1/libraries/answers', 'function f0() { return 0; }\nfunction f1() { return 1; }',
        json);
    const names = Object.keys(kinds);
    names.forEach((n) => { latencies[n] = []; });
    // The user starts with the password of change 0, logged in on B.
    await onA('PUT', '/settings/rbac/users/local/propagated', 'password=pw-0-abcdef&roles=ro_admin', form);
    await new Promise((r) => setTimeout(r, 200));
    await loginOnB(0);
    latencies.hash.length = 0;
    for (let i = 1; i <= changes; i++) {
        const kind = names[i % names.length];
        const seen = await kinds[kind](i);
        const written = process.hrtime.bigint();
        let sent = written;
        for (let polls = 0; ; polls++) {
            sent = process.hrtime.bigint();
            if (await seen()) {
                break;
            }
            if (Number(process.hrtime.bigint() - written) > 10e9) {
                throw new Error(`change ${i} (${kind}) not seen on B within 10 s`);
            }
        }
        const ms = Number((kind === 'user' ? sent : process.hrtime.bigint()) - written) / 1e6;
        latencies[kind].push(ms);
        if (kind !== 'user') {
            latencies.all.push(ms);
        }
        if (kind === 'user') {
            await loginOnB(i);
        }
    }
    const out = {};
    for (const [kind, values] of Object.entries(latencies)) {
        const sorted = values.slice().sort((x, y) => x - y);
        out[kind] = {changes: sorted.length, p50: +percentile(sorted, 0.5).toFixed(3),
            p99: +percentile(sorted, 0.99).toFixed(3), max: +sorted[sorted.length - 1].toFixed(3)};
    }
    console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e.message); process.exit(1); });
