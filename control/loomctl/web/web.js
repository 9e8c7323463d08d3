// SPDX-License-Identifier: BSD-3-Clause
// The fabric page of `loomctl web` (docs/WEB.md). Plain JavaScript and
// SVG, no library: the drawing is a few hundred elements, and a library
// would be one more thing to vendor and install for no feature we need.
//
// Live: GET /api/stats every second (the server samples loomd once a
// second for every page); replay: GET /api/replay once, a slider picks the
// sample. Both become the same model, one entry per switch port:
//   {tx_bps, rx_bps, util, queued, queued_bytes, tx_bytes, rx_bytes, ...,
//    d_ecn, d_pfc, d_drops}   (d_*: since the previous sample; live, the
//                              server's *_delta, so that a page needs one
//                              sample to show them)
// which draw() renders. Every figure drawn is also in a data-* attribute,
// for tests that read the DOM.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const LOADED_UTIL = 0.01; // a link is drawn as loaded from 1% of its rate
const REFRESH_MS = 1000;
const ROLE_ROW = { superspine: 0, spine: 1, leaf: 2 };

let topo = null;          // GET /api/topology
let linkById = {};        // topo.links by id
let layout = null;        // node name -> {x, y}
let model = null;         // "switch:port" -> port figures (see above)
let switchModel = {};     // switch -> its stats object (live) or summary (replay)
let sampleTime = null;    // loomd's time_ns of the sample drawn
let replay = null;        // GET /api/replay
let routesOf = {};        // switch -> GET /api/routes (for group prefixes)
let selected = null;      // {kind: "switch"|"link", id}

function el(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

function h(tag, text, parent) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// "leaf10" after "leaf9"
function natural(a, b) {
  return a.localeCompare(b, undefined, { numeric: true });
}

function fmtRate(bps) {
  if (bps === null || bps === undefined) return "-";
  if (bps >= 1e9) return (bps / 1e9).toFixed(2) + " Gb/s";
  if (bps >= 1e6) return (bps / 1e6).toFixed(1) + " Mb/s";
  if (bps >= 1e3) return (bps / 1e3).toFixed(1) + " kb/s";
  return Math.round(bps) + " b/s";
}

function sumValues(o) {
  let t = 0;
  for (const k in (o || {})) t += o[k];
  return t;
}

function message(text) {
  document.getElementById("message").textContent = text || "";
}

async function getJSON(url) {
  const r = await fetch(url, { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

// ---- layout: one row per tier, hosts at the bottom; within a row by
// plane, then pod, then name; a box behind each (plane, pod) of a fabric
// with more than one.
function computeLayout() {
  const rows = [[], [], [], []];
  for (const s of topo.switches) rows[ROLE_ROW[s.role]].push(s);
  for (const r of rows.slice(0, 3))
    r.sort((a, b) => a.plane - b.plane || a.pod - b.pod || natural(a.name, b.name));
  const pos = {};
  const W = Math.max(720, ...rows.slice(0, 3).map(r => r.length * 96), topo.hosts.length * 56) + 80;
  const rowY = topo.tiers === 3 ? [70, 200, 330, 450] : [0, 90, 230, 350];
  const place = (list, y, name) => {
    const step = (W - 80) / Math.max(list.length, 1);
    list.forEach((n, i) => { pos[name(n)] = { x: 40 + step * (i + 0.5), y: y }; });
  };
  for (let r = 0; r < 3; r++) place(rows[r], rowY[r], s => s.name);
  // hosts under their (first) leaf, in the order of the leaves
  const hostLeaf = {};
  for (const l of topo.links) {
    const [hEnd, sEnd] = l.a.kind === "host" ? [l.a, l.b] : l.b.kind === "host" ? [l.b, l.a] : [null, null];
    if (hEnd && !(hEnd.node in hostLeaf)) hostLeaf[hEnd.node] = sEnd.node;
  }
  const hosts = topo.hosts.map(x => x.name).sort((a, b) =>
    ((pos[hostLeaf[a]] || { x: 0 }).x - (pos[hostLeaf[b]] || { x: 0 }).x) || natural(a, b));
  place(hosts, rowY[3], n => n);
  return { pos, W, H: rowY[3] + 50, rows, rowY };
}

function drawStatic() {
  const svg = document.getElementById("fabric-svg");
  svg.textContent = "";
  svg.setAttribute("viewBox", `0 0 ${layout.W} ${layout.H}`);
  svg.setAttribute("data-switches", topo.switches.length);
  svg.setAttribute("data-links", topo.links.length);
  const boxes = el("g", { class: "groups" }, svg);
  if (topo.planes > 1 || topo.pods > 1) {
    const groups = {};
    for (const s of topo.switches) {
      if (s.role === "superspine") continue;
      const key = `plane ${s.plane} · pod ${s.pod}`;
      const p = layout.pos[s.name];
      const g = groups[key] || (groups[key] = { x0: p.x, x1: p.x, y0: p.y, y1: p.y });
      g.x0 = Math.min(g.x0, p.x); g.x1 = Math.max(g.x1, p.x);
      g.y0 = Math.min(g.y0, p.y); g.y1 = Math.max(g.y1, p.y);
    }
    for (const key in groups) {
      const g = groups[key];
      el("rect", { class: "group-box", x: g.x0 - 42, y: g.y0 - 30, width: g.x1 - g.x0 + 84,
                   height: g.y1 - g.y0 + 62, rx: 8, "data-group": key }, boxes);
      el("text", { class: "group-label", x: g.x0 - 38, y: g.y1 + 28 }, boxes).textContent = key;
    }
  }
  const tierNames = ["super-spines", "spines", "leaves", "hosts"];
  layout.rowY.forEach((y, i) => {
    if (i < 3 && layout.rows[i].length === 0) return;
    el("text", { class: "tier-label", x: 4, y: y - 18 }, svg).textContent = tierNames[i];
  });
  const links = el("g", { class: "links" }, svg);
  for (const l of topo.links) {
    const a = layout.pos[l.a.node], b = layout.pos[l.b.node];
    const line = el("line", { class: "link", x1: a.x, y1: a.y, x2: b.x, y2: b.y, "data-link": l.id,
                              "data-a": l.a.node, "data-a-port": l.a.port, "data-a-kind": l.a.kind,
                              "data-b": l.b.node, "data-b-port": l.b.port, "data-b-kind": l.b.kind,
                              "data-rate-bps": l.rate_bps, stroke: "#b8bcc4", "stroke-width": 2 }, links);
    el("title", {}, line).textContent = l.id;
    line.addEventListener("click", () => { location.hash = "link=" + encodeURIComponent(l.id); });
  }
  el("g", { class: "marks", id: "marks" }, svg);
  const nodes = el("g", { class: "nodes" }, svg);
  for (const s of topo.switches) {
    const p = layout.pos[s.name];
    const g = el("g", { class: "switch " + s.role, "data-switch": s.name, "data-role": s.role,
                        "data-plane": s.plane, "data-pod": s.pod }, nodes);
    el("rect", { x: p.x - 38, y: p.y - 14, width: 76, height: 28, rx: 5 }, g);
    el("text", { x: p.x, y: p.y + 4 }, g).textContent = s.name;
    g.addEventListener("click", () => { location.hash = "switch=" + encodeURIComponent(s.name); });
  }
  for (const host of topo.hosts) {
    const p = layout.pos[host.name];
    const g = el("g", { class: "host", "data-host": host.name }, nodes);
    el("circle", { cx: p.x, cy: p.y, r: 13 }, g);
    el("text", { x: p.x, y: p.y + 28 }, g).textContent = host.name;
  }
}

// ---- the model

function modelFromStats(cur) {
  const m = {}, sws = {};
  for (const s of cur.switches) {
    sws[s.name] = s;
    for (const p of s.ports) {
      const tm = p.tm || null;
      const ecn = tm ? tm.classes.reduce((t, c) => t + c.ecn_marked, 0) : 0;
      const pfc = tm ? tm.pfc_frames_sent + tm.pfc_frames_received : 0;
      const drops = sumValues(p.drops);
      m[s.name + ":" + p.index] = {
        name: p.name, rate_bps: p.rate_bps, tx_bps: p.tx_bps === undefined ? null : p.tx_bps,
        rx_bps: p.rx_bps === undefined ? null : p.rx_bps, tx_bytes: p.tx_bytes, rx_bytes: p.rx_bytes,
        tx_packets: p.tx_packets, rx_packets: p.rx_packets, queued: p.queued, queued_bytes: p.queued_bytes,
        drops, ecn, pfc, drops_by_reason: p.drops, tm,
        d_drops: p.drops_delta || 0, d_ecn: p.ecn_marked_delta || 0, d_pfc: p.pfc_frames_delta || 0,
      };
    }
  }
  return { m, sws };
}

// Replay sample i against i-1: the series has each switch port's transmit
// side (tx_bytes, queue depth, marks, drops, pauses), no receive side.
function modelFromReplay(run, i) {
  const m = {}, sws = {};
  const dt = run.times[i] - run.times[i - 1];
  run.ports.forEach((p, k) => {
    const tx = run.tx_bytes[i][k], tx0 = run.tx_bytes[i - 1][k];
    const bps = dt > 0 ? (tx - tx0) * 8e9 / dt : null;
    m[p.switch + ":" + p.port] = {
      name: p.peer, rate_bps: p.rate_bps, tx_bps: bps, rx_bps: null, tx_bytes: tx, rx_bytes: null,
      queued_bytes: run.queued_bytes[i][k], queued: null, drops: run.dropped[i][k], ecn: run.ecn_marked[i][k],
      pfc: run.pfc_xoff[i][k], d_drops: run.dropped[i][k] - run.dropped[i - 1][k],
      d_ecn: run.ecn_marked[i][k] - run.ecn_marked[i - 1][k], d_pfc: run.pfc_xoff[i][k] - run.pfc_xoff[i - 1][k],
    };
    sws[p.switch] = sws[p.switch] || { name: p.switch, replay: true };
  });
  return { m, sws };
}

// A link's two directions: a->b is a's transmit side when a is a switch,
// else b's receive side.
function direction(from, to) {
  if (from.kind === "switch") {
    const p = model[from.node + ":" + from.port];
    return p ? { bps: p.tx_bps, bytes: p.tx_bytes } : null;
  }
  const p = model[to.node + ":" + to.port];
  return p ? { bps: p.rx_bps, bytes: p.rx_bytes } : null;
}

function utilColor(u) {
  if (u === null || u < LOADED_UTIL) return "#b8bcc4";
  const x = Math.min(1, u);
  return `hsl(${Math.round(120 * (1 - x))}, 75%, 42%)`;
}

// ---- drawing the figures of a sample

function drawSample() {
  const marks = document.getElementById("marks");
  marks.textContent = "";
  document.body.setAttribute("data-time-ns", sampleTime);
  for (const line of document.querySelectorAll("line.link")) {
    const l = linkById[line.getAttribute("data-link")];
    const ab = direction(l.a, l.b), ba = direction(l.b, l.a);
    const rates = [ab, ba].filter(d => d && d.bps !== null).map(d => d.bps);
    const util = rates.length ? Math.max(...rates) / l.rate_bps : null;
    line.setAttribute("stroke", utilColor(util));
    line.setAttribute("stroke-width", (2 + 9 * Math.sqrt(Math.min(1, util || 0))).toFixed(2));
    const set = (k, v) => v === null || v === undefined ? line.removeAttribute(k) : line.setAttribute(k, v);
    set("data-ab-bps", ab && ab.bps !== null ? Math.round(ab.bps) : null);
    set("data-ba-bps", ba && ba.bps !== null ? Math.round(ba.bps) : null);
    set("data-ab-bytes", ab ? ab.bytes : null);
    set("data-ba-bytes", ba ? ba.bytes : null);
    set("data-util", util === null ? null : util.toFixed(4));
    line.setAttribute("data-loaded", util !== null && util >= LOADED_UTIL ? "1" : "0");
    line.querySelector("title").textContent =
      `${l.id}\n${l.a.node} -> ${l.b.node}: ${fmtRate(ab && ab.bps)}\n${l.b.node} -> ${l.a.node}: ${fmtRate(ba && ba.bps)}`;
    // marks at each switch end, a fifth of the way along the link
    for (const [end, other] of [[l.a, l.b], [l.b, l.a]]) {
      if (end.kind !== "switch") continue;
      const p = model[end.node + ":" + end.port];
      if (!p) continue;
      const A = layout.pos[end.node], B = layout.pos[other.node];
      const x = A.x + (B.x - A.x) * 0.22, y = A.y + (B.y - A.y) * 0.22;
      const g = el("g", { class: "port-marks", "data-port-of": end.node + ":" + end.port,
                          "data-queued-bytes": p.queued_bytes, "data-ecn": p.ecn, "data-pfc": p.pfc,
                          "data-drops": p.drops, "data-d-ecn": p.d_ecn, "data-d-pfc": p.d_pfc,
                          "data-d-drops": p.d_drops }, marks);
      let dx = 6;
      if (p.queued_bytes > 0) {
        const hgt = Math.min(24, 3 + 21 * Math.log10(1 + p.queued_bytes) / 7);
        el("rect", { class: "qbar", x: x + dx, y: y - hgt, width: 4, height: hgt }, g);
        dx += 7;
      }
      for (const [k, cls, sym] of [["d_ecn", "ecn", "E"], ["d_pfc", "pfc", "P"], ["d_drops", "drop", "\u2715"]]) {
        if (p[k] > 0) {
          el("text", { class: "mark " + cls, x: x + dx, y: y + 4 }, g).textContent = sym;
          dx += 10;
        }
      }
    }
  }
  for (const g of document.querySelectorAll("g.switch")) {
    const name = g.getAttribute("data-switch"), s = switchModel[name];
    g.classList.toggle("absent", !s);
    for (const k of ["rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "dropped", "queued"])
      if (s && s[k] !== undefined) g.setAttribute("data-" + k.replace("_", "-"), s[k]);
    g.classList.toggle("unconserved", !!s && s.conserved === false);
    if (s && s.conserved !== undefined) g.setAttribute("data-conserved", s.conserved ? "1" : "0");
  }
  if (selected) drawPanel();
}

// ---- the panel of a switch or a link

// {group: [route members out of use (down, withdrawn), one per port]} from
// loomd's live routes (api/loom_live_routes.h)
function outOfUse(routes) {
  const out = {};
  for (const r of routes ? routes.routes : []) {
    if (r.group === null) continue;
    for (const m of r.members) {
      if (m.state === "in_use" || m.state === "added") continue;
      const list = out[r.group] || (out[r.group] = []);
      if (!list.some(x => x.port === m.port)) list.push(m);
    }
  }
  return out;
}

function row(table, cells, attrs) {
  const tr = h("tr", null, table);
  for (const k in (attrs || {})) tr.setAttribute(k, attrs[k]);
  for (const c of cells) h(table.rows.length === 1 && !attrs ? "th" : "td", c, tr);
  return tr;
}

function switchPanel(panel, name) {
  const t = topo.switches.find(s => s.name === name);
  const s = switchModel[name];
  panel.setAttribute("data-switch", name);
  h("h2", `${name} (${t.role}, plane ${t.plane}${t.pod >= 0 ? ", pod " + t.pod : ""})`, panel);
  if (!s) { h("p", "not in this loomd (brought up elsewhere with --only)", panel); return; }
  if (!s.replay)
    h("p", `rx ${s.rx_packets} + generated ${s.generated} = tx ${s.tx_packets} + answered ${s.answered} + ` +
           `dropped ${s.dropped} + queued ${s.queued} ${s.conserved ? "(conserved)" : "(NOT CONSERVED)"}; ` +
           `pipeline ${s.pipeline}`, panel);
  h("h3", "Ports", panel);
  const pt = h("table", null, panel);
  row(pt, ["port", "peer", "tx", "rx", "util", "tx pkts", "rx pkts", "queued B", "drops"]);
  const ports = Object.keys(model).filter(k => k.startsWith(name + ":"))
    .map(k => [Number(k.slice(name.length + 1)), model[k]]).sort((a, b) => a[0] - b[0]);
  for (const [idx, p] of ports) {
    row(pt, [idx, p.name, fmtRate(p.tx_bps), fmtRate(p.rx_bps),
             p.tx_bps === null ? "-" : (100 * p.tx_bps / p.rate_bps).toFixed(1) + "%",
             p.tx_packets === undefined ? "-" : p.tx_packets, p.rx_packets === undefined ? "-" : p.rx_packets,
             p.queued_bytes, p.drops], { "data-port": idx, "data-tx-bytes": p.tx_bytes });
  }
  h("h3", "Queues", panel);
  const withTm = ports.filter(([, p]) => p.tm);
  if (s.replay) {
    h("p", "depth per port in the table above (the series has no per-class figures)", panel);
  } else if (!withTm.length) {
    h("p", "traffic manager off on every port: one queue per port, depth in the table above", panel);
  } else {
    const qt = h("table", null, panel);
    row(qt, ["port", "class", "in", "out", "depth B", "max B", "ECN", "drops", "paused ms"]);
    for (const [idx, p] of withTm)
      for (const c of p.tm.classes)
        if (c.in_packets)
          row(qt, [idx, c.class, c.in_packets, c.out_packets, c.depth_bytes, c.max_depth_bytes, c.ecn_marked,
                   sumValues(c.drops), (c.paused_ns / 1e6).toFixed(3)], { "data-port": idx, "data-class": c.class });
  }
  const lb = s.load_balancing;
  if (!lb || s.replay) return;
  h("h3", `Load balancing (${lb.mode || "-"})`, panel);
  const routes = routesOf[name];
  const out = outOfUse(routes);
  // groups that forward over more than one member, and those a fault's
  // repair left with members out of use (a group of one is in lb.groups no more)
  const groups = (lb.groups || []).slice();
  for (const g in out)
    if (!groups.some(x => x.group === Number(g))) groups.push({ group: Number(g), members: [] });
  if (!groups.length) h("p", "no group with more than one member", panel);
  for (const g of groups) {
    const prefixes = routes ? routes.routes.filter(r => r.group === g.group).map(r => r.prefix) : [];
    const total = g.members.reduce((t, x) => t + x.bytes, 0);
    h("p", `group ${g.group} (${g.mode || "one member left"}) ${prefixes.join(", ")}` +
           (g.imbalance ? `: imbalance max/mean ${g.imbalance.max_over_mean.toFixed(2)}` : ""),
      panel).setAttribute("data-group", g.group);
    const gt = h("table", null, panel);
    row(gt, ["member port", "peer", "packets", "bytes", "share"]);
    for (const x of g.members)
      row(gt, [x.port, x.name, x.packets, x.bytes, total ? (100 * x.bytes / total).toFixed(1) + "%" : "-"],
          { "data-group": g.group, "data-member-port": x.port, "data-bytes": x.bytes });
    for (const x of out[g.group] || []) {
      const tr = row(gt, [x.port, x.peer, x.state === "down" ? "link down" : x.state, "-", "-"],
                     { "data-group": g.group, "data-out-member-port": x.port, "data-member-state": x.state });
      tr.className = "member-out";
    }
  }
  const withdrawn = routes ? routes.routes.filter(r => r.group === null).map(r => r.prefix) : [];
  if (withdrawn.length)
    h("p", `withdrawn (no member reaches): ${withdrawn.join(", ")}`, panel).setAttribute("data-withdrawn", withdrawn.join(" "));
  if (lb.reorder && lb.reorder.length) {
    h("h3", "Reordering seen at hosts", panel);
    const rt = h("table", null, panel);
    row(rt, ["port", "host", "packets", "out of order", "flows"]);
    for (const r of lb.reorder)
      row(rt, [r.port, r.name, r.packets, r.out_of_order, r.flows], { "data-reorder-port": r.port });
  }
}

let history = null; // {link, samples} of the open link panel (live)

function linkPanel(panel, id) {
  const l = topo.links.find(x => x.id === id);
  panel.setAttribute("data-link", id);
  h("h2", `link ${id}`, panel);
  const ab = direction(l.a, l.b), ba = direction(l.b, l.a);
  const p1 = h("p", null, panel);
  h("span", `${l.a.node} -> ${l.b.node}: ${fmtRate(ab && ab.bps)}`, p1).className = "key-ab";
  h("br", null, p1);
  h("span", `${l.b.node} -> ${l.a.node}: ${fmtRate(ba && ba.bps)}`, p1).className = "key-ba";
  h("p", `rate ${fmtRate(l.rate_bps)}, delay ${l.delay_ns} ns`, panel);
  let samples;
  if (replay) {
    samples = replayHistory(l);
  } else {
    if (!history || history.link !== id) { h("p", "loading the last minute...", panel); return; }
    samples = history.samples;
  }
  h("h3", replay ? "Both directions over the run" : "Both directions, last minute", panel);
  plot(panel, samples, l);
}

// replay: a link's two directions at every sample up to the slider's
function replayHistory(l) {
  const run = currentRun(), idx = Number(document.getElementById("slider").value), out = [];
  const col = (end) => end.kind === "switch" ? run.ports.findIndex(p => p.switch === end.node && p.port === end.port) : -1;
  const ka = col(l.a), kb = col(l.b);
  for (let i = 1; i <= idx; i++) {
    const dt = run.times[i] - run.times[i - 1];
    const r = k => k < 0 || dt <= 0 ? null : (run.tx_bytes[i][k] - run.tx_bytes[i - 1][k]) * 8e9 / dt;
    out.push({ time_ns: run.times[i], ab: r(ka), ba: r(kb) });
  }
  return out;
}

function plot(panel, samples, l) {
  const W = 420, H = 150, L = 54, B = 20;
  const svg = el("svg", { class: "plot", width: W, height: H, viewBox: `0 0 ${W} ${H}`,
                          "data-samples": samples.length });
  panel.appendChild(svg);
  if (!samples.length) { h("p", "no rates yet", panel); return; }
  const t0 = samples[0].time_ns, t1 = samples[samples.length - 1].time_ns;
  const ymax = Math.max(1, ...samples.flatMap(s => [s.ab || 0, s.ba || 0]));
  const X = t => L + (t1 > t0 ? (t - t0) / (t1 - t0) : 1) * (W - L - 6);
  const Y = v => H - B - v / ymax * (H - B - 8);
  el("line", { class: "axis", x1: L, y1: H - B, x2: W - 6, y2: H - B }, svg);
  el("line", { class: "axis", x1: L, y1: 8, x2: L, y2: H - B }, svg);
  el("text", { x: 2, y: 14 }, svg).textContent = fmtRate(ymax);
  el("text", { x: 2, y: H - B }, svg).textContent = "0";
  el("text", { x: L, y: H - 4 }, svg).textContent = `${((t1 - t0) / 1e9).toFixed(replay ? 6 : 0)} s`;
  for (const [k, cls] of [["ab", "ab"], ["ba", "ba"]]) {
    const pts = samples.filter(s => s[k] !== null && s[k] !== undefined).map(s => `${X(s.time_ns).toFixed(1)},${Y(s[k]).toFixed(1)}`);
    if (pts.length) el("polyline", { class: cls, points: pts.join(" "), "data-direction": cls }, svg);
  }
  h("p", `blue: ${l.a.node} -> ${l.b.node}; orange: ${l.b.node} -> ${l.a.node}`, panel);
}

function drawPanel() {
  const panel = document.getElementById("panel");
  panel.textContent = "";
  panel.removeAttribute("data-switch");
  panel.removeAttribute("data-link");
  for (const g of document.querySelectorAll(".selected")) g.classList.remove("selected");
  if (!selected) { panel.hidden = true; return; }
  panel.hidden = false;
  const close = h("button", "\u2715", panel);
  close.className = "close";
  close.addEventListener("click", () => { history = null; location.hash = ""; });
  if (selected.kind === "switch") {
    const g = document.querySelector(`g.switch[data-switch="${CSS.escape(selected.id)}"]`);
    if (g) g.classList.add("selected");
    switchPanel(panel, selected.id);
  } else {
    const line = document.querySelector(`line.link[data-link="${CSS.escape(selected.id)}"]`);
    if (line) line.classList.add("selected");
    linkPanel(panel, selected.id);
  }
}

// #switch=NAME or #link=ID (replay: and &t=SAMPLE)
function readHash() {
  const m = /(?:^#|&)(switch|link)=([^&]+)/.exec(location.hash);
  selected = null;
  if (m) {
    const id = decodeURIComponent(m[2]);
    const known = m[1] === "switch" ? topo.switches.some(s => s.name === id) : topo.links.some(l => l.id === id);
    if (known) selected = { kind: m[1], id };
    else message(`no ${m[1]} '${id}' in this fabric`);
  }
  if (selected && selected.kind === "switch" && !replay && !routesOf[selected.id]) loadRoutes(selected.id);
  if (selected && selected.kind === "link" && !replay) loadHistory();
  if (model) drawPanel();
}

// the open switch's live routes: asked again at every sample (a fault's
// repair changes them)
function loadRoutes(name) {
  getJSON("/api/routes?switch=" + encodeURIComponent(name))
    .then(r => { routesOf[name] = r; if (model && selected && selected.id === name) drawPanel(); })
    .catch(e => message("routes: " + e.message));
}

// the link's switch end: its tx is a->b, its rx b->a (or the reverse)
function loadHistory() {
  const l = topo.links.find(x => x.id === selected.id);
  const end = l.a.kind === "switch" ? l.a : l.b;
  const flip = end !== l.a;
  getJSON(`/api/history?switch=${encodeURIComponent(end.node)}&port=${end.port}`).then(r => {
    if (!selected || selected.id !== l.id) return;
    history = { link: l.id, samples: r.samples.map(s => ({ time_ns: s.time_ns,
      ab: flip ? s.rx_bps : s.tx_bps, ba: flip ? s.tx_bps : s.rx_bps })) };
    drawPanel();
  }).catch(e => message("history: " + e.message));
}

// ---- live

async function poll() {
  try {
    const cur = await getJSON("/api/stats");
    if (cur.time_ns !== sampleTime) {
      const { m, sws } = modelFromStats(cur);
      model = m;
      switchModel = sws;
      sampleTime = cur.time_ns;
      document.getElementById("clock").textContent =
        `loomd t = ${(cur.time_ns / 1e9).toFixed(1)} s` + (cur.interval_ns ? `, rates over ${(cur.interval_ns / 1e9).toFixed(2)} s` : "");
      document.body.setAttribute("data-state", cur.interval_ns ? "live" : "first-sample");
      message("");
      if (selected && selected.kind === "link") loadHistory();
      if (selected && selected.kind === "switch") loadRoutes(selected.id);
      drawSample();
    }
  } catch (e) {
    document.body.setAttribute("data-state", "error");
    message("loomd: " + e.message);
  }
  setTimeout(poll, REFRESH_MS);
}

// ---- replay

function currentRun() {
  return replay.runs[Number(document.getElementById("run").value)];
}

function showReplaySample() {
  const run = currentRun(), i = Number(document.getElementById("slider").value);
  const { m, sws } = modelFromReplay(run, i);
  model = m;
  switchModel = sws;
  sampleTime = run.times[i];
  document.body.setAttribute("data-sample", i);
  document.getElementById("clock").textContent =
    `${run.run}: t = ${(run.times[i] / 1e6).toFixed(3)} ms (sample ${i} of ${run.times.length - 1})`;
  drawSample();
}

function startReplay() {
  document.getElementById("replay-controls").hidden = false;
  const sel = document.getElementById("run"), slider = document.getElementById("slider");
  replay.runs.forEach((r, i) => { const o = h("option", r.run, sel); o.value = i; });
  const reset = () => {
    const run = currentRun();
    slider.max = Math.max(1, run.times.length - 1);
    slider.value = Math.min(Number(slider.value), Number(slider.max));
    showReplaySample();
  };
  sel.addEventListener("change", reset);
  slider.addEventListener("input", showReplaySample);
  let timer = null;
  document.getElementById("play").addEventListener("click", (ev) => {
    if (timer) { clearInterval(timer); timer = null; ev.target.textContent = "play"; return; }
    ev.target.textContent = "pause";
    timer = setInterval(() => {
      if (Number(slider.value) >= Number(slider.max)) slider.value = 1;
      else slider.value = Number(slider.value) + 1;
      showReplaySample();
    }, 200);
  });
  document.body.setAttribute("data-state", "replay");
  slider.max = Math.max(1, currentRun().times.length - 1);
  seekFromHash();
  reset();
  window.addEventListener("hashchange", () => { if (seekFromHash()) showReplaySample(); });
}

// #t=I: the page at sample I (tests, links to a moment)
function seekFromHash() {
  const t = /[#&]t=(\d+)/.exec(location.hash);
  if (t) document.getElementById("slider").value = t[1];
  return !!t;
}

async function main() {
  try {
    topo = await getJSON("/api/topology");
    const mode = await getJSON("/api/mode");
    if (mode.mode === "replay") replay = await getJSON("/api/replay");
  } catch (e) {
    document.body.setAttribute("data-state", "error");
    message(e.message);
    return;
  }
  for (const l of topo.links) linkById[l.id] = l;
  document.getElementById("fabric").textContent = topo.fabric;
  document.title = "Loom: " + topo.fabric;
  layout = computeLayout();
  drawStatic();
  window.addEventListener("hashchange", readHash);
  readHash();
  if (replay) startReplay();
  else poll();
}

main();
