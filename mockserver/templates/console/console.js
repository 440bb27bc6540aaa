// The billing-mock console: a page over the control API (/_mock/...) of one world, the loaded
// one or an isolated run's (/_runs/{run_id}/_mock/...). It only calls that API, on its own
// origin, and writes everything it shows as text (never as markup).
"use strict";

(() => {
  const body = document.body;
  const BASE = body.dataset.base;  // "" or "/_runs/{run_id}"
  const RUN = body.dataset.run;
  const TOKEN_KEY = "billing-mock-admin-token";
  const LIVE_MS = 1500;
  const $ = (id) => document.getElementById(id);
  let adminToken = sessionStorage.getItem(TOKEN_KEY) || "";
  let selectedTenant = null;
  let outcomeChoices = {};
  let journalTimer = null;

  // -- talking to the control API --------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function headers(json) {
    const found = {Accept: "application/json"};
    if (json) found["Content-Type"] = "application/json";
    if (adminToken) found.Authorization = "Bearer " + adminToken;
    return found;
  }

  async function call(method, path, payload, top) {
    const url = (top ? "" : BASE) + "/_mock" + path;
    const response = await fetch(url, {
      method, headers: headers(payload !== undefined), credentials: "same-origin",
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const text = await response.text();
    let data = null;
    try { data = JSON.parse(text); } catch (error) { data = null; }
    if (!response.ok) {
      throw new ApiError(response.status, describeError(response.status, data, text));
    }
    return data && "data" in data ? data.data : data;
  }

  function describeError(status, data, text) {
    if (data && data.error) {
      const problems = (data.error.details && data.error.details.problems) || [];
      return [data.error.message, ...problems.map((p) => `${p.path || "(top)"}: ${p.problem}`)]
        .join("; ");
    }
    if (data && Array.isArray(data.detail)) {
      return data.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
    }
    return `${status} ${text.slice(0, 200)}`;
  }

  // -- building the page (text only) -----------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function fill(id, rows, empty, columns) {
    const target = $(id);
    if (!target) return;
    target.replaceChildren(...(rows.length ? rows : [
      el("tr", {class: "empty"}, el("td", {colspan: columns}, empty))]));
  }

  function setStatus(text, state) {
    const status = $("status");
    status.textContent = text;
    status.dataset.state = state;
  }

  function money(cents, currency) {
    return `${currency || "EUR"} ${(cents / 100).toFixed(2)}`;
  }

  function when(value) {
    return value ? String(value).replace("T", " ").replace(/\.\d+Z$/, "Z") : "-";
  }

  // Every control runs through here: say what is going on, show the outcome, read the world again.
  async function act(label, action) {
    setStatus(label + "...", "busy");
    body.dataset.busy = "1";
    try {
      const result = await action();
      await refresh();
      setStatus(label + ": done", "ok");
      return result;
    } catch (error) {
      setStatus(label + " failed: " + error.message, "error");
      await refresh().catch(() => {});
      return undefined;
    } finally {
      delete body.dataset.busy;
    }
  }

  // -- the panels ------------------------------------------------------------------------------

  async function showWorld() {
    const health = await call("GET", "/health");
    $("scenario-name").textContent = health.scenario || "default world";
    const picker = $("scenario-picker");
    if (health.scenario && !picker.dataset.touched) picker.value = health.scenario;
    $("tenant-count").textContent = health.tenants;
  }

  async function showScenarios() {
    const library = await call("GET", "/scenarios");
    $("scenario-picker").replaceChildren(...library.map((s) =>
      el("option", {value: s.name, title: s.description}, s.name)));
  }

  async function showClock(clock) {
    clock = clock || await call("GET", "/clock");
    $("clock-now").textContent = when(clock.now);
    $("clock-mode").textContent = clock.mode;
    if (!$("clock-set").value) $("clock-set").value = clock.now.replace(/\.\d+Z$/, "Z");
  }

  function copyButton(token) {
    return el("button", {type: "button", class: "small secondary", "data-copy": token,
                         onclick: () => copy(token)}, "Copy");
  }

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {  // no clipboard API off a secure context: the old way
      const area = el("textarea", {class: "offscreen"}, text);
      body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    setStatus(`Copied ${text}`, "ok");
  }

  async function showTenants() {
    const tenants = await call("GET", "/tenants");
    fill("tenant-rows", tenants.map((t) => el("tr", {dataset: {tenant: t.id}},
      el("td", {}, t.key || "-"), el("td", {}, t.company_name || "(no profile)"),
      el("td", {}, el("code", {}, t.id)),
      el("td", {}, t.tokens.length ? t.tokens.map((token) => el("span", {class: "token"},
        el("code", {}, token), " ", copyButton(token))) : "-"),
      el("td", {}, t.invoice_count),
      el("td", {}, el("button", {type: "button", class: "small", onclick: () => openTenant(t.id)},
                      "Show")))), "No tenants", 6);
  }

  async function openTenant(tenantId) {
    selectedTenant = tenantId;
    await showTenant();
    $("tenant").scrollIntoView({block: "start"});
  }

  function documentLink(tenantId, invoice, format) {
    const path = `/tenants/${encodeURIComponent(tenantId)}/invoices/` +
      `${encodeURIComponent(invoice.id)}/document?format=${encodeURIComponent(format)}`;
    return el("a", {href: BASE + "/_mock" + path, target: "_blank", rel: "noopener",
                    class: "doc", "data-format": format, onclick: (event) => {
      if (!adminToken) return;  // a plain link; with an admin token, fetch it with the token
      event.preventDefault();
      openDocument(path);
    }}, format);
  }

  async function openDocument(path) {
    const response = await fetch(BASE + "/_mock" + path, {headers: headers(false)});
    if (!response.ok) { setStatus(`Document: ${response.status}`, "error"); return; }
    window.open(URL.createObjectURL(await response.blob()), "_blank", "noopener");
  }

  async function showTenant() {
    const panel = $("tenant");
    if (!selectedTenant) { panel.hidden = true; return; }
    let tenant;
    try {
      tenant = await call("GET", `/tenants/${encodeURIComponent(selectedTenant)}`);
    } catch (error) {
      if (error.status !== 404) throw error;
      selectedTenant = null;  // gone with a reset or another world
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    panel.dataset.tenant = tenant.id;
    $("tenant-title").textContent = `${tenant.key || ""} ${tenant.profile ?
      tenant.profile.company_name : "(no profile)"} (${tenant.id})`;
    fill("invoice-rows", tenant.invoices.map((i) => el("tr", {dataset: {invoice: i.id}},
      el("td", {}, i.number || "-", i.document_type === "credit_note" ? " (credit note)" : ""),
      el("td", {}, el("span", {class: `state ${i.status}`}, i.status)),
      el("td", {class: "num"}, money(i.total_cents, i.currency)),
      el("td", {}, i.due_date || "-"), el("td", {}, i.issue_date || "-"),
      el("td", {}, i.formats.map((f) => [documentLink(tenant.id, i, f), " "])))),
    "No invoices", 6);
    fill("method-rows", tenant.payment_methods.map((m) => el("tr", {dataset: {method: m.id}},
      el("td", {}, m.provider_slug), el("td", {}, m.method_type),
      el("td", {}, [m.brand, m.last4 && `**** ${m.last4}`,
                    m.iban_last4 && `IBAN **** ${m.iban_last4}`, m.bank_name, m.wallet]
        .filter(Boolean).join(" ") || "-"),
      el("td", {}, m.is_default ? "default" : ""),
      el("td", {}, m.fails_charges ? "fail" : "succeed"))), "No payment methods", 5);
  }

  async function showOutbox() {
    const messages = await call("GET", "/outbox");
    fill("outbox-rows", messages.map((m) => el("tr", {dataset: {message: m.id}},
      el("td", {}, when(m.sent_at)), el("td", {}, m.to), el("td", {}, m.subject),
      el("td", {}, (m.attachments || []).map((a) => el("div", {class: "attachment"},
        attachmentLink(m, a), ` ${a.content_type}, ${a.size} bytes`))))), "No mail sent", 4);
  }

  function attachmentLink(message, attachment) {
    const format = attachment.format;
    if (!format || !message.tenant_id) return attachment.filename;
    const link = documentLink(message.tenant_id, {id: message.invoice_id}, format);
    link.textContent = attachment.filename;
    return link;
  }

  async function showJournal() {
    const query = new URLSearchParams({limit: "50"});
    const operation = $("journal-operation").value;
    const status = $("journal-status").value.trim();
    if (operation) query.set("operation_id", operation);
    if (status) query.set("status", status);
    const entries = await call("GET", "/journal?" + query);
    fill("journal-rows", entries.map((e) => el("tr", {dataset: {status: e.status}},
      el("td", {}, when(e.at)),
      el("td", {}, el("code", {}, `${e.method} ${e.path}${e.query ? "?" + e.query : ""}`)),
      el("td", {class: e.status >= 400 ? "bad" : "good"}, e.status),
      el("td", {}, e.operation_id || "-"), el("td", {}, e.tenant_id || "-"),
      el("td", {class: "num"}, e.duration_ms))), "No requests", 6);
  }

  async function showSnapshots() {
    const snapshots = await call("GET", "/snapshots");
    fill("snapshot-rows", snapshots.map((s) => el("tr", {dataset: {snapshot: s.id}},
      el("td", {}, el("code", {}, s.id)), el("td", {}, when(s.taken_at)),
      el("td", {}, el("button", {type: "button", class: "small", onclick: () =>
        act(`Restore ${s.id}`, () => call("POST", "/restore", {id: s.id}))}, "Restore")))),
    "No snapshots", 3);
  }

  async function showOutcomes() {
    const providers = await call("GET", "/outcomes");
    outcomeChoices = Object.fromEntries(providers.map((p) => [p.provider, p.outcomes]));
    const picker = $("outcome-provider");
    if (!picker.options.length) {
      picker.replaceChildren(...providers.map((p) =>
        el("option", {value: p.provider}, p.provider)));
      showOutcomeChoices();
    }
    $("outcome-list").replaceChildren(...providers.filter((p) => p.queued.length).map((p) =>
      el("li", {dataset: {provider: p.provider}}, `${p.provider}: ${p.queued.join(", then ")} `,
         el("button", {type: "button", class: "small secondary", onclick: () =>
           act(`Clear ${p.provider} outcomes`, () =>
             call("DELETE", `/outcomes?provider=${encodeURIComponent(p.provider)}`))}, "Clear"))));
  }

  function showOutcomeChoices() {
    const choices = outcomeChoices[$("outcome-provider").value] || [];
    $("outcome-value").replaceChildren(...choices.map((o) => el("option", {value: o}, o)));
  }

  async function showBehaviours() {
    const behaviours = await call("GET", "/behaviours");
    fill("behaviour-rows", behaviours.map((b) => el("tr", {dataset: {behaviour: b.id}},
      el("td", {}, el("code", {}, b.id)), el("td", {}, b.operation),
      el("td", {}, b.latency_ms ? `${b.latency_ms} ms` : "-"),
      el("td", {}, b.failure_rate === null ? "-" : b.failure_rate),
      el("td", {}, b.respond ? b.respond.status : (b.failure_rate === null ? "-" : 500)),
      el("td", {}, `${b.applied}${b.times ? " of " + b.times : ""}`),
      el("td", {}, el("button", {type: "button", class: "small secondary", onclick: () =>
        act(`Remove ${b.id}`, () => call("DELETE", `/behaviours/${encodeURIComponent(b.id)}`))},
        "Remove")))), "None: every operation answers at once", 7);
  }

  async function showRuns() {
    if (RUN || !$("runs")) return;
    const runs = await call("GET", "/runs", undefined, true);
    $("runs-max").textContent = runs.max_runs;
    $("runs-idle").textContent = runs.idle_seconds;
    fill("run-rows", runs.runs.map((r) => el("tr", {dataset: {run: r.id}},
      el("td", {}, el("a", {href: `/_runs/${encodeURIComponent(r.id)}/_mock/console`}, r.id)),
      el("td", {}, r.scenario || "default world"), el("td", {}, when(r.now)),
      el("td", {}, r.tenants), el("td", {}, r.journal_entries), el("td", {}, r.idle_seconds),
      el("td", {}, el("button", {type: "button", class: "small danger", onclick: () =>
        act(`Delete run ${r.id}`, () =>
          call("DELETE", `/runs/${encodeURIComponent(r.id)}`, undefined, true))}, "Delete")))),
    "No runs yet", 7);
  }

  async function refresh() {
    await Promise.all([showWorld(), showClock(), showTenants(), showTenant(), showOutbox(),
                       showJournal(), showSnapshots(), showOutcomes(), showBehaviours(),
                       showRuns()]);
  }

  // -- the controls ----------------------------------------------------------------------------

  function number(id, integer) {
    const text = $(id).value.trim();
    if (!text) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      throw new Error(`${$(id).name} is not ${integer ? "a whole number" : "a number"}: ${text}`);
    }
    return value;
  }

  function wire() {
    $("scenario-picker").addEventListener("change", () => {
      $("scenario-picker").dataset.touched = "1";
    });
    $("scenario-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = $("scenario-picker").value;
      selectedTenant = null;
      act(`Load ${name}`, () => call("POST", "/scenario", {name}));
    });
    $("reset").addEventListener("click", () => act("Reset", () => call("POST", "/reset")));
    for (const button of document.querySelectorAll("[data-advance]")) {
      button.addEventListener("click", () => act(button.textContent, async () => {
        const clock = await call("POST", "/clock/advance", JSON.parse(button.dataset.advance));
        $("clock-events").textContent = `${clock.events.length} event(s) on the way`;
        $("clock-set").value = "";
      }));
    }
    $("clock-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const payload = {now: $("clock-set").value.trim()};
      if ($("clock-set-mode").value) payload.mode = $("clock-set-mode").value;
      act("Set clock", async () => {
        const clock = await call("POST", "/clock/set", payload);
        $("clock-events").textContent = `${clock.events.length} event(s) on the way`;
        $("clock-set").value = "";
      });
    });
    $("journal-form").addEventListener("submit", (event) => {
      event.preventDefault();
      act("Filter journal", showJournal);
    });
    $("journal-live").addEventListener("change", live);
    $("snapshot-save").addEventListener("click", () =>
      act("Save snapshot", () => call("POST", "/snapshot")));
    $("outcome-provider").addEventListener("change", showOutcomeChoices);
    $("outcome-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const payload = {provider: $("outcome-provider").value, outcome: $("outcome-value").value};
      act(`Queue ${payload.provider} ${payload.outcome}`, () => call("POST", "/outcomes", payload));
    });
    $("behaviour-form").addEventListener("submit", (event) => {
      event.preventDefault();
      act("Add behaviour", () => {
        const payload = {operation: $("behaviour-operation").value};
        const latency = number("behaviour-latency", true);
        const rate = number("behaviour-rate", false);
        const status = number("behaviour-status", true);
        const times = number("behaviour-times", true);
        if (latency !== undefined) payload.latency_ms = latency;
        if (rate !== undefined) payload.failure_rate = rate;
        if (status !== undefined) payload.respond = {status};
        if (times !== undefined) payload.times = times;
        return call("POST", "/behaviours", payload);
      });
    });
    $("behaviour-clear").addEventListener("click", () =>
      act("Remove all behaviours", () => call("DELETE", "/behaviours")));
    const runForm = $("run-form");
    if (runForm) {
      runForm.addEventListener("submit", (event) => {
        event.preventDefault();
        const id = $("run-id").value.trim();
        act(`Create run ${id || "(new id)"}`, () =>
          call("POST", "/runs", id ? {id} : {}, true));
      });
    }
    $("admin-save").addEventListener("click", () => {
      adminToken = $("admin-token").value;
      sessionStorage.setItem(TOKEN_KEY, adminToken);
      act("Admin token", async () => {});
    });
  }

  function live() {
    clearInterval(journalTimer);
    journalTimer = null;
    if (!$("journal-live").checked) return;
    journalTimer = setInterval(() => {
      if (document.hidden || body.dataset.busy) return;
      Promise.all([showJournal(), showClock()]).catch((error) =>
        setStatus("Journal: " + error.message, "error"));
    }, LIVE_MS);
  }

  async function start() {
    wire();
    try {
      await Promise.all([showScenarios(), refresh()]);
      setStatus("Ready", "ok");
    } catch (error) {
      setStatus(error.status === 401 ? "This server needs its admin token (above)" :
        "Could not read the world: " + error.message, "error");
      if (error.status === 401) $("admin").hidden = false;
    }
    live();
    body.dataset.ready = "1";
  }

  start();
})();
