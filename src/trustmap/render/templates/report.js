// trustmap report.html: renders the tables, panel, appendix and diagram viewer from the JSON
// block #report-data. Every model text goes through text nodes (textContent), never innerHTML;
// the only markup inserted is the diagrams' SVG, which the build checked (inline_svg) and packed.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var SEV = ["critical", "high", "medium", "low", "info"];
  var LIK = ["high", "medium", "low"];
  var $ = function (id) { return document.getElementById(id); };
  var comps = {}, flows = {}, flowByN = {}, cats = {}, owners = { aws: "AWS", customer: "customer", shared: "shared", "third-party": "third party" };
  D.components.forEach(function (c) { comps[c.id] = c; });
  D.flows.forEach(function (f) { flows[f.id] = f; flowByN[f.n] = f; });
  D.categories.forEach(function (c) { cats[c[0]] = c[1]; });

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "cls") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (k) { if (k != null) e.appendChild(typeof k === "string" ? document.createTextNode(k) : k); });
    return e;
  }
  function badge(kind, v) { return el("span", { cls: "badge " + kind + "-" + v, text: v }); }
  function code(t) { return el("code", { text: t }); }
  function anchor(kind, id) { return kind + "-" + id.split("->").join("-to-"); }
  function subjectName(kind, id) {
    if (kind === "component" && comps[id]) return comps[id].name;
    if (kind === "flow" && flows[id]) return flows[id].name || id;
    if (kind === "boundary" && D.boundaries[id]) return D.boundaries[id].name;
    if (kind === "model") return "account-wide";
    return id;
  }
  function subjectLink(kind, id, name) {
    if (kind !== "component" && kind !== "flow") return document.createTextNode(name || subjectName(kind, id));
    return el("a", { href: "#" + anchor(kind, id), cls: "subject-link", "data-kind": kind, "data-id": id, text: name || subjectName(kind, id) });
  }
  function ticket(t) {
    if (!t) return null;
    if (/^https?:\/\/\S+$/.test(t)) return el("a", { href: t, cls: "ticket", rel: "noreferrer noopener", text: t });
    return document.createTextNode(t);
  }
  function decisionLine(d) {
    if (!d) return null;
    var s = el("span", { cls: "muted" }, [d.status + (d.owner ? " by " + d.owner : "") + (d.expires ? ", expires " + d.expires : "") + ": " + d.reason]);
    if (d.ticket) { s.appendChild(document.createTextNode(" · ticket ")); s.appendChild(ticket(d.ticket)); }
    return s;
  }

  // ---- findings: filters, search, sort --------------------------------------------------
  var F = D.findings, state = { sort: "severity", dir: 1 };
  var filters = {
    severity: function (f) { return [f.severity]; },
    status: function (f) { return [f.status]; },
    category: function (f) { return [f.category]; },
    stride: function (f) { return f.stride; },
    component: function (f) { return f.components; },
    boundary: function (f) { return f.boundaries; },
    owner: function (f) { return [f.owner]; }
  };
  function label(kind, v) {
    if (kind === "category") return cats[v] || v;
    if (kind === "component") return comps[v] ? comps[v].name + " (" + v + ")" : v;
    if (kind === "boundary") return D.boundaries[v] ? D.boundaries[v].name + " (" + v + ")" : v;
    if (kind === "owner") return owners[v] || v;
    return v;
  }
  Object.keys(filters).forEach(function (kind) {
    var seen = {};
    F.forEach(function (f) { filters[kind](f).forEach(function (v) { seen[v] = 1; }); });
    var values = Object.keys(seen);
    if (kind === "severity") values = SEV.filter(function (s) { return seen[s]; });
    else values.sort(function (a, b) { return label(kind, a).localeCompare(label(kind, b)); });
    var select = $("f-" + kind);
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: label(kind, v) })); });
  });
  var search = function (f) {
    return [f.title, f.key, f.subject_name, f.why, f.category, f.status].concat(f.stride).join(" ").toLowerCase();
  };
  F.forEach(function (f) { f._text = search(f); });
  var sorters = {
    severity: function (f) { return [SEV.indexOf(f.severity), LIK.indexOf(f.likelihood), f.category, f.subject[1], f.rule]; },
    likelihood: function (f) { return [LIK.indexOf(f.likelihood), SEV.indexOf(f.severity), f.key]; },
    title: function (f) { return [f.title.toLowerCase(), f.key]; },
    subject: function (f) { return [f.subject_name.toLowerCase(), SEV.indexOf(f.severity), f.key]; },
    category: function (f) { return [cats[f.category] || f.category, SEV.indexOf(f.severity), f.key]; },
    status: function (f) { return [f.status, SEV.indexOf(f.severity), f.key]; }
  };
  function cmp(a, b) {
    for (var i = 0; i < a.length; i++) { if (a[i] < b[i]) return -1; if (a[i] > b[i]) return 1; }
    return 0;
  }
  function detailRow(f) {
    var rule = D.rules[f.rule] || {};
    var dl = el("dl");
    // "extra" lines are on screen only: a printout keeps why, the fix and the decision
    function add(t, v, extra) {
      if (v == null || v === "") return;
      dl.appendChild(el("dt", { text: t, cls: extra ? "extra" : "" }));
      dl.appendChild(v.nodeType ? el("dd", { cls: extra ? "extra" : "" }, [v]) : el("dd", { text: v, cls: extra ? "extra" : "" }));
    }
    add("Why it fired", f.why);
    add("Severity", f.severity + ": impact " + f.impact + ", likelihood " + f.likelihood + (f.severity_reasons.length ? " (" + f.severity_reasons.join("; ") + ")" : ""), true);
    add("Fix", rule.remediation);
    add("Threat", "STRIDE: " + f.stride.join(", ") + " · owner: " + (owners[f.owner] || f.owner) + (rule.controls && rule.controls.length ? " · mitigated by " + rule.controls.join(", ") : ""), true);
    if (rule.compliance && rule.compliance.length) add("Compliance", rule.compliance.map(function (c) { return c[0] + ": " + c[1].join(", "); }).join("; "), true);
    if (rule.references && rule.references.length) add("References", rule.references.join("; "), true);
    if (f.covers.length) add("Stands for", f.covers.join(", "), true);
    add("Key", f.key + " at " + f.location, true);
    if (f.decision) add("Decision", decisionLine(f.decision));
    var row = el("tr", { cls: "detail", id: "detail-" + f.key.replace(/[^A-Za-z0-9_-]/g, "_") }, [el("td", { colspan: "6" }, [dl])]);
    row.hidden = true;
    return row;
  }
  var rows = F.map(function (f) {
    var button = el("button", { type: "button", cls: "expand", "aria-expanded": "false", text: f.title });
    var entry = { f: f, detail: null };
    button.addEventListener("click", function () {
      if (!entry.detail) { entry.detail = detailRow(f); entry.row.after(entry.detail); }
      entry.detail.hidden = !entry.detail.hidden;
      button.setAttribute("aria-expanded", String(!entry.detail.hidden));
    });
    var about = el("td", null, [subjectLink(f.subject[0], f.subject[1], f.subject_name), el("br"), el("span", { cls: "muted", text: f.subject[0] })]);
    var row = el("tr", { cls: "row sev-" + f.severity }, [
      el("td", null, [badge("sev", f.severity)]),
      el("td", { text: f.likelihood }),
      el("td", null, [button, el("br"), code(f.key)]),
      about,
      el("td", { text: cats[f.category] || f.category }),
      el("td", null, [badge("st", f.status)])
    ]);
    entry.row = row;
    return entry;
  });
  // A long table shows its first rows; the rest come on request (or when printing), so that a
  // 300-component page lays out quickly.
  var LIMIT = 150, limits = { findings: LIMIT, questions: LIMIT, flows: LIMIT };
  function more(kind, total, shown, redraw) {
    var holder = $(kind + "-more");
    holder.textContent = "";
    if (shown >= total) return;
    var b = el("button", { type: "button", text: "Show all " + total });
    b.addEventListener("click", function () { limits[kind] = Infinity; redraw(); });
    holder.appendChild(b);
  }
  function renderFindings() {
    var q = $("f-search").value.trim().toLowerCase();
    var chosen = {};
    Object.keys(filters).forEach(function (k) { chosen[k] = $("f-" + k).value; });
    var shown = rows.filter(function (r) {
      if (q && r.f._text.indexOf(q) < 0) return false;
      return Object.keys(filters).every(function (k) { return !chosen[k] || filters[k](r.f).indexOf(chosen[k]) >= 0; });
    });
    var key = sorters[state.sort];
    shown.sort(function (a, b) { return state.dir * cmp(key(a.f), key(b.f)); });
    var body = $("findings-body"), frag = document.createDocumentFragment();
    var visible = shown.slice(0, limits.findings);
    visible.forEach(function (r) { frag.appendChild(r.row); if (r.detail) frag.appendChild(r.detail); });
    body.textContent = "";
    body.appendChild(frag);
    more("findings", shown.length, visible.length, renderFindings);
    $("f-count").textContent = shown.length + " of " + F.length + " findings match" + (visible.length < shown.length ? ", the first " + visible.length + " shown" : "");
    document.querySelectorAll("#findings-table th").forEach(function (th) {
      var b = th.querySelector("button");
      // severity and likelihood sort by rank (0 is the worst): rank order is descending severity
      var ranked = state.sort === "severity" || state.sort === "likelihood";
      var ascending = (state.dir > 0) !== ranked;
      th.setAttribute("aria-sort", b.getAttribute("data-sort") === state.sort ? (ascending ? "ascending" : "descending") : "none");
    });
  }
  Object.keys(filters).forEach(function (k) { $("f-" + k).addEventListener("change", renderFindings); });
  $("f-search").addEventListener("input", renderFindings);
  $("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  $("filters").addEventListener("reset", function () { setTimeout(renderFindings, 0); });
  document.querySelectorAll("#findings-table th button").forEach(function (b) {
    b.addEventListener("click", function () {
      var k = b.getAttribute("data-sort");
      state.dir = state.sort === k ? -state.dir : 1;
      state.sort = k;
      renderFindings();
    });
  });
  document.querySelectorAll("a.card[data-severity]").forEach(function (a) {
    a.addEventListener("click", function () {
      $("filters").reset();
      $("f-severity").value = a.getAttribute("data-severity");
      $("f-status").value = Array.prototype.some.call($("f-status").options, function (o) { return o.value === "open"; }) ? "open" : "";
      setTimeout(renderFindings, 0);
    });
  });
  renderFindings();

  // ---- questions, attack paths, flows -------------------------------------------------------
  var qrows = D.questions.map(function (q) {
    var about = el("td", null, [subjectLink(q.subject[0], q.subject[1]), el("br"), code(q.key)]);
    var status = el("td", null, [badge("st", q.status)]);
    if (q.decision) { status.appendChild(el("br")); status.appendChild(decisionLine(q.decision)); }
    var row = el("tr", null, [el("td", null, [q.text, el("br"), el("span", { cls: "muted", text: "for: " + q.threats.join("; ") })]), about, status]);
    return { q: q, row: row, text: (q.text + " " + q.key + " " + q.threats.join(" ")).toLowerCase() };
  });
  function renderQuestions() {
    var s = $("q-search").value.trim().toLowerCase(), frag = document.createDocumentFragment(), n = 0;
    qrows.forEach(function (r) { if (!s || r.text.indexOf(s) >= 0) { if (n < limits.questions) frag.appendChild(r.row); n++; } });
    more("questions", n, Math.min(n, limits.questions), renderQuestions);
    $("questions-body").textContent = "";
    $("questions-body").appendChild(frag);
    $("q-count").textContent = D.questions.length ? n + " of " + D.questions.length + " questions shown" : "No questions: the model states everything the catalog asks about.";
  }
  $("q-search").addEventListener("input", renderQuestions);
  renderQuestions();

  var pathList = $("paths-list");
  if (!D.attack_paths.length) pathList.appendChild(el("li", { text: "No attack path: no sensitive target is reachable from an entry along flows." }));
  D.attack_paths.forEach(function (p) {
    var show = el("button", { type: "button", cls: "screen-only", text: "Show on diagram" });
    show.addEventListener("click", function () { highlightPath(p, li); });
    var hops = el("span", { cls: "hops" });
    p.hops.forEach(function (h, i) {
      if (i) hops.appendChild(document.createTextNode(" → (" + p.flows[i - 1] + ") → "));
      hops.appendChild(subjectLink("component", h));
    });
    var li = el("li", { "data-path": p.id }, [
      el("b", { text: "likelihood " + p.likelihood }), " · ", hops, el("br"),
      el("span", { cls: "muted", text: "weakest hop: flow " + p.weakest_n + " (" + p.weakest + "): " + p.why }), " ", show
    ]);
    pathList.appendChild(li);
  });

  var names = {};
  D.data.forEach(function (d) { names[d.id] = d.name; });
  function renderFlows() {
  var flowFrag = document.createDocumentFragment();
  D.flows.slice(0, limits.flows).forEach(function (f) {
    var ends = el("td", null, [subjectLink("component", f.from), f.two_way ? " ↔ " : " → ", subjectLink("component", f.to), el("br"), el("a", { href: "#" + anchor("flow", f.id), cls: "subject-link", "data-kind": "flow", "data-id": f.id, text: f.name || f.id })]);
    var proto = f.protocol + (f.port != null ? ":" + f.port : "") + (f.encrypted ? ", encrypted" : ", clear text") + (f.authenticated ? ", authenticated" : "") + (f.kind === "route" ? ", network route" : "");
    flowFrag.appendChild(el("tr", null, [
      el("td", { cls: "num", text: String(f.n) }), ends, el("td", { text: proto }),
      el("td", { text: f.data.map(function (d) { return names[d] || d; }).join(", ") || "—" }),
      el("td", { text: f.crosses.map(function (b) { return D.boundaries[b] ? D.boundaries[b].name : b; }).join(" › ") || "none" })
    ]));
  });
  $("flows-body").textContent = "";
  $("flows-body").appendChild(flowFrag);
  more("flows", D.flows.length, Math.min(D.flows.length, limits.flows), renderFlows);
  }
  renderFlows();

  // ---- the component and flow panel ----------------------------------------------------------
  function itemsTable(items) {
    if (!items.length) return el("p", { cls: "muted", text: "No customer or shared duties." });
    var body = el("tbody");
    items.forEach(function (it) {
      var c = D.controls[it[0]];
      var reason = el("td", null, [D.reasons[it[3]]]);
      if (it[4]) { reason.appendChild(el("br")); reason.appendChild(decisionLine(it[4])); }
      body.appendChild(el("tr", null, [el("td", { cls: "mono", text: c[0] }), el("td", null, [c[1], el("br"), el("span", { cls: "muted", text: cats[c[2]] || c[2] })]), el("td", null, [badge("st", it[1])]), reason]));
    });
    return el("div", { cls: "scroll", tabindex: "0", role: "region", "aria-label": "Checklist items" }, [el("table", { cls: "compact" }, [el("thead", null, [el("tr", null, [el("th", { scope: "col", text: "Code" }), el("th", { scope: "col", text: "Duty" }), el("th", { scope: "col", text: "Status" }), el("th", { scope: "col", text: "Reason" })])]), body])]);
  }
  function factList(pairs) {
    var dl = el("dl", { cls: "meta" });
    pairs.forEach(function (p) { if (p[1] !== "" && p[1] != null) { dl.appendChild(el("dt", { text: p[0] })); dl.appendChild(el("dd", null, [p[1]])); } });
    return dl;
  }
  function openPanel(kind, id) {
    var body = $("panel-body"), s = kind === "component" ? comps[id] : flows[id];
    if (!s) return;
    body.textContent = "";
    $("panel-title").textContent = (kind === "component" ? s.name : "Flow " + s.n + (s.name ? ": " + s.name : "")) ;
    if (kind === "component") {
      body.appendChild(factList([["Id", s.id], ["Service", s.service_name + " (" + s.service_model + ")"],
        ["Boundary", s.boundary_path.map(function (b) { return D.boundaries[b] ? D.boundaries[b].name : b; }).join(" › ") || "outside every boundary"],
        ["Trust", String(s.trust)], ["Internet-facing", s.internet_facing ? "yes" : "no"],
        ["Stores", s.stores.map(function (d) { return names[d] || d; }).join(", ")], ["Description", s.description]]));
      body.appendChild(el("h3", { text: "Responsibility split" }));
      var rb = el("tbody");
      D.layers.forEach(function (l, i) {
        var o = s.resp[i];
        rb.appendChild(el("tr", null, [el("td", { text: l[1] }), el("td", { cls: "own own-" + (o || "unset") }, [el("span", { cls: "owner own-" + o, text: owners[o] || o || "—" })])]));
      });
      body.appendChild(el("table", { cls: "compact resp" }, [rb]));
    } else {
      body.appendChild(factList([["Id", s.id], ["From → to", subjectName("component", s.from) + (s.two_way ? " ↔ " : " → ") + subjectName("component", s.to)],
        ["Protocol", s.protocol + (s.port != null ? ":" + s.port : "")], ["Encrypted", s.encrypted ? "yes" : "no"], ["Authenticated", s.authenticated ? "yes" : "no"],
        ["Data", s.data.map(function (d) { return names[d] || d; }).join(", ")], ["Crosses", s.crosses.map(function (b) { return D.boundaries[b] ? D.boundaries[b].name : b; }).join(" › ") || "no boundary"]]));
    }
    var mine = F.filter(function (f) { return f.subject[0] === kind && f.subject[1] === id; });
    body.appendChild(el("h3", { text: "Findings (" + mine.length + ")" }));
    if (!mine.length) body.appendChild(el("p", { cls: "muted", text: "None." }));
    var ul = el("ul");
    mine.forEach(function (f) {
      var fix = (D.rules[f.rule] || {}).remediation;
      ul.appendChild(el("li", null, [badge("sev", f.severity), " ", badge("st", f.status), " ", el("b", { text: f.title }), el("br"), f.why, fix ? el("br") : null, fix ? el("span", { cls: "muted", text: "Fix: " + fix }) : null, f.decision ? el("br") : null, decisionLine(f.decision)]));
    });
    body.appendChild(ul);
    var qs = D.questions.filter(function (q) { return q.subject[0] === kind && q.subject[1] === id; });
    body.appendChild(el("h3", { text: "Questions (" + qs.length + ")" }));
    var qul = el("ul");
    qs.forEach(function (q) { qul.appendChild(el("li", null, [q.text, " ", badge("st", q.status), q.decision ? el("br") : null, decisionLine(q.decision)])); });
    body.appendChild(qs.length ? qul : el("p", { cls: "muted", text: "None." }));
    body.appendChild(el("h3", { text: "Checklist: the customer's duties" }));
    body.appendChild(itemsTable(s.items));
    if (kind === "component") body.appendChild(el("p", { cls: "muted", text: s.inherited + " duties are AWS's, inherited: listed once per service model under Shared responsibility." }));
    var decided = s.items.filter(function (it) { return it[4]; }).length + mine.filter(function (f) { return f.decision; }).length;
    body.appendChild(el("p", { cls: "muted", text: decided + " item(s) here are decided by a risk decision (see Risk decisions)." }));
    $("panel").hidden = false;
    $("panel-close").focus();
  }
  $("panel-close").addEventListener("click", function () { $("panel").hidden = true; });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") $("panel").hidden = true; });
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.subject-link");
    if (!a) return;
    var kind = a.getAttribute("data-kind"), id = a.getAttribute("data-id");
    if (!kind) { var m = /^#component-(.*)$/.exec(a.getAttribute("href")); if (m) { kind = "component"; id = m[1]; } }
    if (kind && id) { e.preventDefault(); openPanel(kind, id); }
  });

  // ---- appendix: the customer's items per subject ------------------------------------------------
  var appendix = $("appendix");
  function appendixEntry(kind, s, items) {
    var d = el("details", { cls: "subject", id: kind === "model" ? "model" : anchor(kind, s.id) });
    var open = items.filter(function (it) { return it[1] === "open" || it[1] === "unknown"; }).length;
    d.appendChild(el("summary", null, [kind === "model" ? "Account-wide duties" : (kind === "flow" ? "Flow " + s.n + ": " + (s.name || s.id) : s.name), " ", el("span", { cls: "muted", text: (kind === "model" ? "" : kind + " " + s.id + " · ") + open + " open or unknown of " + items.length })]));
    var inner = el("div");
    d.appendChild(inner);
    d._fill = function (printing) {
      if (d._filled === printing) return;
      inner.textContent = "";
      // In print, what is met or not applicable is counted, and what is unknown is already a
      // question: only open and decided items are listed.
      var shown = printing ? items.filter(function (it) { return ["met", "not-applicable", "unknown"].indexOf(it[1]) < 0; }) : items;
      if (shown.length || !printing) inner.appendChild(itemsTable(shown));
      if (printing && shown.length < items.length) inner.appendChild(el("p", { cls: "muted", text: (items.length - shown.length) + " more: met, not applicable, or unknown (see Questions)." }));
      d._filled = printing;
    };
    d.addEventListener("toggle", function () { if (d.open) d._fill(false); });
    return d;
  }
  var entries = [appendixEntry("model", {}, D.model_items)];
  D.components.forEach(function (c) { entries.push(appendixEntry("component", c, c.items)); });
  D.flows.forEach(function (f) { if (f.items.length) entries.push(appendixEntry("flow", f, f.items)); });
  entries.forEach(function (e) { appendix.appendChild(e); });

  // ---- diagrams: viewer with pan and zoom, click-through, attack-path highlight ------------------
  var views = D.diagrams, select = $("v-select"), stage = $("v-stage"), current = null, zoom = null, cache = {};
  function unpack(view) {
    if (cache[view.name]) return Promise.resolve(cache[view.name]);
    if (!window.DecompressionStream) {
      // browsers before 2023 cannot unpack gzip: say where the same diagrams are
      stage.textContent = "This browser cannot unpack the diagrams; open " + view.name + ".svg beside this report.";
      return Promise.reject(new Error("no DecompressionStream"));
    }
    var bytes = Uint8Array.from(atob(view.svg), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(function (t) { cache[view.name] = t; return t; });
  }
  function svgFrom(text, view) {
    var holder = document.createElement("div");
    holder.innerHTML = text;  // checked SVG (inline_svg) from the build, never model text
    var svg = holder.querySelector("svg");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", view.title + " diagram");
    // Graphviz's <title>s name nodes by their DOT ids (c_web); the visible text names them better
    svg.querySelectorAll("g.node > title, g.edge > title").forEach(function (t) { t.remove(); });
    return svg;
  }
  var groups = {};
  views.forEach(function (v, i) {
    var g = v.unit ? "Per boundary" : "Whole model";
    if (!groups[g]) { groups[g] = el("optgroup", { label: g }); select.appendChild(groups[g]); }
    groups[g].appendChild(el("option", { value: String(i), text: v.title }));
  });
  if (!views.length) { $("viewer").hidden = true; }
  function subjectOf(node, view) {
    var id = node.id || "", prefix = view.ids;
    if (id.indexOf(prefix) !== 0) return null;
    var rest = id.slice(prefix.length), m = /^([cf])-(.*)$/.exec(rest);
    if (!m) return null;
    if (m[1] === "c") return comps[m[2]] ? ["component", m[2]] : null;
    var f = flowByN[Number(m[2])];
    return f ? ["flow", f.id] : null;
  }
  function show(index) {
    var view = views[index];
    if (!view) return Promise.resolve();
    select.value = String(index);
    return unpack(view).then(function (text) {
      if (zoom) { zoom.destroy(); zoom = null; }
      stage.textContent = "";
      stage.classList.remove("dim");
      var svg = svgFrom(text, view);
      svg.removeAttribute("width"); svg.removeAttribute("height");
      svg.setAttribute("role", "group");  // it holds buttons: not a plain image here
      stage.appendChild(svg);
      current = { view: view, svg: svg };
      svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
        var s = subjectOf(g, view);
        if (!s) return;
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
        var visible = g.textContent.replace(/\s+/g, " ").trim();
        g.setAttribute("aria-label", (visible || subjectName(s[0], s[1])) + ", " + (s[0] === "flow" ? "flow " + flows[s[1]].n : "component") + ": open details");
        g.addEventListener("click", function () { openPanel(s[0], s[1]); });
        g.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openPanel(s[0], s[1]); } });
      });
      if (window.svgPanZoom) zoom = window.svgPanZoom(svg, { controlIconsEnabled: false, zoomScaleSensitivity: 0.3, minZoom: 0.2, maxZoom: 40, dblClickZoomEnabled: true, fit: true, center: true });
    });
  }
  select.addEventListener("change", function () { clearHighlight(); show(Number(select.value)); });
  $("v-in").addEventListener("click", function () { if (zoom) zoom.zoomIn(); });
  $("v-out").addEventListener("click", function () { if (zoom) zoom.zoomOut(); });
  $("v-fit").addEventListener("click", function () { if (zoom) { zoom.resize(); zoom.fit(); zoom.center(); } });
  $("v-full").addEventListener("click", function () {
    var full = !$("viewer").classList.contains("full");
    $("viewer").classList.toggle("full", full);
    $("v-full").setAttribute("aria-pressed", String(full));
    $("v-full").textContent = full ? "Exit full screen" : "Full screen";
    if (zoom) { zoom.resize(); zoom.fit(); zoom.center(); }
  });
  function clearHighlight() {
    stage.classList.remove("dim");
    stage.querySelectorAll(".hl").forEach(function (g) { g.classList.remove("hl"); });
    document.querySelectorAll("ol.paths li.active").forEach(function (li) { li.classList.remove("active"); });
    $("v-clear").hidden = true;
  }
  $("v-clear").addEventListener("click", clearHighlight);
  // Zoom and pan so that the given elements fill most of the stage.
  function zoomTo(elements) {
    if (!zoom || !elements.length) return;
    zoom.resize(); zoom.fit(); zoom.center();
    var box = null;
    elements.forEach(function (e) {
      var r = e.getBoundingClientRect();
      box = box ? { l: Math.min(box.l, r.left), t: Math.min(box.t, r.top), r: Math.max(box.r, r.right), b: Math.max(box.b, r.bottom) } : { l: r.left, t: r.top, r: r.right, b: r.bottom };
    });
    var s = stage.getBoundingClientRect();
    var factor = Math.min(8, 0.85 * Math.min(s.width / Math.max(box.r - box.l, 1), s.height / Math.max(box.b - box.t, 1)));
    var cx = (box.l + box.r) / 2 - s.left, cy = (box.t + box.b) / 2 - s.top;
    if (factor > 1) zoom.zoomAtPointBy(factor, { x: cx, y: cy });
    zoom.panBy({ x: s.width / 2 - cx, y: s.height / 2 - cy });
  }
  function highlightPath(p, li) {
    var index = views.findIndex(function (v) { return v.name === "dataflow"; });
    if (index < 0) index = 0;
    show(index).then(function () {
      if (!current) return;
      clearHighlight();
      var prefix = current.view.ids;
      p.hops.forEach(function (h) { var g = document.getElementById(prefix + "c-" + h); if (g) g.classList.add("hl"); });
      p.flows.forEach(function (n) { var g = document.getElementById(prefix + "f-" + n); if (g) g.classList.add("hl"); });
      stage.classList.add("dim");
      li.classList.add("active");
      $("v-clear").hidden = false;
      $("diagrams").scrollIntoView();
      zoomTo(stage.querySelectorAll(".hl"));
    });
  }
  // The first view is drawn when the viewer comes near the screen: a 300-component diagram
  // takes a second to lay out, which the page's first paint must not wait for.
  var shown0 = Promise.resolve();
  if (views.length) {
    // a large model opens on its first VPC or subnet view: the whole is too dense to read
    var first = 0;
    if (D.components.length > 60) {
      first = views.findIndex(function (v) {
        var b = v.unit && D.boundaries[v.unit];
        return v.kind === "architecture" && b && (b.kind === "vpc" || b.kind === "subnet");
      });
      if (first < 0) first = 0;
    }
    if (window.IntersectionObserver) {
      var watch = new IntersectionObserver(function (seen) {
        if (seen.some(function (s) { return s.isIntersecting; })) { watch.disconnect(); if (!current) show(first); }
      }, { rootMargin: "600px" });
      watch.observe(stage);
    } else {
      show(first);
    }
  }

  // A table that may scroll sideways (on a phone) can be reached and scrolled with the keyboard.
  var regionNames = {};
  document.querySelectorAll("main .scroll").forEach(function (box) {
    if (box.hasAttribute("tabindex")) return;
    var section = box.closest("section");
    var heading = section && section.querySelector("h2");
    var name = (heading ? heading.textContent + ": " : "") + "table";
    regionNames[name] = (regionNames[name] || 0) + 1;
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", name + (regionNames[name] > 1 ? " " + regionNames[name] : ""));
  });

  // ---- print: every whole-model diagram on its own page, the appendix filled ---------------------
  // The printed copies are made right after loading for a model of up to 60 components (so that
  // the browser's print finds them ready), for larger ones when printing starts. Their ids are
  // dropped: the viewer's copy keeps them, and ids must stay unique.
  var printed = null;
  function printDiagrams() {
    if (printed) return printed;
    var large = D.components.length > 40;
    var chosen = views.filter(function (v) { return !v.unit || large; });
    printed = Promise.all(chosen.map(unpack)).then(function () {
      var box = $("print-diagrams");
      chosen.forEach(function (v) {
        var svg = svgFrom(cache[v.name], v);
        svg.querySelectorAll("[id]").forEach(function (e) { e.removeAttribute("id"); });
        svg.removeAttribute("height");
        svg.setAttribute("width", "100%");
        // a diagram taller than wide prints on a portrait page, a wide one on a landscape page
        var tall = v.height > v.width * 0.9;
        box.appendChild(el("figure", { cls: "print-diagram" + (tall ? " tall" : "") }, [el("figcaption", { text: v.title }), svg]));
      });
    });
    return printed;
  }
  function preparePrint() {
    var redraw = limits.findings !== Infinity || limits.questions !== Infinity;
    limits.findings = limits.questions = limits.flows = Infinity;
    if (redraw) { renderFindings(); renderQuestions(); renderFlows(); }
    rows.forEach(function (r) { if (!r.detail) { r.detail = detailRow(r.f); if (r.row.parentNode) r.row.after(r.detail); } });
    // AWS's inherited duties print as their one-line summaries (they are the same for every
    // component of a service model and evidenced by AWS's reports, not by this review)
    entries.forEach(function (e) { e._fill(true); e.open = true; });
    return printDiagrams();
  }
  window.addEventListener("beforeprint", preparePrint);
  window.trustmapPreparePrint = preparePrint;
  var ready = D.components.length <= 60 ? printDiagrams() : Promise.resolve();
  Promise.all([ready, shown0]).then(function () {
    // when the page was ready, in ms since navigation started (the browser tests read it)
    document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
    document.documentElement.setAttribute("data-ready", "1");
  });
})();
