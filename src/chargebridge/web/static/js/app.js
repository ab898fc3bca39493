// Entry point: login, who-am-I, hash routing between the views, live indicator.
import { api, getToken, onUnauthorized, openStream, setToken } from "./api.js";
import { clear, errorText, h } from "./dom.js";
import * as matrix from "./views/matrix.js";
import * as overview from "./views/overview.js";
import * as sessions from "./views/sessions.js";
import * as sites from "./views/sites.js";
import * as station from "./views/station.js";
import * as stations from "./views/stations.js";

const main = document.getElementById("main");
const login = document.getElementById("login");
const topbar = document.getElementById("topbar");
const liveEl = document.getElementById("live");
const LIVE_TEXT = { live: "live", connecting: "connecting…", reconnecting: "reconnecting…", idle: "offline" };

let me = null;
let cleanup = null;

function setLive(state) {
  liveEl.dataset.state = state;
  liveEl.textContent = LIVE_TEXT[state] || state;
}

/** What views get: who is signed in and a way to open the live stream. */
const context = {
  get me() {
    return me;
  },
  get canOperate() {
    return me && (me.role === "operator" || me.role === "admin");
  },
  stream(params, onEvent) {
    return openStream(params, onEvent, setLive);
  },
};

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, search = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(search) };
}

function route() {
  const { parts, query } = parseHash();
  const page = parts[0] || "overview";
  if (page === "stations" && parts[1]) return { name: "stations", view: station, args: { id: parts[1], query } };
  if (page === "stations") return { name: "stations", view: stations, args: { query } };
  if (page === "sessions") return { name: "sessions", view: sessions, args: { station: parts[1], tx: parts[2], query } };
  if (page === "sites") return { name: "sites", view: sites, args: { id: parts[1], query } };
  if (page === "matrix") return { name: "matrix", view: matrix, args: { query } };
  return { name: "overview", view: overview, args: { query } };
}

async function render() {
  if (!me) return;
  if (cleanup) {
    try {
      cleanup();
    } catch (err) {
      console.error(err);
    }
    cleanup = null;
  }
  const current = route();
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === current.name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  clear(main);
  main.dataset.view = current.view.NAME;
  try {
    cleanup = (await current.view.render(main, current.args, context)) || null;
  } catch (err) {
    clear(main, h("div", { class: "card", role: "alert" }, h("h1", {}, "Could not load this page"), h("p", {}, errorText(err))));
  }
}

function showLogin(message = "") {
  me = null;
  if (cleanup) cleanup();
  cleanup = null;
  setLive("idle");
  topbar.hidden = true;
  main.hidden = true;
  login.hidden = false;
  document.getElementById("login-error").textContent = message;
  document.getElementById("token").focus();
}

async function signIn() {
  try {
    me = await api("/me");
  } catch (err) {
    setToken(null);
    showLogin(err.status === 401 ? "That token was not accepted." : `Could not reach the API: ${errorText(err)}`);
    return;
  }
  document.getElementById("whoami").textContent = `${me.name || me.token_id} · ${me.role}`;
  document.body.dataset.role = me.role;
  login.hidden = true;
  topbar.hidden = false;
  main.hidden = false;
  await render();
}

document.getElementById("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("token");
  const token = input.value.trim();
  if (!token) return;
  setToken(token);
  input.value = "";
  signIn();
});

document.getElementById("logout").addEventListener("click", () => {
  setToken(null);
  showLogin();
});

onUnauthorized(() => {
  if (!me) return;
  setToken(null);
  showLogin("Your token is no longer accepted; please sign in again.");
});

// The skip link must not touch the hash (the router owns it): it only moves focus.
document.querySelector(".skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  (main.hidden ? document.getElementById("token") : main).focus();
});

window.addEventListener("hashchange", () => {
  render().then(() => main.focus({ preventScroll: true }));
});

if (getToken()) signIn();
else showLogin();
