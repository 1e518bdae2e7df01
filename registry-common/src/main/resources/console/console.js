// The registry's web console: one page, hash routes, plain DOM. Every value from the server goes
// into the page as text (textContent, never innerHTML), so nothing it says can run as markup.
// The admin token lives in sessionStorage only (this tab; never localStorage, never a URL) and
// travels as "Authorization: Bearer". Without it the console only reads. docs/console.md.
'use strict';

const TOKEN_KEY = 'registry-admin-token';
const PALETTE = ['#1d4ed8', '#15803d', '#b45309', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#c2410c',
  '#1e40af', '#9d174d', '#0f766e', '#6d28d9'];
const state = { role: null, pollTimer: null, cursors: [] };

// ---- small helpers ----

/** An element with attributes (properties) and children (strings become text nodes). */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function token() { return sessionStorage.getItem(TOKEN_KEY); }

/** fetch on this admin port; resolves to {status, body} (body parsed when JSON). Never throws for HTTP errors. */
async function api(path, method) {
  const headers = {};
  if (token()) headers.Authorization = 'Bearer ' + token();
  try {
    const response = await fetch(path, { method: method || 'GET', headers, cache: 'no-store' });
    const text = await response.text();
    let body = text;
    if ((response.headers.get('Content-Type') || '').startsWith('application/json')) {
      try { body = JSON.parse(text); } catch (e) { /* keep the text */ }
    }
    return { status: response.status, body };
  } catch (e) {
    return { status: 0, body: { error: 'cannot reach this node: ' + e.message } };
  }
}

function errorText(result) {
  const message = result.body && result.body.error ? result.body.error : String(result.body).slice(0, 200);
  return (result.status ? 'HTTP ' + result.status + ': ' : '') + message;
}

/** A table of rows (objects); columns: [key, label, options] with options.num, options.cell(row) -> node|string. */
function table(id, columns, rows) {
  const head = el('tr', null, columns.map(([, label]) => el('th', null, label)));
  const body = rows.map(row => el('tr', { class: id + '-row' }, columns.map(([key, , opts]) => {
    const o = opts || {};
    const value = o.cell ? o.cell(row) : row[key];
    return el('td', { class: (o.num ? 'num ' : '') + key }, value === null || value === undefined ? '' : value);
  })));
  return el('table', { id }, el('thead', null, head), el('tbody', null, body));
}

function keyValues(id, object) {
  return table(id, [['key', 'setting'], ['value', 'value']],
    Object.entries(object || {}).map(([key, value]) => ({ key, value: typeof value === 'object' ? JSON.stringify(value) : value })));
}

function stateCell(row) { return el('span', { class: 'state-' + row.state }, row.state); }
function ago(ms) { return ms === null || ms === undefined ? '' : (ms / 1000).toFixed(1) + ' s ago'; }
function uptime(ms) {
  if (ms === null || ms === undefined) return '';
  const s = Math.floor(ms / 1000);
  if (s < 120) return s + ' s';
  if (s < 7200) return Math.floor(s / 60) + ' min';
  if (s < 172800) return Math.floor(s / 3600) + ' h';
  return Math.floor(s / 86400) + ' d';
}
function when(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : ''; }

function show(...nodes) {
  const main = document.getElementById('main');
  main.replaceChildren(...nodes.flat(Infinity).filter(n => n !== null && n !== undefined));
}

function needsSession(title) {
  return [el('h2', null, title),
    el('p', { class: 'muted' }, 'This page needs a session\'s admin port; this is a ' + state.role + ' node.')];
}

/** The route and its parameters from the location's hash: #/services?group=G -> ['services', URLSearchParams]. */
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  return [q < 0 ? hash || 'cluster' : hash.slice(0, q), new URLSearchParams(q < 0 ? '' : hash.slice(q + 1))];
}

function go(page, params) {
  const query = new URLSearchParams(Object.entries(params || {}).filter(([, v]) => v)).toString();
  location.hash = '#/' + page + (query ? '?' + query : '');
}

// ---- pages ----

async function clusterPage() {
  const session = state.role === 'session';
  // A session sees the whole cluster (versions, replication lag); meta knows only its table.
  const [members, slots, nodes] = await Promise.all([api('/api/v1/members'),
    api(session ? '/api/v1/slot-health' : '/api/v1/slot-table'), session ? api('/api/v1/node-info') : null]);
  const info = {};
  if (nodes && nodes.status === 200) nodes.body.forEach(n => { info[n.address] = n; });
  const versionColumns = session ? [
    ['version', 'version', { cell: r => info[r.address] ? info[r.address].version || info[r.address].error : '' }],
    ['uptime', 'uptime', { cell: r => info[r.address] ? uptime(info[r.address].uptimeMillis) : '' }]] : [];
  const out = [el('h2', null, 'Cluster')];
  if (members.status !== 200) {
    out.push(el('p', { class: 'error' }, 'Members: ' + errorText(members)));
  } else {
    const m = members.body;
    out.push(el('p', { class: 'muted' }, m.source === 'session'
      ? 'As session ' + m.self + ' learnt it from meta\'s last heartbeat answer (' + ago(m.lastHeartbeatMillisAgo) + ').'
      : 'As this meta node sees it (' + (m.leader ? 'the leader' : 'a follower: it shows what it last led') + ').'));
    out.push(el('h3', null, 'Meta nodes'), table('meta-table',
      [['address', 'address'], ['state', 'state', { cell: stateCell }],
        m.source === 'session'
          ? ['lease', 'lease', { cell: r => info[r.address] && info[r.address].leaseLeftMillis !== undefined
            ? 'term ' + info[r.address].term + ', ' + (info[r.address].leaseLeftMillis / 1000).toFixed(1) + ' s left' : '' }]
          : ['lastSeenMillisAgo', 'last seen', { cell: r => ago(r.lastSeenMillisAgo) }],
        ...versionColumns],
      m.metaServers || []));
    out.push(el('h3', null, 'Data servers'), table('data-table',
      [['address', 'address'], ['state', 'state', { cell: stateCell }], ['slotsLed', 'slots led', { num: true }],
        ['slotsFollowed', 'slots followed', { num: true }],
        ['connected', m.source === 'session' ? 'connected' : 'last heartbeat',
          { cell: r => m.source === 'session' ? (r.connected ? 'yes' : 'no') : ago(r.lastHeartbeatMillisAgo) }],
        ...versionColumns],
      m.dataServers || []));
    out.push(el('h3', null, 'Sessions'), table('session-table',
      [['address', 'address', { cell: r => r.address + (r.self ? ' (this one)' : '') }],
        ['state', 'state', { cell: stateCell }], ['clientConnections', 'clients', { num: true }],
        ['adminAddress', 'console', { cell: r => r.adminAddress
          ? el('a', { href: location.protocol + '//' + r.adminAddress + '/console/' }, r.adminAddress) : '' }],
        ...versionColumns],
      m.sessionServers || []));
    if (m.sessionListComplete === false) {
      out.push(el('p', { class: 'muted' }, 'The session list may be incomplete: meta took over recently.'));
    }
  }
  out.push(el('h3', null, 'Slot table'));
  if (slots.status !== 200) {
    out.push(el('p', { class: 'error' }, 'Slot table: ' + errorText(slots)));
  } else {
    out.push(heatMap(slots.body));
  }
  show(out);
}

/**
 * One cell per slot, coloured by its leader. With a session's slot health, a migrating slot is
 * hatched and a lagging one outlined; the tooltip has the followers, the lag and why it moves.
 */
function heatMap(t) {
  const leaders = [...new Set(t.slots.map(s => s.leader).filter(Boolean))].sort();
  const color = leader => {
    const i = leaders.indexOf(leader);
    return i < PALETTE.length ? PALETTE[i] : 'hsl(' + ((i * 137.5) % 360) + ', 60%, 40%)';
  };
  const health = t.slots.length > 0 && t.slots[0].state !== undefined;
  const cells = t.slots.map(s => {
    let title = 'slot ' + s.slot + '\nleader: ' + (s.leader || 'none') + '\nfollowers: ' + (s.followers.join(', ') || 'none');
    if (health) {
      title += '\nstate: ' + s.state + '\nreplication lag: ' + s.replicationLagOps + ' ops, ' + s.replicationLagMillis + ' ms';
      if (s.why) title += '\n' + s.why.join('\n');
    }
    const cell = el('div', {
      class: 'slot' + (s.leader ? '' : ' no-leader') + (health ? ' state-' + s.state : ''),
      title,
      dataset: { slot: s.slot, leader: s.leader || '', state: s.state || '', lag: health ? s.replicationLagOps : '' }
    }, t.slotCount <= 64 ? String(s.slot) : '');
    if (s.leader) cell.style.backgroundColor = color(s.leader);
    return cell;
  });
  const legend = el('div', { class: 'legend' }, leaders.map(l => {
    const swatch = el('span', { class: 'swatch' });
    swatch.style.backgroundColor = color(l);
    return el('span', null, swatch, l + ' (' + t.slots.filter(s => s.leader === l).length + ')');
  }));
  const lagging = health ? t.slots.filter(s => s.state === 'lagging').length : 0;
  const summary = t.slotCount + ' slots, epoch ' + t.epoch + (health
    ? '; ' + t.migratingSlots + ' migrating (hatched), ' + lagging + ' with replication lag (outlined). Hover a cell for its followers and lag.'
    : '. Hover a cell for its followers.');
  const unreachable = health && Object.keys(t.unreachable || {}).length
    ? el('p', { class: 'error', id: 'slot-health-unreachable' }, 'No report from: ' + Object.entries(t.unreachable).map(([k, v]) => k + ' (' + v + ')').join(', '))
    : null;
  return [el('p', { class: 'muted', id: 'heatmap-summary' }, summary), unreachable,
    el('div', { id: 'heatmap', class: t.slotCount <= 64 ? 'small' : '' }, cells), legend];
}

async function servicesPage(params) {
  if (state.role !== 'session') return show(needsSession('Services'));
  const filters = { prefix: params.get('prefix') || '', group: params.get('group') || '', instanceId: params.get('instanceId') || '' };
  const after = params.get('after') || '';
  const limit = params.get('limit') || '50';
  const query = new URLSearchParams(Object.entries({ ...filters, after, limit }).filter(([, v]) => v));
  const result = await api('/api/v1/catalog?' + query);
  const input = (id, name, placeholder) => el('input', { id, name, placeholder, value: filters[name] });
  const form = el('form', { id: 'catalog-form', class: 'inline', onsubmit: e => {
    e.preventDefault();
    state.cursors = [];
    go('services', { prefix: form.prefix.value.trim(), group: form.group.value.trim(), instanceId: form.instanceId.value.trim() });
  } }, input('q-prefix', 'prefix', 'dataId prefix'), input('q-group', 'group', 'group'),
  input('q-instance', 'instanceId', 'instanceId'), el('button', { id: 'catalog-search', type: 'submit' }, 'Search'));
  const out = [el('h2', null, 'Services'), form];
  if (result.status !== 200) {
    out.push(el('p', { class: 'error', id: 'catalog-error' }, errorText(result)));
    return show(out);
  }
  const page = result.body;
  out.push(table('catalog', [
    ['dataId', 'id', { cell: r => el('a', { href: '#/service?' + new URLSearchParams({ dataId: r.dataId, group: r.group, instanceId: r.instanceId }) }, r.dataId) }],
    ['group', 'group'], ['instanceId', 'instance id'], ['publishers', 'publishers', { num: true }],
    ['subscribers', 'subscribers', { num: true }], ['changedAtMillis', 'last change', { cell: r => when(r.changedAtMillis) }]], page.ids));
  const missing = Object.entries(page.subscriberCountsMissing || {});
  if (missing.length) {
    out.push(el('p', { class: 'error', id: 'catalog-missing' }, 'Subscriber counts without: '
      + missing.map(([session, why]) => session + ' (' + why + ')').join(', ')));
  }
  if (page.ids.length === 0) out.push(el('p', { class: 'muted' }, 'No ids with publishers match.'));
  const nav = el('div', { class: 'inline' });
  if (after) {
    nav.append(el('button', { id: 'catalog-first', type: 'button', onclick: () => { state.cursors = []; go('services', filters); } }, 'First page'));
    nav.append(el('button', { id: 'catalog-prev', type: 'button', onclick: () => go('services', { ...filters, after: state.cursors.pop() || '' }) }, 'Previous'));
  }
  if (page.more) {
    nav.append(el('button', { id: 'catalog-next', type: 'button', onclick: () => { state.cursors.push(after); go('services', { ...filters, after: page.next }); } }, 'Next page'));
  }
  nav.append(el('span', { class: 'muted' }, ' ' + page.ids.length + ' ids on this page' + (page.more ? ', more follow' : '')));
  out.push(nav);
  show(out);
}

async function servicePage(params) {
  if (state.role !== 'session') return show(needsSession('Service'));
  const id = { dataId: params.get('dataId') || '', group: params.get('group') || '', instanceId: params.get('instanceId') || '' };
  const result = await api('/api/v1/datum?' + new URLSearchParams(Object.entries(id).filter(([, v]) => v)));
  const out = [el('h2', null, 'Service ' + id.dataId), el('p', null, el('a', { href: '#/services' }, '← all services'))];
  if (result.status !== 200) {
    out.push(el('p', { class: 'error', id: 'datum-error' }, errorText(result)));
    return show(out);
  }
  const d = result.body;
  out.push(keyValues('datum-summary', { dataInfoId: d.dataInfoId, group: d.group, instanceId: d.instanceId,
    slot: d.slot, 'slot leader': d.leader, version: d.version, 'last change': when(d.changedAtMillis),
    'subscribers on this session': d.localSubscribers }));
  out.push(el('h3', null, 'Publishers (' + d.publishers.length + ')'), table('publishers', [
    ['values', 'value', { cell: r => el('pre', null, (r.values || []).join('\n')) }],
    ['ip', 'address'], ['appName', 'app'], ['zone', 'zone'], ['sessionId', 'session'],
    ['registeredAtMillis', 'registered at', { cell: r => when(r.registeredAtMillis) }], ['version', 'version', { num: true }],
    ['registerId', 'registerId', { cell: r => r.registerId || (token() ? '' : 'admin only') }]], d.publishers));
  if (d.sessions) {
    const pushed = r => r.error ? '' : r.subscribers === 0 ? '–' : r.minPushedVersion === r.maxPushedVersion
      ? String(r.maxPushedVersion) : r.minPushedVersion + ' … ' + r.maxPushedVersion;
    out.push(el('h3', null, 'Subscribers and pushed version per session'), table('subscribers', [
      ['session', 'session'], ['subscribers', 'subscribers', { num: true, cell: r => r.error || r.subscribers }],
      ['pushed', 'pushed version', { cell: pushed }],
      ['upToDate', 'up to date', { cell: r => r.error ? '' : r.upToDate ? 'yes' : el('span', { class: 'error' }, 'NO (behind ' + d.version + ')') }]],
    d.sessions));
  }
  if (d.copies) {
    out.push(el('h3', null, 'Copies on data servers'), table('copies',
      [['server', 'server'], ['role', 'role'], ['version', 'version', { num: true }], ['publishers', 'publishers', { num: true }], ['error', 'error']],
      d.copies));
  }
  show(out);
}

async function connectionsPage() {
  if (state.role !== 'session') return show(needsSession('Connections'));
  const [connections, servers, damped] = await Promise.all([api('/api/v1/connections'), api('/api/v1/servers'), api('/api/v1/damped-clients')]);
  const out = [el('h2', null, 'Connections')];
  const part = (title, result, render) => {
    out.push(el('h3', null, title));
    out.push(result.status === 200 ? render(result.body) : el('p', { class: 'error' }, errorText(result)));
  };
  part('Client connections on this session', connections, list => table('connections',
    [['id', 'id'], ['remote', 'remote'], ['writable', 'writable', { cell: r => r.writable ? 'yes' : 'NO' }],
      ['pendingOutboundBytes', 'pending bytes', { num: true }]], list));
  part('Balance across sessions', servers, s => [table('servers',
    [['address', 'session', { cell: r => r.address + (r.address === s.self ? ' (this one)' : '') }],
      ['takingClients', 'taking clients', { cell: r => r.takingClients ? 'yes' : 'no' }],
      ['clientConnections', 'clients', { num: true }]], s.servers), keyValues('balance', s.balance)]);
  part('Damped (flapping) clients', damped, d => [
    el('p', null, 'Link losses: ' + d.linkLosses + ', held publishers: ' + d.heldPublishers),
    table('damped', [['client', 'client'], ['penalty', 'penalty', { num: true }], ['dampedSince', 'damped since'],
      ['losses', 'losses', { num: true }], ['lastLoss', 'last loss'], ['connected', 'connected', { cell: r => r.connected ? 'yes' : 'no' }]],
    d.dampedClients || []), keyValues('damping-settings', d.settings)]);
  show(out);
}

// ---- push health: /metrics every 2 s ----

/** Prometheus text -> [{name, labels, value}]. Comments and malformed lines are skipped. */
function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[3] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

function metric(samples, name, labels) {
  return samples.filter(s => s.name === name && Object.entries(labels || {}).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function has(samples, name) { return samples.some(s => s.name === name); }

/** The bound below which q of the observations between two scrapes fell (bucket upper bound). */
function quantileFromBuckets(before, now, name, q) {
  const buckets = now.filter(s => s.name === name + '_bucket').map(s => ({
    le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le),
    n: s.value - metric(before, name + '_bucket', { le: s.labels.le })
  })).sort((a, b) => a.le - b.le);
  const total = buckets.length ? buckets[buckets.length - 1].n : 0;
  if (total <= 0) return null;
  const bucket = buckets.find(b => b.n >= q * total);
  return bucket && bucket.le !== Infinity ? bucket.le : null;
}

const SERIES = [
  ['rate', 'pushes acked / s', v => v.toFixed(1)],
  ['latency', 'ack latency, mean (ms)', v => v.toFixed(1)],
  ['p99', 'ack latency, p99 bucket (ms)', v => v.toFixed(0)],
  ['retried', 'retries / s', v => v.toFixed(2)],
  ['givenUp', 'given up / s', v => v.toFixed(2)]
];

function pushPage() {
  const canvases = {};
  const values = {};
  const history = Object.fromEntries(SERIES.map(([key]) => [key, []]));
  const note = el('p', { class: 'muted', id: 'push-note' }, 'Reading /metrics every 2 s…');
  const totals = el('p', { id: 'push-totals' });
  show(el('h2', null, 'Push health'), note, el('div', { id: 'sparks' }, SERIES.map(([key, label]) => {
    canvases[key] = el('canvas', { width: 220, height: 48, id: 'spark-' + key });
    values[key] = el('div', { class: 'value', id: 'value-' + key }, '–');
    return el('div', { class: 'spark' }, el('div', { class: 'muted' }, label), values[key], canvases[key]);
  })), totals);
  let previous = null;
  const family = 'registry_session_push_latency_seconds';
  const tick = async () => {
    const result = await api('/metrics');
    if (result.status !== 200) { note.textContent = errorText(result); return; }
    const now = { at: performance.now(), samples: parseMetrics(result.body) };
    if (!has(now.samples, 'registry_session_pushes_total')) {
      note.textContent = 'This node reports no push metrics (pushes happen on sessions).';
      return;
    }
    note.textContent = 'Updated ' + new Date().toLocaleTimeString() + ', every 2 s.';
    const pushes = o => metric(now.samples, 'registry_session_pushes_total', { outcome: o });
    totals.textContent = 'Totals since start: sent ' + pushes('sent') + ', acked ' + pushes('acked') + ', failed ' + pushes('failed')
      + ', retried ' + pushes('retried') + ', given up ' + pushes('given_up')
      + (has(now.samples, 'registry_session_push_queue_keys') ? ', queued keys ' + metric(now.samples, 'registry_session_push_queue_keys') : '');
    if (previous) {
      const seconds = Math.max(0.001, (now.at - previous.at) / 1000);
      const delta = (name, labels) => Math.max(0, metric(now.samples, name, labels) - metric(previous.samples, name, labels));
      const count = delta(family + '_count');
      const point = {
        rate: delta('registry_session_pushes_total', { outcome: 'acked' }) / seconds,
        latency: count > 0 ? 1000 * delta(family + '_sum') / count : 0,
        p99: has(now.samples, family + '_bucket') ? 1000 * (quantileFromBuckets(previous.samples, now.samples, family, 0.99) || 0)
          : 1000 * metric(now.samples, family, { quantile: '0.99' }),
        retried: delta('registry_session_pushes_total', { outcome: 'retried' }) / seconds,
        givenUp: delta('registry_session_pushes_total', { outcome: 'given_up' }) / seconds
      };
      for (const [key, , format] of SERIES) {
        history[key].push(point[key]);
        if (history[key].length > 60) history[key].shift();
        values[key].textContent = format(point[key]);
        sparkline(canvases[key], history[key]);
      }
    }
    previous = now;
  };
  tick();
  state.pollTimer = setInterval(tick, 2000);
}

function sparkline(canvas, points) {
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  const max = Math.max(...points, 1e-9);
  g.strokeStyle = '#1d4ed8';
  g.lineWidth = 1.5;
  g.beginPath();
  points.forEach((v, i) => {
    const x = points.length < 2 ? 0 : i * (canvas.width - 2) / (points.length - 1) + 1;
    const y = canvas.height - 2 - (v / max) * (canvas.height - 4);
    if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
  });
  g.stroke();
}

// ---- actions (admin token) ----

/** 'Pushes are …' as the node says now: a session's own state, or meta's switch. */
async function pushStateText() {
  const session = state.role === 'session';
  const status = await api(session ? '/api/v1/members' : '/api/v1/switches');
  const paused = status.status !== 200 ? null : session ? status.body.pushPaused : status.body.pushStopped;
  return 'Pushes are ' + (paused === null || paused === undefined ? 'unknown' : paused ? 'STOPPED' : 'running') + '.';
}

async function actionsPage() {
  const session = state.role === 'session';
  const pushState = el('p', { id: 'push-state' }, await pushStateText());
  const result = el('p', { id: 'action-result' });
  const hint = token() ? null : el('span', { class: 'needs-token' }, ' needs the admin token: log in first');
  const ip = el('input', { id: 'client-ip', placeholder: 'client IP, e.g. 10.0.0.7' });
  const members = session ? await api('/api/v1/members') : null;
  const dataServers = members && members.status === 200 ? members.body.dataServers.map(d => d.address) : [];
  const dataServer = el('select', { id: 'data-server' }, dataServers.map(a => el('option', { value: a }, a)));
  // param: 'ip' (the client IP field) or 'address' (the data server list); the question names it.
  const button = (id, label, path, question, param) => el('button', { id, type: 'button', onclick: async () => {
    let url = path;
    const field = param === 'address' ? dataServer : ip;
    if (param) {
      if (!field.value.trim()) {
        result.className = 'error';
        result.textContent = param === 'address' ? 'Pick a data server first.' : 'Enter a client IP first.';
        return;
      }
      url += '?' + param + '=' + encodeURIComponent(field.value.trim());
    }
    if (!token()) {
      // Sent anyway, without a token: the node itself refuses it, and the page shows its answer.
      const r = await api(url, 'POST');
      result.className = 'error';
      result.textContent = 'Refused without the admin token (' + errorText(r) + '). Log in with the admin token first.';
      return;
    }
    if (!confirm(question + (param ? ' ' + field.value.trim() : '') + '?')) { result.className = 'muted'; result.textContent = 'Cancelled.'; return; }
    const r = await api(url, 'POST');
    result.className = r.status === 200 ? 'ok' : 'error';
    result.textContent = r.status === 200 ? 'Done: ' + JSON.stringify(r.body) : 'Refused: ' + errorText(r);
    pushState.textContent = await pushStateText();
  } }, label + (token() ? '' : ' (needs token)'));
  const scope = session ? 'this session' : 'every session (meta\'s switch)';
  show(el('h2', null, 'Actions'), el('div', { class: 'actions' },
    el('p', { class: 'muted' }, token() ? 'Logged in: actions ask for confirmation, then run with the admin token.'
      : 'Read-only: no admin token in this tab. Actions are refused until you log in.'),
    el('section', null, el('h3', null, 'Pushes on ' + scope),
      pushState,
      button('action-push-stop', 'Stop pushes', '/api/v1/push/stop', 'Stop pushes on ' + scope),
      button('action-push-resume', 'Resume pushes', '/api/v1/push/resume', 'Resume pushes on ' + scope), hint),
    el('section', null, el('h3', null, 'Client-off / client-on'), ip,
      button('action-client-off', 'Client off', '/api/v1/client-off', 'Take off the publishers of', 'ip'),
      button('action-client-on', 'Client on', '/api/v1/client-on', 'Publish again the publishers of', 'ip'), hint && hint.cloneNode(true)),
    session ? el('section', null, el('h3', null, 'Drain this session'),
      el('p', { class: 'muted' }, 'Moves its clients to other sessions, then it takes no clients.'),
      button('action-drain', 'Drain this session', '/api/v1/drain', 'Drain this session'), hint && hint.cloneNode(true)) : null,
    session ? el('section', null, el('h3', null, 'Drain a data server'),
      el('p', { class: 'muted' }, 'Its slots move to the other data servers, then it can be stopped.'), dataServer,
      button('action-drain-data', 'Drain data server', '/api/v1/data-servers/drain', 'Drain data server', 'address'),
      hint && hint.cloneNode(true)) : null,
    result));
}

// ---- shell ----

function renderLogin() {
  const loggedIn = Boolean(token());
  document.getElementById('token-state').textContent = loggedIn ? 'admin (this tab)' : 'read-only';
  document.getElementById('login-token').hidden = loggedIn;
  document.getElementById('login-button').hidden = loggedIn;
  document.getElementById('logout-button').hidden = !loggedIn;
}

async function render() {
  clearInterval(state.pollTimer);
  delete document.body.dataset.page;
  const [page, params] = route();
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.dataset.page === page || (page === 'service' && a.dataset.page === 'services'));
  }
  const pages = { cluster: clusterPage, services: servicesPage, service: servicePage, connections: connectionsPage,
    push: pushPage, actions: actionsPage };
  await (pages[page] || clusterPage)(params);
  document.body.dataset.page = page; // the page is drawn (tests wait for it)
}

async function start() {
  const version = await api('/api/v1/version');
  state.role = version.status === 200 ? version.body.role : 'unknown';
  document.getElementById('node-info').textContent = state.role + ' ' + location.host
    + (version.status === 200 ? ' · ' + version.body.version : '');
  document.getElementById('login-form').addEventListener('submit', e => {
    e.preventDefault();
    const field = document.getElementById('login-token');
    if (field.value) sessionStorage.setItem(TOKEN_KEY, field.value);
    field.value = '';
    renderLogin();
    render();
  });
  document.getElementById('logout-button').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    renderLogin();
    render();
  });
  window.addEventListener('hashchange', render);
  renderLogin();
  render();
}

start();
