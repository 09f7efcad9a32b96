// A stand-in for `otsentry serve` used to develop and check the web front-end and the browser
// spec without the C++ server: it serves webui/frontend/ the way the real server does (/ ->
// index.html, /static/X -> webui/frontend/X, the same CSP) and answers the /api/v1 contract
// from alerts loaded out of an EVE file (fixtures/demo_alerts.eve.json by default), in memory.
//
// Usage: node mock_server.mjs [--port N] [--frontend DIR] [--eve FILE]
//   users come from MOCK_USERS="name:role:password,..." (default tester:analyst:tester-pw,
//   admin:admin:admin-pw). Prints "listening on http://127.0.0.1:PORT" once ready.
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
    return send(res, 200, {version: 'mock', uptime_s: Math.round(process.uptime()),
                           store: {alerts: alerts.length, size_bytes: 0},
                           capture: {packets: 0, drops: 0, bytes: 0}});
  }
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
