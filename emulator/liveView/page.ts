/**
 * The live view's page, script and style: static text inside this module, so the package needs no build step,
 * no asset copying, and the ES module, CommonJS and bundled builds all serve the same bytes.
 *
 * The script builds every element with textContent and attribute setters, never innerHTML with data: a hub,
 * group, user or payload is shown as the text it is, whatever it holds.
 */

export const PAGE_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Web PubSub emulator · live view</title>
<link rel="stylesheet" href="/_emulator/live/app.css">
<script src="/_emulator/live/app.js" defer></script>
</head>
<body>
<header><h1>Web PubSub emulator</h1><span id="status" class="status">connecting…</span></header>
<main>
<section id="hubs" aria-label="Hubs"><p class="empty">No hub yet: connect a client or call the REST API.</p></section>
<section id="feed-panel" aria-label="Live feed">
<div class="feed-head"><h2>Live feed</h2><input id="search" type="search" placeholder="Filter: route, group, user, payload…" autocomplete="off"><label><input id="chatter" type="checkbox"> acks and pings</label></div>
<table id="feed"><thead><tr><th>time</th><th>kind</th><th>hub</th><th>what</th><th>status</th><th>ms</th></tr></thead><tbody></tbody></table>
</section>
<aside id="detail" hidden><button id="close-detail" type="button" aria-label="Close">×</button><div id="detail-body"></div></aside>
</main>
</body>
</html>
`;

export const PAGE_CSS: string = `
:root { color-scheme: light dark; --line: #8884; --muted: #888; --accent: #0a7cff; --ok: #1a8f3c; --bad: #d33; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, sans-serif; }
header { display: flex; align-items: center; gap: 1em; padding: .5em 1em; border-bottom: 1px solid var(--line); }
h1 { font-size: 16px; margin: 0; }
h2 { font-size: 14px; margin: .8em 0 .3em; }
h3 { font-size: 12px; margin: .6em 0 .2em; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.status { color: var(--muted); } .status.live { color: var(--ok); } .status.down { color: var(--bad); }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1em; padding: 0 1em 1em; align-items: start; }
main.with-detail { grid-template-columns: minmax(0, 5fr) minmax(0, 4fr) minmax(0, 4fr); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
th { white-space: nowrap; }
th { font-weight: 600; color: var(--muted); }
.hub { border: 1px solid var(--line); border-radius: 6px; padding: 0 .8em .6em; margin-top: 1em; overflow-x: auto; }
.connection td:nth-child(3) { overflow-wrap: anywhere; }
#feed { table-layout: fixed; }
#feed th:nth-child(1) { width: 5.5em; } #feed th:nth-child(2) { width: 6.5em; } #feed th:nth-child(3) { width: 7em; }
#feed th:nth-child(5) { width: 4em; } #feed th:nth-child(6) { width: 4em; }
#feed td { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
main.with-detail #feed th:nth-child(3), main.with-detail #feed td:nth-child(3) { display: none; }
.badge { font-size: 11px; border: 1px solid var(--line); border-radius: 8px; padding: 0 6px; margin-left: .5em; color: var(--muted); }
.empty { color: var(--muted); }
code, .mono { font-family: ui-monospace, monospace; font-size: 12px; }
.feed-head { display: flex; align-items: center; gap: 1em; }
#search { flex: 1; padding: 4px 8px; }
#feed tbody tr { cursor: pointer; } #feed tbody tr:hover { background: #8882; }
.kind-rest { color: var(--accent); } .kind-message { color: var(--ok); } .kind-upstream { color: #a36; }
.st-bad { color: var(--bad); font-weight: 600; }
#detail { position: sticky; top: .5em; margin-top: 1em; max-height: calc(100vh - 5em); overflow: auto; background: Canvas;
  border: 1px solid var(--line); border-radius: 8px; padding: .2em 1em 1em; }
td.mono { word-break: break-all; font-size: 11px; }
#close-detail { float: right; font-size: 18px; background: none; border: none; cursor: pointer; color: inherit; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #8881; padding: .6em; border-radius: 4px; }
.notification-card { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; padding: .6em .9em; margin: .6em 0; }
.notification-card.release { border-left-color: var(--ok); }
.notification-card h4 { margin: 0 0 .4em; font-size: 15px; }
.notification-card dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.notification-card dt { color: var(--muted); }
.notification-card dd { margin: 0; overflow-wrap: anywhere; }
`;

export const PAGE_JS: string = String.raw`'use strict';
(function () {
  var MAX_ROWS = 1000;
  var feedBody = document.querySelector('#feed tbody');
  var search = document.getElementById('search');
  var statusLine = document.getElementById('status');
  var detail = document.getElementById('detail');
  var detailBody = document.getElementById('detail-body');

  /** An element with text and attributes; children appended in order. Text is always textContent. */
  function el(tag, options, children) {
    var node = document.createElement(tag);
    options = options || {};
    if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
    if (options.className) node.className = options.className;
    if (options.attrs) Object.keys(options.attrs).forEach(function (name) { node.setAttribute(name, String(options.attrs[name])); });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function time(iso) { return iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '—'; }
  function since(iso) {
    if (!iso) return '—';
    var s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    return time(iso) + ' (' + (s < 60 ? s + ' s' : Math.round(s / 60) + ' min') + ' ago)';
  }
  function table(headers, rows) {
    return el('table', {}, [
      el('thead', {}, [el('tr', {}, headers.map(function (h) { return el('th', { text: h }); }))]),
      el('tbody', {}, rows),
    ]);
  }
  function cells(values) { return values.map(function (v) { return el('td', { text: v === null || v === undefined ? '—' : v }); }); }
  function frameText(f) {
    if (!f) return '—';
    return (f.direction === 'in' ? '→ ' : '← ') + f.type + (f.group ? ' ' + f.group : '') + (f.event ? ' ' + f.event : '') + ' · ' + time(f.at);
  }

  function renderHubs(state) {
    var container = document.getElementById('hubs');
    container.replaceChildren();
    if (!state.hubs.length) { container.appendChild(el('p', { className: 'empty', text: 'No hub yet: connect a client or call the REST API.' })); return; }
    state.hubs.forEach(function (hub) {
      var section = el('div', { className: 'hub', attrs: { 'data-hub': hub.name } });
      section.appendChild(el('h2', { text: hub.name }, [hub.eventHandlers.length ? el('span', { className: 'badge', text: 'event handlers' }) : null]));
      if (hub.eventHandlers.length) {
        section.appendChild(el('h3', { text: 'Event handlers (' + hub.eventHandlers.length + ')' }));
        section.appendChild(table(['url', 'user events', 'system events'], hub.eventHandlers.map(function (h) {
          return el('tr', { className: 'handler' }, cells([h.url, h.userEvents || 'none', h.systemEvents.join(', ') || 'none']));
        })));
      }
      section.appendChild(el('h3', { text: 'Connections (' + hub.connections.length + ')' }));
      section.appendChild(hub.connections.length ? table(['connection', 'user', 'subprotocol', 'groups', 'connected since', 'last frame'], hub.connections.map(function (c) {
        var row = el('tr', { className: 'connection', attrs: { 'data-id': c.connectionId } }, cells([
          c.connectionId + (c.state !== 'open' ? ' (' + c.state + ')' : ''), c.userId, c.subprotocol || 'none', c.groups.join(', '), since(c.connectedAt), frameText(c.lastFrame),
        ]));
        row.firstChild.className = 'mono';
        return row;
      })) : el('p', { className: 'empty', text: 'none' }));
      section.appendChild(el('h3', { text: 'Groups (' + hub.groups.length + ')' }));
      section.appendChild(hub.groups.length ? table(['group', 'members'], hub.groups.map(function (g) {
        return el('tr', { className: 'group', attrs: { 'data-name': g.name } }, cells([g.name, g.members.map(function (m) { return (m.userId || 'anonymous') + ' (' + m.connectionId + ')'; }).join(', ')]));
      })) : el('p', { className: 'empty', text: 'none' }));
      section.appendChild(el('h3', { text: 'Permission grants (' + hub.grants.length + ')' }));
      section.appendChild(hub.grants.length ? table(['connection', 'user', 'grant', 'group'], hub.grants.map(function (g) {
        return el('tr', { className: 'grant' }, cells([g.connectionId, g.userId, g.op + ' ' + g.permission, g.target === undefined ? 'every group' : g.target]));
      })) : el('p', { className: 'empty', text: 'none through REST' }));
      container.appendChild(section);
    });
  }

  var refreshTimer = null;
  function refreshSoon() {
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      fetch('/_emulator/live/state', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(renderHubs, function () {});
    }, 150);
  }

  function what(row) {
    switch (row.kind) {
      case 'rest': return row.method + ' ' + row.path;
      case 'connected': return (row.userId || 'anonymous') + ' connected (' + (row.subprotocol || 'no subprotocol') + ') ' + row.connectionId;
      case 'disconnected': return row.connectionId + ' disconnected: ' + (row.reason || '');
      case 'frame': return (row.userId || row.connectionId) + ' sent ' + row.frameType + (row.group ? ' ' + row.group : '') + (row.event ? ' ' + row.event : '');
      case 'message': return (row.from === 'group' ? 'group ' + row.group : 'server') + ' → ' + row.recipients + ' connection' + (row.recipients === 1 ? '' : 's');
      case 'upstream': return row.event + ' → ' + row.url + (row.error ? ' (' + row.error + ')' : '');
    }
    return row.kind;
  }

  var chatter = document.getElementById('chatter');
  /** A reliable client's sequence acks and keep-alive pings: shown only when asked for. */
  var CHATTER = { sequenceAck: true, ping: true };
  function matches(tr) {
    if (tr.dataset.chatter && !chatter.checked) return false;
    var q = search.value.trim().toLowerCase();
    return !q || tr.dataset.search.indexOf(q) !== -1;
  }

  function addRow(row) {
    var status = row.status === undefined ? '' : row.status === null ? '—' : row.status;
    var bad = typeof row.status === 'number' && row.status >= 400 || row.status === 'reset' || (row.kind === 'upstream' && row.status === null);
    var statusCell = el('td', { text: status, className: bad ? 'st-bad' : '' });
    var tr = el('tr', { className: 'feed-row', attrs: { 'data-kind': row.kind } }, [
      el('td', { text: time(row.at) }), el('td', { text: row.kind, className: 'kind-' + row.kind }), el('td', { text: row.hub || '' }),
      el('td', { text: what(row) }), statusCell, el('td', { text: row.ms === undefined ? '' : row.ms }),
    ]);
    tr.dataset.search = (what(row) + ' ' + JSON.stringify(row)).toLowerCase();
    if (row.kind === 'frame' && CHATTER[row.frameType] === true) tr.dataset.chatter = '1';
    tr.addEventListener('click', function () { openDetail(row); });
    tr.hidden = !matches(tr);
    feedBody.insertBefore(tr, feedBody.firstChild);
    while (feedBody.childElementCount > MAX_ROWS) feedBody.lastElementChild.remove();
    if (row.kind !== 'message' && row.kind !== 'upstream') refreshSoon();
  }

  function isNotification(value) {
    return value !== null && typeof value === 'object' && typeof value.schema === 'string' && value.schema.indexOf('webpubsub-action/notification@') === 0;
  }

  function notificationCard(n) {
    var release = n.kind === 'release' && n.release;
    var title = release ? 'Release ' + (n.release.name || n.release.tag) + ' of ' + n.repository : 'Deployment of ' + n.repository + ' @ ' + n.refName;
    var fields = [['kind', n.kind], ['repository', n.repository], ['ref', n.ref], ['commit', typeof n.sha === 'string' ? n.sha.slice(0, 12) : n.sha],
      ['workflow', n.workflow], ['actor', n.actor], ['environment', n.environment], ['event', n.event], ['ci', n.ci], ['run', n.runId], ['when', n.timestamp], ['id', n.id]];
    if (release) fields.push(['tag', n.release.tag], ['prerelease', String(n.release.prerelease)]);
    var dl = el('dl');
    fields.forEach(function (f) { if (f[1] !== undefined) { dl.appendChild(el('dt', { text: f[0] })); dl.appendChild(el('dd', { text: f[1] === null ? '—' : f[1] })); } });
    var link = release ? n.release.url : n.runUrl;
    var card = el('div', { className: 'notification-card' + (release ? ' release' : ''), attrs: { 'data-schema': n.schema } }, [el('h4', { text: title }), dl]);
    if (typeof link === 'string' && /^https?:\/\//i.test(link)) {
      var a = el('a', { text: link, attrs: { rel: 'noopener noreferrer', target: '_blank' } });
      a.href = link;
      card.appendChild(el('p', {}, [a]));
    }
    if (release && n.release.notes) card.appendChild(el('pre', { text: n.release.notes }));
    return card;
  }

  function openDetail(row) {
    detailBody.replaceChildren();
    detailBody.appendChild(el('h2', { text: what(row) }));
    var dl = el('dl', { className: 'mono' });
    Object.keys(row).forEach(function (key) {
      if (key === 'payload') return;
      var value = row[key];
      detailBody.appendChild(el('div', {}, [el('strong', { text: key + ': ' }), el('span', { className: 'mono', text: value === null ? '—' : typeof value === 'object' ? JSON.stringify(value) : value })]));
    });
    if (row.payload) {
      var p = row.payload;
      detailBody.appendChild(el('h3', { text: 'Payload (' + p.dataType + (p.truncated ? ', cut short' : '') + ')' }));
      var parsed;
      if (p.dataType === 'json' && !p.truncated) { try { parsed = JSON.parse(p.text); } catch (e) { parsed = undefined; } }
      if (isNotification(parsed)) detailBody.appendChild(notificationCard(parsed));
      detailBody.appendChild(el('pre', { className: 'payload', text: parsed !== undefined ? JSON.stringify(parsed, null, 2) : p.text }));
    }
    detail.hidden = false;
    detail.parentElement.classList.add('with-detail');
  }
  function closeDetail() { detail.hidden = true; detail.parentElement.classList.remove('with-detail'); }

  document.getElementById('close-detail').addEventListener('click', closeDetail);
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') closeDetail(); });
  function filter() { Array.prototype.forEach.call(feedBody.children, function (tr) { tr.hidden = !matches(tr); }); }
  search.addEventListener('input', filter);
  chatter.addEventListener('change', filter);

  // A reconnecting page is sent the recent rows again: it skips those it has, and starts afresh after a restart.
  var run = null;
  var lastId = 0;
  var events = new EventSource('/_emulator/live/events');
  events.addEventListener('hello', function (e) {
    var hello = JSON.parse(e.data);
    if (hello.run !== run) { run = hello.run; lastId = 0; feedBody.replaceChildren(); }
  });
  events.onopen = function () { statusLine.textContent = 'live'; statusLine.className = 'status live'; refreshSoon(); };
  events.onerror = function () { statusLine.textContent = 'disconnected, retrying…'; statusLine.className = 'status down'; };
  events.onmessage = function (e) {
    var row;
    try { row = JSON.parse(e.data); } catch (err) { return; /* a row the page cannot read is skipped */ }
    if (row.id <= lastId) return;
    lastId = row.id;
    addRow(row);
  };
  refreshSoon();
})();
`;
