// A stand-in for `otsentry serve` used to develop and check the web front-end and the browser
// spec without the C++ server: it serves webui/frontend/ the way the real server does (/ ->
// index.html, /static/X -> webui/frontend/X, the same CSP) and answers the /api/v1 contract
// from alerts loaded out of an EVE file (fixtures/demo_alerts.eve.json by default), in memory.
//
// Usage: node mock_server.mjs [--port N] [--frontend DIR] [--eve FILE]
//   users come from MOCK_USERS="name:role:password,..." (default tester:analyst:tester-pw,
//   admin:admin:admin-pw). MOCK_ENGINE=1 acts as `monitor --serve` (POST /rules/reload loads
//   the changes; otherwise it answers 409 no_engine as `otsentry serve` does); MOCK_CAPTURE=0
//   serves a store no live capture wrote to (status capture null). Prints "listening on
//   http://127.0.0.1:PORT" once ready.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const port = Number(args.port || 0);
const frontend = path.resolve(args.frontend || path.join(here, '../../../webui/frontend'));
const eveFile = args.eve || path.join(here, 'fixtures/demo_alerts.eve.json');

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
            "frame-ancestors 'none'";
const TYPES = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
               '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
               '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png'};

// ---- data ----------------------------------------------------------------------------------
const users = new Map();
for (const spec of (process.env.MOCK_USERS || 'tester:analyst:tester-pw,admin:admin:admin-pw').split(',')) {
  const [name, role, password] = spec.split(':');
  users.set(name, {name, role, password});
}

function isoToUs(ts) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?([+-]\d\d):?(\d\d)$/.exec(ts);
  if (!m) return Date.parse(ts) * 1000;
  const base = Date.parse(`${m[1]}${m[3]}:${m[4]}`);
  return base * 1000 + Number((m[2] || '0').padEnd(6, '0').slice(0, 6));
}

const alerts = [];
let nextId = 1;
function addAlert(eve) {
  const a = eve.alert || {};
  const ts = isoToUs(eve.timestamp);
  const alert = {id: nextId++, ts_us: ts, severity: a.severity, sid: a.signature_id, gid: a.gid ?? 1,
                 rev: a.rev ?? 1, signature: a.signature, category: a.category, app_proto: eve.app_proto,
                 src_ip: eve.src_ip, src_port: eve.src_port, dest_ip: eve.dest_ip,
                 dest_port: eve.dest_port, status: 'new', assignee: null, count: 1,
                 first_seen_us: ts, last_seen_us: ts};
  alerts.push({alert, eve, comments: [], history: []});
  return alert;
}
for (const line of fs.readFileSync(eveFile, 'utf8').split('\n')) {
  if (line.trim()) addAlert(JSON.parse(line));
}
const audit = [];
const suppressions = [];

// ---- rules ---------------------------------------------------------------------------------
// The catalogue the real server reads from the store (what the engine's last load recorded).
// The mock builds it from the default rule files of the source tree, as a replay would load
// them: the enip rules are accepted but unavailable (no ENIP dissector), one rule is disabled,
// and a plant file holds one active rule and one rejected (no sid). Rule text is "parsed" by
// a light check here (known option names, a sid, a closing parenthesis); the real server
// parses for real.
const engineAttached = process.env.MOCK_ENGINE === '1';
const rulesDir = path.join(here, '../../../rules/default');
const KNOWN_OPTIONS = new Set(['msg', 'sid', 'rev', 'gid', 'classtype', 'priority', 'reference', 'metadata',
  'flow', 'content', 'nocase', 'depth', 'offset', 'distance', 'within', 'pcre', 'dsize', 'flowbits',
  'threshold', 'detection_filter', 'app-layer-protocol', 'fast_pattern', 'startswith', 'endswith',
  'isdataat', 'byte_test', 'byte_jump', 'flags', 'noalert', 'target']);
const ACTIONS = new Set(['alert', 'log', 'pass', 'drop', 'reject']);
const AVAILABLE_PROTOS = new Set(['tcp', 'udp', 'ip', 'icmp', 'modbus', 'dnp3', 'iec104', 's7comm', 's7comm_plus',
                                  's7commplus']);

// Splits rule text into logical rules (backslash-newline continues a rule): [{line, text}].
function logicalRules(text) {
  const out = [];
  let cur = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (cur === null) {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith('#')) return;
      cur = {line: i + 1, text: ''};
    }
    if (line.endsWith('\\')) {
      cur.text += `${line.slice(0, -1).trim()} `;
    } else {
      cur.text += line.trim();
      out.push({line: cur.line, text: cur.text.trim()});
      cur = null;
    }
  });
  if (cur) out.push({line: cur.line, text: cur.text.trim()});
  return out;
}

// The light check: {rule fields..., state, reason}; state 'rejected' when it does not "parse".
function checkRule(text) {
  const head = /^(\S+)\s+(\S+)\s/.exec(text) || [];
  const r = {gid: 1, sid: null, rev: 0, action: head[1] || '', proto: (head[2] || '').toLowerCase(), msg: '',
             classtype: '', severity: 0, state: 'active', reason: null, text};
  const sid = /(?:^|[;(\s])sid\s*:\s*(\d+)\s*;/.exec(text);
  if (sid) r.sid = Number(sid[1]);
  const reject = (why) => Object.assign(r, {state: 'rejected', reason: why, severity: 0});
  if (!ACTIONS.has(r.action)) return reject(`unknown action '${r.action}'`);
  const open = text.indexOf('(');
  if (open < 0 || !text.endsWith(')')) return reject("rule options must be in '( ... )' at the end");
  const opts = [];
  let buf = '', quoted = false;
  for (const c of text.slice(open + 1, -1)) {
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      if (buf.trim()) opts.push(buf.trim());
      buf = '';
    } else {
      buf += c;
    }
  }
  if (buf.trim()) opts.push(buf.trim());
  for (const o of opts) {
    const colon = o.indexOf(':');
    const name = (colon < 0 ? o : o.slice(0, colon)).trim();
    const value = colon < 0 ? '' : o.slice(colon + 1).trim();
    if (!KNOWN_OPTIONS.has(name) && !/^[a-z0-9_]+\.[a-z0-9_.]+$/.test(name)) return reject(`unknown keyword '${name}'`);
    if (name === 'msg') r.msg = value.replace(/^"|"$/g, '');
    if (name === 'rev') r.rev = Number(value) || 0;
    if (name === 'gid') r.gid = Number(value) || 1;
    if (name === 'classtype') r.classtype = value;
    if (name === 'priority') r.severity = Math.min(4, Math.max(1, Number(value) || 3));
  }
  if (r.sid === null) return reject('rule has no sid');
  if (!r.severity) r.severity = 3;
  if (!AVAILABLE_PROTOS.has(r.proto)) Object.assign(r, {state: 'unavailable', reason: `protocol not available: ${r.proto}`});
  return r;
}

const catalogue = [];  // {rule fields, source, line, base: state without the admin's disable}
const ruleState = new Map();  // "gid:sid" -> enabled (what an admin asked for)
const ruleFiles = new Map();  // name -> {name, text, bytes, rules, uploaded_by, uploaded_us}
let loaded = null;
let changedUs = 0;
const nowUs = () => Date.now() * 1000;
const keyOf = (gid, sid) => `${gid}:${sid}`;

// An engine load: the default files, a plant file, the uploaded files; admin-disabled rules
// become 'disabled'.
function loadRules() {
  catalogue.length = 0;
  const sources = [];
  const add = (source, text) => {
    sources.push(source);
    for (const {line, text: rt} of logicalRules(text)) {
      const r = checkRule(rt);
      const base = r.state;
      if (base !== 'rejected' && ruleState.get(keyOf(r.gid, r.sid)) === false) {
        Object.assign(r, {state: 'disabled', reason: null});
      }
      catalogue.push({...r, source, line, base});
    }
  };
  if (fs.existsSync(rulesDir)) {
    const files = fs.readdirSync(rulesDir).filter((n) => n.endsWith('.rules')).sort();
    // Every keyword the default set uses is one the real parser knows.
    for (const f of files) {
      for (const r of logicalRules(fs.readFileSync(path.join(rulesDir, f), 'utf8'))) {
        for (const m of r.text.matchAll(/[(;]\s*([a-z][a-z0-9_.-]*)\s*[:;]/g)) KNOWN_OPTIONS.add(m[1]);
      }
    }
    for (const f of files) {
      add(`default/${f}`, fs.readFileSync(path.join(rulesDir, f), 'utf8'));
    }
  }
  add('/etc/otsentry/plant.rules', [
    '# plant rules (hand-written)',
    'alert modbus 10.20.0.0/16 any -> any 502 (msg:"PLANT Modbus write to the boiler PLC"; \\',
    '    modbus.function: 6,16; classtype:policy-violation; priority:2; sid:8000001; rev:3;)',
    '',
    'alert modbus any any -> any 502 (msg:"PLANT unit id scan"; modbus.unit_id: 200; priority:3;)',
  ].join('\n'));
  for (const f of [...ruleFiles.values()].sort((a, b) => a.name.localeCompare(b.name))) add(`db:${f.name}`, f.text);
  const n = (st) => catalogue.filter((r) => r.state === st).length;
  const accepted = catalogue.length - n('rejected');
  loaded = {ts_us: nowUs(), summary: `${accepted} rules loaded (${n('unavailable')} unavailable), ${n('rejected')} rejected`,
            sources, accepted, unavailable: n('unavailable'), disabled: n('disabled'), rejected: n('rejected')};
}
// The mock's store starts as a replay left it, with one rule an admin had disabled before.
ruleState.set('1:1001004', false);
loadRules();
loaded.ts_us -= 3600e6;

const pending = () => changedUs > loaded.ts_us;
function ruleJson(r) {
  const enabled = r.sid === null ? true : ruleState.get(keyOf(r.gid, r.sid)) !== false;
  const alertsN = r.sid === null ? 0
    : alerts.filter((x) => x.alert.sid === r.sid && (x.alert.gid ?? 1) === r.gid).length;
  return {gid: r.gid, sid: r.sid, rev: r.rev, action: r.action, proto: r.proto, msg: r.msg,
          classtype: r.classtype || null, severity: r.severity, source: r.source, line: r.line,
          state: r.state, reason: r.reason, enabled, alerts: alertsN, text: r.text};
}
const loadedJson = () => ({...loaded, pending: pending()});

// Checks an upload: {accepted, problems, rejected}.
function checkUpload(name, text) {
  const problems = [];
  let accepted = 0, rejected = 0;
  const seen = new Map();
  for (const {line, text: rt} of logicalRules(text)) {
    const r = checkRule(rt);
    if (r.state === 'rejected') {
      ++rejected;
      problems.push({line, sid: r.sid, reason: r.reason});
      continue;
    }
    const other = catalogue.find((c) => c.sid === r.sid && c.gid === r.gid && c.source !== `db:${name}`);
    if (other || seen.has(r.sid)) {
      ++rejected;
      problems.push({line, sid: r.sid, reason: other ? `duplicate sid ${r.sid} (also in ${other.source}:${other.line})`
                                                     : `duplicate sid ${r.sid} (also on line ${seen.get(r.sid)})`});
      continue;
    }
    seen.set(r.sid, line);
    ++accepted;
    if (r.state === 'unavailable') problems.push({line, sid: r.sid, reason: r.reason});
  }
  return {accepted, rejected, problems};
}

// ---- capture statistics ----------------------------------------------------------------------
// A monitor on eth1 that wrote a record every 60 s for the last 30 minutes (the newest 12 s
// ago); MOCK_CAPTURE=0 serves a store that only replays wrote to (capture null).
const startedUs = nowUs();
const throughput = [];
if (process.env.MOCK_CAPTURE !== '0') {
  for (let i = 0; i < 30; i++) {
    const wave = Math.sin(i / 4);
    throughput.push({ts_us: startedUs - 12e6 - (29 - i) * 60e6,
                     packets_per_s: Math.round((3200 + 900 * wave + (i % 3) * 140) * 10) / 10,
                     bits_per_s: Math.round(21.5e6 + 6.2e6 * wave + (i % 5) * 0.4e6),
                     kernel_drops: i === 17 ? 25 : i === 18 ? 12 : 0});
  }
}
function captureJson() {
  if (!throughput.length) return null;
  const last = throughput.at(-1);
  const drops = throughput.reduce((n, p) => n + p.kernel_drops, 0);
  const received = 5_832_114, ifDrops = 0;
  const stats = {uptime: 1800,
    capture: {received, kernel_drops: drops, if_drops: ifDrops,
              interfaces: [{name: 'eth1', received: received - 211_020, kernel_drops: drops, if_drops: 0},
                           {name: 'eth2', received: 211_020, kernel_drops: 0, if_drops: 0}]},
    engine: {packets: received, bytes: 4_811_873_204, events: 1_204_557, events_per_s: 669.1, alerts: 14, anomalies: 3},
    flows: {active: 42, created: 311, timed_out: 262, evicted: 7},
    decode: {errors: 4, error_reasons: {ipv4_truncated: 3, tcp_bad_offset: 1}},
    tcp: {gaps: 2, gap_bytes: 1460, out_of_order: 18, retransmissions: 57, overlaps: 0, overlap_conflicts: 0,
          memcap_hits: 0, midstream: 3},
    defrag: {fragments: 12, reassembled: 6, anomalies: 0, timeouts: 0, memcap_drops: 0},
    output: {events: 1_204_557, alerts: 14, failed: 0, blocked_submits: 0}};
  return {live: true, ts_us: last.ts_us, uptime_s: 1800, received, kernel_drops: drops, if_drops: ifDrops,
          packets: received, bytes: stats.engine.bytes, events: stats.engine.events, alerts: 14, flows_active: 42,
          packets_per_s: last.packets_per_s, bits_per_s: last.bits_per_s,
          interfaces: stats.capture.interfaces, stats};
}
function runsJson() {
  const runs = [{started_us: startedUs - 1812e6, finished_us: null, command: 'monitor', inputs: ['eth1', 'eth2'],
                 packets: 5_832_114, bytes: 4_811_873_204, events: 1_204_557, alerts: 14},
                {started_us: startedUs - 86_400e6, finished_us: startedUs - 86_396e6, command: 'replay',
                 inputs: ['pcaps/demo/demo.pcap'], packets: 1893, bytes: 187_201, events: 812, alerts: alerts.length}];
  return process.env.MOCK_CAPTURE === '0' ? runs.slice(1) : runs;
}
function auditLog(actor, action, target, detail, ok = true) {
  audit.push({ts_us: Date.now() * 1000, actor, action, target: String(target), detail, ok});
}

// ---- sessions ------------------------------------------------------------------------------
const sessions = new Map();  // sid -> {user, csrf}
function cookieSession(req) {
  const m = /(?:^|;\s*)otsentry_session=([A-Za-z0-9_-]+)/.exec(req.headers.cookie || '');
  return m ? sessions.get(m[1]) : undefined;
}

// ---- helpers -------------------------------------------------------------------------------
function send(res, status, body, headers = {}) {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, {'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff',
                         'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store',
                         'Content-Type': 'application/json', ...headers});
  res.end(data);
}
const fail = (res, status, code, message) => send(res, status, {error: {code, message}});

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 65536) throw Object.assign(new Error('body too large'), {status: 413});
    chunks.push(c);
  }
  if (!size) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('malformed JSON'), {status: 400});
  }
}

function filterAlerts(q) {
  const list = (k) => (q.get(k) || '').split(',').filter(Boolean);
  const sev = list('severity'), st = list('status');
  const proto = q.get('proto'), sid = q.get('sid'), host = q.get('host'), text = (q.get('q') || '').toLowerCase();
  const since = q.get('since') ? Number(q.get('since')) : null;
  const until = q.get('until') ? Number(q.get('until')) : null;
  return alerts.map((r) => r.alert).filter((a) =>
    (!sev.length || sev.includes(String(a.severity))) && (!st.length || st.includes(a.status)) &&
    (!proto || a.app_proto === proto) && (!sid || String(a.sid) === sid) &&
    (!host || a.src_ip === host || a.dest_ip === host) &&
    (!text || a.signature.toLowerCase().includes(text)) &&
    (since === null || a.last_seen_us >= since) && (until === null || a.ts_us <= until))
    .sort((x, y) => y.ts_us - x.ts_us || y.id - x.id);
}

// A valid little-endian classic pcap holding the alert's packet (a synthetic TCP segment).
function evidencePcap(a) {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(1, 20);  // Ethernet
  const ip = (s) => Buffer.from(String(s).split('.').map(Number));
  const frame = Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x00]),
    Buffer.from([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0]), ip(a.src_ip), ip(a.dest_ip),
    Buffer.from([a.src_port >> 8, a.src_port & 255, a.dest_port >> 8, a.dest_port & 255,
                 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0])]);
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(Math.floor(a.ts_us / 1e6), 0);
  rec.writeUInt32LE(a.ts_us % 1e6, 4);
  rec.writeUInt32LE(frame.length, 8);
  rec.writeUInt32LE(frame.length, 12);
  return Buffer.concat([hdr, rec, frame]);
}

const streams = new Set();
function broadcast(alert) {
  for (const res of streams) res.write(`event: alert\ndata: ${JSON.stringify(alert)}\n\n`);
}

// ---- API -----------------------------------------------------------------------------------
async function apiRoute(req, res, url) {
  const p = url.pathname;
  const q = url.searchParams;
  const sess = cookieSession(req);

  if (p === '/api/v1/session') {
    if (req.method === 'POST') {
      const body = await readJson(req);
      const u = users.get(body.username);
      if (!u || u.password !== body.password) {
        auditLog(String(body.username || ''), 'login', 'session', 'bad credentials', false);
        return fail(res, 401, 'bad_credentials', 'wrong user name or password');
      }
      const sid = crypto.randomBytes(24).toString('base64url');
      const s = {user: {name: u.name, role: u.role}, csrf: crypto.randomBytes(24).toString('hex')};
      sessions.set(sid, s);
      auditLog(u.name, 'login', 'session', '');
      return send(res, 200, {user: s.user, csrf_token: s.csrf},
                  {'Set-Cookie': `otsentry_session=${sid}; Path=/; HttpOnly; SameSite=Strict`});
    }
    if (!sess) return fail(res, 401, 'unauthenticated', 'not logged in');
    if (req.method === 'GET') return send(res, 200, {user: sess.user, csrf_token: sess.csrf});
  }
  if (!sess) return fail(res, 401, 'unauthenticated', 'not logged in');
  if (req.method !== 'GET' && req.headers['x-csrf-token'] !== sess.csrf) {
    return fail(res, 403, 'csrf', 'missing or wrong CSRF token');
  }
  const actor = sess.user.name;
  const canTriage = sess.user.role !== 'viewer';
  const isAdmin = sess.user.role === 'admin';

  if (p === '/api/v1/session' && req.method === 'DELETE') {
    for (const [k, v] of sessions) if (v === sess) sessions.delete(k);
    auditLog(actor, 'logout', 'session', '');
    return send(res, 200, {ok: true}, {'Set-Cookie': 'otsentry_session=; Path=/; Max-Age=0'});
  }
  if (p === '/api/v1/alerts' && req.method === 'GET') {
    const limit = Math.min(Number(q.get('limit') || 50), 1000);
    if (!Number.isInteger(limit) || limit < 1) return fail(res, 400, 'bad_limit', 'limit must be 1..1000');
    const all = filterAlerts(q);
    const start = q.get('cursor') ? Number(q.get('cursor')) : 0;
    const page = all.slice(start, start + limit);
    return send(res, 200, {alerts: page, next_cursor: start + limit < all.length ? String(start + limit) : null});
  }
  if (p === '/api/v1/alerts/facets' && req.method === 'GET') {
    const facet = q.get('facet');
    if (!['severity', 'status', 'app_proto', 'sid', 'src_ip', 'dest_ip'].includes(facet)) {
      return fail(res, 400, 'bad_facet', 'unknown facet');
    }
    const counts = new Map();
    for (const a of filterAlerts(q)) counts.set(a[facet], (counts.get(a[facet]) || 0) + 1);
    return send(res, 200, {facet, counts: [...counts].map(([value, n]) => ({value, alerts: n}))
                                                  .sort((x, y) => y.alerts - x.alerts)});
  }
  if (p === '/api/v1/alerts/triage' && req.method === 'POST') {
    if (!canTriage) return fail(res, 403, 'forbidden', 'role may not triage');
    const body = await readJson(req);
    const to = {ack: 'acknowledged', resolve: 'resolved', false_positive: 'false_positive', reopen: 'new'};
    if (!Array.isArray(body.ids) || !(body.action in to || body.action === 'assign')) {
      return fail(res, 400, 'bad_request', 'ids and a known action are required');
    }
    const recs = body.ids.map((id) => alerts.find((r) => r.alert.id === Number(id)));
    if (recs.some((r) => !r)) return fail(res, 404, 'not_found', 'unknown alert id');
    for (const r of recs) {
      const field = body.action === 'assign' ? 'assignee' : 'status';
      const nv = body.action === 'assign' ? String(body.assignee || '') : to[body.action];
      r.history.push({ts_us: Date.now() * 1000, actor, field, old: r.alert[field], new: nv});
      r.alert[field] = nv;
      // The same shape the store writes (alerts/triage.cc): alert.<field>, alert/<id>, JSON detail.
      auditLog(actor, `alert.${field}`, `alert/${r.alert.id}`,
               JSON.stringify({field, old: r.history.at(-1).old, new: nv}));
    }
    return send(res, 200, {updated: recs.length});
  }
  if (p === '/api/v1/audit' && req.method === 'GET') {
    if (!isAdmin) return fail(res, 403, 'forbidden', 'admin only');
    const limit = Math.min(Number(q.get('limit') || 100), 1000);
    const start = q.get('cursor') ? Number(q.get('cursor')) : 0;
    const all = audit.slice().reverse();
    return send(res, 200, {entries: all.slice(start, start + limit),
                           next_cursor: start + limit < all.length ? String(start + limit) : null});
  }
  if (p === '/api/v1/users') {
    if (!isAdmin) return fail(res, 403, 'forbidden', 'admin only');
    if (req.method === 'GET') {
      return send(res, 200, {users: [...users.values()].map(({name, role, disabled}) =>
        ({name, role, disabled: Boolean(disabled), locked: false}))});
    }
    if (req.method === 'POST') {
      const body = await readJson(req);
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(body.name || '') || !['admin', 'analyst', 'viewer'].includes(body.role)) {
        return fail(res, 400, 'bad_request', 'name and role are required');
      }
      if (users.has(body.name)) return fail(res, 409, 'exists', 'user exists');
      const password = crypto.randomBytes(9).toString('base64url');
      users.set(body.name, {name: body.name, role: body.role, password});
      auditLog(actor, 'user.add', body.name, body.role);
      return send(res, 201, {user: {name: body.name, role: body.role}, password});
    }
  }
  // PUT /api/v1/users/NAME {role?, disabled?} and POST /api/v1/users/NAME/password, as the
  // real server (without its last-admin rule).
  const um = /^\/api\/v1\/users\/([A-Za-z0-9._-]{1,64})(\/password)?$/.exec(p);
  if (um) {
    if (!isAdmin) return fail(res, 403, 'forbidden', 'admin only');
    const u = users.get(um[1]);
    if (!u) return fail(res, 404, 'not_found', 'no such user');
    if (um[2] && req.method === 'POST') {
      u.password = crypto.randomBytes(15).toString('base64url');
      auditLog(actor, 'user.passwd', u.name, 'reset');
      return send(res, 200, {user: {name: u.name}, password: u.password});
    }
    if (!um[2] && req.method === 'PUT') {
      const body = await readJson(req);
      if (body.role !== undefined) u.role = body.role;
      if (body.disabled !== undefined) u.disabled = Boolean(body.disabled);
      auditLog(actor, 'user.update', u.name, JSON.stringify(body));
      return send(res, 200, {user: {name: u.name, role: u.role, disabled: Boolean(u.disabled), locked: false}});
    }
    return fail(res, 405, 'method_not_allowed', 'method not allowed');
  }
  if (p === '/api/v1/status' && req.method === 'GET') {
    const runs = runsJson();
    return send(res, 200, {version: 'mock', db_path: '/var/lib/otsentry/otsentry.db', db_bytes: 7_340_032,
                           alerts: alerts.length, alert_rows: alerts.length, events: 812, schema_version: 3,
                           last_run: runs[0] || null, runs, capture: captureJson(), throughput});
  }
  if (p.startsWith('/api/v1/rules')) return rulesRoute(req, res, p, q, sess, actor, isAdmin);
  if (p === '/api/v1/stream' && req.method === 'GET') {
    res.writeHead(200, {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store',
                        'Content-Security-Policy': CSP});
    res.write(': connected\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
    return undefined;
  }
  const m = /^\/api\/v1\/alerts\/(\d+)(?:\/(pcap|comments|suppress))?$/.exec(p);
  if (m) {
    const r = alerts.find((x) => x.alert.id === Number(m[1]));
    if (!r) return fail(res, 404, 'not_found', 'no such alert');
    if (!m[2] && req.method === 'GET') {
      return send(res, 200, {alert: {...r.alert, eve: r.eve}, comments: r.comments, history: r.history,
                             has_evidence: true});
    }
    if (m[2] === 'pcap' && req.method === 'GET') {
      return send(res, 200, evidencePcap(r.alert),
                  {'Content-Type': 'application/vnd.tcpdump.pcap',
                   'Content-Disposition': `attachment; filename="alert-${r.alert.id}.pcap"`});
    }
    if (m[2] === 'comments' && req.method === 'POST') {
      if (!canTriage) return fail(res, 403, 'forbidden', 'role may not comment');
      const body = await readJson(req);
      if (typeof body.text !== 'string' || !body.text.trim() || body.text.length > 4000) {
        return fail(res, 400, 'bad_request', 'text is required (at most 4000 characters)');
      }
      r.comments.push({ts_us: Date.now() * 1000, actor, text: body.text});
      auditLog(actor, 'alert.comment', `alert/${r.alert.id}`, JSON.stringify({text: body.text}));
      return send(res, 201, {ok: true});
    }
    if (m[2] === 'suppress' && req.method === 'POST') {
      if (!canTriage) return fail(res, 403, 'forbidden', 'role may not suppress');
      const body = await readJson(req);
      if (typeof body.reason !== 'string' || !body.reason.trim()) return fail(res, 400, 'bad_request', 'reason is required');
      suppressions.push({sid: r.alert.sid, reason: body.reason});
      auditLog(actor, 'alert.suppress', r.alert.sid, body.reason);
      return send(res, 201, {ok: true});
    }
  }
  return fail(res, 404, 'not_found', 'no such route');
}

// The /api/v1/rules routes (docs/api.md "Rules"): viewer reads, admin changes.
async function rulesRoute(req, res, p, q, sess, actor, isAdmin) {
  const needAdmin = () => (isAdmin ? false : (fail(res, 403, 'forbidden', 'admin only'), true));
  const badParam = (m) => fail(res, 400, 'invalid_parameter', m);
  if (p === '/api/v1/rules') {
    if (req.method !== 'GET') return fail(res, 405, 'method_not_allowed', 'GET only');
    const keys = [...q.keys()];
    for (const k of keys) {
      if (!['q', 'state', 'proto', 'sid', 'limit', 'offset'].includes(k)) return badParam(`unknown parameter ${k}`);
      if (q.getAll(k).length > 1) return badParam(`${k} is repeated`);
      if (q.get(k).length > 256) return badParam(`${k} is too long`);
    }
    const text = (q.get('q') || '').toLowerCase();
    if (text.length > 200 || /[\x00-\x1f\x7f]/.test(text)) return badParam('q must be at most 200 printable characters');
    const states = (q.get('state') || '').split(',').filter(Boolean);
    if (states.some((s) => !['active', 'unavailable', 'disabled', 'rejected'].includes(s))) {
      return badParam('state must be a comma list of active, unavailable, disabled, rejected');
    }
    const proto = q.get('proto');
    if (proto !== null && !/^[a-z0-9_-]{1,32}$/.test(proto)) return badParam('proto must be 1..32 of a-z 0-9 _ -');
    const sid = q.get('sid');
    if (sid !== null && (!/^\d{1,10}$/.test(sid) || Number(sid) < 1 || Number(sid) > 4294967295)) {
      return badParam('sid must be an integer in 1..4294967295');
    }
    const limit = q.get('limit') === null ? 100 : Number(q.get('limit'));
    if (!/^\d+$/.test(q.get('limit') ?? '100') || limit < 1 || limit > 500) return badParam('limit must be an integer in 1..500');
    const offset = q.get('offset') === null ? 0 : Number(q.get('offset'));
    if (!/^\d+$/.test(q.get('offset') ?? '0') || offset > 1e6) return badParam('offset must be an integer in 0..1000000');
    const all = catalogue.filter((r) => (!text || r.msg.toLowerCase().includes(text) || r.text.toLowerCase().includes(text)) &&
                                        (!states.length || states.includes(r.state)) && (!proto || r.proto === proto) &&
                                        (!sid || r.sid === Number(sid)))
                         .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.line - b.line));
    return send(res, 200, {rules: all.slice(offset, offset + limit).map(ruleJson), total: all.length,
                           loaded: loadedJson(), engine_attached: engineAttached});
  }
  const rm = /^\/api\/v1\/rules\/(\d{1,10}):(\d{1,10})$/.exec(p);
  if (rm) {
    if (req.method !== 'PUT') return fail(res, 405, 'method_not_allowed', 'PUT only');
    if (needAdmin()) return undefined;
    const r = catalogue.find((c) => c.gid === Number(rm[1]) && c.sid === Number(rm[2]));
    if (!r) return fail(res, 404, 'not_found', 'no such rule in the loaded set');
    const body = await readJson(req);
    if (typeof body.enabled !== 'boolean' || Object.keys(body).length !== 1) {
      return fail(res, 422, 'invalid_field', 'enabled (true or false) is the only field');
    }
    ruleState.set(keyOf(r.gid, r.sid), body.enabled);
    changedUs = nowUs();
    auditLog(actor, body.enabled ? 'rule.enable' : 'rule.disable', `rule/${r.gid}:${r.sid}`, null);
    return send(res, 200, {rule: ruleJson(r)});
  }
  if (p === '/api/v1/rules/reload') {
    if (req.method !== 'POST') return fail(res, 405, 'method_not_allowed', 'POST only');
    if (needAdmin()) return undefined;
    if (!engineAttached) {
      auditLog(actor, 'rules.reload', 'rules', {error: 'no_engine'}, false);
      return fail(res, 409, 'no_engine', 'this server runs no capture engine; the changes apply when the monitor ' +
                                         'next starts or gets SIGHUP');
    }
    loadRules();
    auditLog(actor, 'rules.reload', 'rules', {summary: loaded.summary});
    return send(res, 200, {message: `rules reloaded: ${loaded.summary}`, loaded: loadedJson()});
  }
  if (p === '/api/v1/rules/files') {
    if (req.method === 'GET') {
      return send(res, 200, {files: [...ruleFiles.values()].sort((a, b) => a.name.localeCompare(b.name))
                                       .map(({name, bytes, rules, uploaded_by, uploaded_us}) =>
                                         ({name, bytes, rules, uploaded_by, uploaded_us}))});
    }
    if (req.method !== 'POST') return fail(res, 405, 'method_not_allowed', 'GET or POST');
    if (needAdmin()) return undefined;
    const body = await readJson(req);
    for (const k of Object.keys(body)) {
      if (!['name', 'text', 'dry_run'].includes(k)) return fail(res, 422, 'invalid_field', `unknown field ${k}`);
    }
    if (typeof body.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(body.name) ||
        !body.name.endsWith('.rules')) {
      return fail(res, 422, 'invalid_field', 'name must be 1..64 of A-Z a-z 0-9 . _ -, start with a letter or digit and end in .rules');
    }
    if (typeof body.text !== 'string' || Buffer.byteLength(body.text) > 512 * 1024) {
      return fail(res, 422, 'invalid_field', 'text must be a string of at most 512 KiB');
    }
    if (body.dry_run !== undefined && typeof body.dry_run !== 'boolean') {
      return fail(res, 422, 'invalid_field', 'dry_run must be true or false');
    }
    const check = checkUpload(body.name, body.text);
    const total = check.accepted + check.rejected;
    if (check.rejected || !total) {
      if (!body.dry_run) auditLog(actor, 'rules.upload', body.name, {rejected: check.rejected}, false);
      return send(res, 422, {error: {code: 'invalid_rules',
                                     message: total ? `${check.rejected} of ${total} rules are rejected; nothing was stored`
                                                    : 'the file holds no rule; nothing was stored'},
                             problems: check.problems});
    }
    if (body.dry_run) return send(res, 200, {file: null, accepted: check.accepted, problems: check.problems});
    const file = {name: body.name, text: body.text, bytes: Buffer.byteLength(body.text), rules: check.accepted,
                  uploaded_by: actor, uploaded_us: nowUs()};
    ruleFiles.set(file.name, file);
    changedUs = nowUs();
    auditLog(actor, 'rules.upload', file.name, {rules: file.rules, bytes: file.bytes});
    const {text: _t, ...meta} = file;
    return send(res, 201, {file: meta, accepted: check.accepted, problems: check.problems});
  }
  const fm = /^\/api\/v1\/rules\/files\/([^/]+)$/.exec(p);
  if (fm) {
    let name;
    try {
      name = decodeURIComponent(fm[1]);
    } catch {
      return fail(res, 400, 'bad_request', 'bad percent-encoding');
    }
    const f = ruleFiles.get(name);
    if (req.method === 'GET') {
      if (!f) return fail(res, 404, 'not_found', 'no such rule file');
      return send(res, 200, f.text, {'Content-Type': 'text/plain; charset=utf-8'});
    }
    if (req.method !== 'DELETE') return fail(res, 405, 'method_not_allowed', 'GET or DELETE');
    if (needAdmin()) return undefined;
    if (!f) return fail(res, 404, 'not_found', 'no such rule file');
    ruleFiles.delete(name);
    changedUs = nowUs();
    auditLog(actor, 'rules.delete', name, null);
    return send(res, 200, {ok: true});
  }
  return fail(res, 404, 'not_found', 'no such route');
}

// ---- static --------------------------------------------------------------------------------
function serveStatic(res, rel) {
  const file = path.resolve(frontend, rel);
  if (!file.startsWith(frontend + path.sep)) return fail(res, 404, 'not_found', 'no such file');
  fs.readFile(file, (err, data) => {
    if (err) return fail(res, 404, 'not_found', 'no such file');
    return send(res, 200, data, {'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream'});
  });
  return undefined;
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (url.pathname.startsWith('/api/')) return await apiRoute(req, res, url);
    // Test hook (mock only): POST /mock/emit adds the first alert again as a new one and
    // pushes it down the stream, to exercise live updates.
    if (url.pathname === '/mock/emit' && req.method === 'POST') {
      const a = addAlert({...alerts[0].eve, timestamp: new Date().toISOString().replace('Z', '+0000')});
      broadcast(a);
      return send(res, 200, a);
    }
    if (req.method !== 'GET') return fail(res, 405, 'method', 'method not allowed');
    if (url.pathname === '/' || url.pathname === '/index.html') return serveStatic(res, 'index.html');
    if (url.pathname.startsWith('/static/')) return serveStatic(res, decodeURIComponent(url.pathname.slice(8)));
    return fail(res, 404, 'not_found', 'no such page');
  } catch (e) {
    return fail(res, e.status || 500, 'error', e.message);
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    for (const r of streams) r.end();
    server.close(() => process.exit(0));
  });
}
