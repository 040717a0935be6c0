// The clients of bench/isolation.sh, on Node's http module (no packages).
//   node isolation-client.js paced URL AUTH BODY RATE SECONDS
//     POSTs BODY to URL at RATE requests/s for SECONDS (each request on its own schedule, so a slow answer does not
//     delay the next: latency is measured from the intended send time), then prints one JSON line:
//     {"sent":n,"ok":n,"failed":n,"p50":ms,"p90":ms,"p99":ms,"max":ms,"statuses":{...}}
//   node isolation-client.js runaway URL AUTH BODY CONCURRENCY HOLD_MS SECONDS
//     keeps CONCURRENCY requests to URL open, each abandoned (its socket destroyed) HOLD_MS after it was sent and
//     replaced at once, for SECONDS; prints {"started":n,"answered":n} (answered: answers that came before HOLD_MS).
'use strict';
const http = require('http');

const [mode, url, auth, body, ...rest] = process.argv.slice(2);
const target = new URL(url);
const headers = { Authorization: auth, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };

function post(agent, onDone) {
  const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search,
    method: 'POST', headers, agent }, (res) => {
    res.resume();
    res.on('end', () => onDone(null, res.statusCode));
  });
  req.on('error', (e) => onDone(e));
  req.end(body);
  return req;
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];
}

if (mode === 'paced') {
  const rate = Number(rest[0]);
  const seconds = Number(rest[1]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const latencies = [];
  const statuses = {};
  let sent = 0;
  let failed = 0;
  let outstanding = 0;
  const start = process.hrtime.bigint();
  const total = Math.round(rate * seconds);
  let finishedSending = false;
  const finish = () => {
    if (!finishedSending || outstanding > 0) return;
    latencies.sort((a, b) => a - b);
    const round = (v) => (v === null ? null : Math.round(v * 1000) / 1000);
    console.log(JSON.stringify({ sent, ok: latencies.length, failed, p50: round(percentile(latencies, 0.5)),
      p90: round(percentile(latencies, 0.9)), p99: round(percentile(latencies, 0.99)),
      max: round(latencies[latencies.length - 1] ?? null), statuses }));
    agent.destroy();
  };
  const tick = () => {
    const now = Number(process.hrtime.bigint() - start) / 1e6;
    while (sent < total && sent * 1000 / rate <= now) {
      const intended = sent * 1000 / rate;
      sent++;
      outstanding++;
      post(agent, (error, status) => {
        outstanding--;
        const latency = Number(process.hrtime.bigint() - start) / 1e6 - intended;
        if (error) {
          failed++;
          statuses[error.code || 'error'] = (statuses[error.code || 'error'] || 0) + 1;
        } else {
          statuses[status] = (statuses[status] || 0) + 1;
          if (status === 200) latencies.push(latency);
          else failed++;
        }
        finish();
      });
    }
    if (sent < total) setTimeout(tick, 1);
    else { finishedSending = true; finish(); }
  };
  tick();
} else if (mode === 'runaway') {
  const concurrency = Number(rest[0]);
  const holdMs = Number(rest[1]);
  const seconds = Number(rest[2]);
  const end = Date.now() + seconds * 1000;
  let started = 0;
  let answered = 0;
  let open = 0;
  const launch = () => {
    if (Date.now() >= end) {
      if (open === 0) console.log(JSON.stringify({ started, answered }));
      return;
    }
    started++;
    open++;
    let done = false;
    const req = post(false, (error) => {
      if (done) return;
      done = true;
      if (!error) answered++;
      clearTimeout(timer);
      open--;
      launch();
    });
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      req.destroy();
      open--;
      launch();
    }, holdMs);
  };
  for (let i = 0; i < concurrency; i++) launch();
} else {
  console.error('usage: node isolation-client.js paced|runaway ...');
  process.exit(2);
}
