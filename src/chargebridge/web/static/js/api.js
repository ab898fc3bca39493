// The dashboard is an ordinary API client: every call goes to /api/v1 with the bearer token.
const TOKEN_KEY = "chargebridge.token";
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
    this.detail = detail;
  }
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called with no argument when the API refuses the token (401). */
export function onUnauthorized(callback) {
  listeners.add(callback);
}

function unauthorized() {
  for (const callback of listeners) callback();
}

export async function api(path, { method = "GET", body, query } = {}) {
  let url = `/api/v1${path}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  const headers = { Authorization: `Bearer ${getToken() || ""}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  if (response.status === 401) {
    unauthorized();
    throw new ApiError(401, "the token was not accepted");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data && data.detail !== undefined ? data.detail : response.statusText);
  return data;
}

/**
 * Download a server-side export (e.g. /exports/transactions.csv) with the token in the header,
 * then hand it to the browser as a file.
 */
export async function download(path, query, filename) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const url = `/api/v1${path}${params.toString() ? `?${params}` : ""}`;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${getToken() || ""}` }, cache: "no-store" });
  if (response.status === 401) {
    unauthorized();
    throw new ApiError(401, "the token was not accepted");
  }
  if (!response.ok) throw new ApiError(response.status, response.statusText);
  const blobUrl = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = blobUrl;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(blobUrl), 1000);
}

/**
 * Live events over Server-Sent Events, read with fetch() so the token travels in the
 * Authorization header (EventSource cannot set headers). Reconnects with capped exponential
 * back-off plus jitter; a stream silent for longer than `staleMs` is treated as dead (the
 * server sends a `fleet.power` tick every 2 s). `onEvent(type, data)` gets every event and
 * `open` with `{reconnect}` each time the stream (re)connects, so views can refetch what they
 * may have missed. Returns a function that closes the stream.
 */
export function openStream(params, onEvent, onState = () => {}, { staleMs = 10000 } = {}) {
  let stopped = false;
  let controller = null;
  let attempt = 0;
  let connectedOnce = false;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) if (value) query.set(key, value);

  const dispatch = (block) => {
    let type = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") type = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return;
    let parsed;
    try {
      parsed = JSON.parse(data.join("\n"));
    } catch {
      return;
    }
    onEvent(type, parsed);
  };

  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      let watchdog = null;
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), staleMs);
      };
      try {
        onState(connectedOnce ? "reconnecting" : "connecting");
        arm();
        const response = await fetch(`/api/v1/events/stream?${query}`, {
          headers: { Authorization: `Bearer ${getToken() || ""}`, Accept: "text/event-stream" },
          signal: controller.signal,
          cache: "no-store",
        });
        if (response.status === 401) {
          clearTimeout(watchdog);
          unauthorized();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        attempt = 0;
        onState("live");
        onEvent("open", { reconnect: connectedOnce });
        connectedOnce = true;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          arm();
          buffer += value.replace(/\r\n?/g, "\n");
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            dispatch(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
          }
        }
      } catch {
        // network error, abort by the watchdog, or close(): decided below
      } finally {
        clearTimeout(watchdog);
      }
      if (stopped) return;
      onState("reconnecting");
      attempt += 1;
      const delay = Math.min(15000, 500 * 2 ** Math.min(attempt, 5)) + Math.random() * 500;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
  run();
  return () => {
    stopped = true;
    if (controller) controller.abort();
    onState("idle");
  };
}
