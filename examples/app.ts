// The sessionkit example app: log in (demo users, optional "remember me"), a dashboard, a "your
// devices" page with revoke buttons (each asks for confirmation) and "sign out everywhere else",
// behind a step-up check (the password must have been confirmed in the last 10 minutes; the login
// counts), a password confirmation that re-authenticates and regenerates the session, and logout. A small Hono app over the ./hono
// adapter. Whatever a client sends is answered with a page or a 4xx, never a 500; every response
// is `Cache-Control: no-store`; a dead session lands on the login page with the reason.
//
//   npm ci && npm run example      (runs this file with the Deno binary from node_modules)
//   deno task example
//
// Then open http://localhost:8787 (PORT changes the port). Sessions live in memory; set REDIS_URL
// (e.g. redis://127.0.0.1:6379) to keep them in Redis instead.
//
// The cookie is `__Host-session` with `Secure; HttpOnly; SameSite=Strict`, even on plain HTTP:
// browsers treat http://localhost as a secure context and accept Secure cookies from it (Chromium
// and Firefox do; Safari does not — use Chromium or Firefox, or put the app behind HTTPS). Open
// the app as http://localhost:PORT, not through a LAN address, or the browser drops the cookie.

import { Hono } from "hono";
import { checkOrigin, replaceSetCookie } from "../src/web/http.ts";
import { MAX_COOKIE_AGE_SECONDS, serializeCookie } from "../src/web/cookie.ts";
import { getCookie } from "../src/web/cookie_parse.ts";
import { SessionError } from "../src/core/errors.ts";
import { SessionManager } from "../src/manager/manager.ts";
import type { SessionInfo } from "../src/manager/types.ts";
import { MemoryStore } from "../src/stores/memory_store.ts";
import type { SessionStore } from "../src/model/store.ts";
import {
  login,
  logout,
  reauthenticate,
  requireRecentAuthentication,
  type SessionEnv,
  sessionMiddleware,
} from "../src/adapters/hono.ts";
import type { Clock } from "../src/core/clock.ts";
import { deviceLabel } from "./_device.ts";
import { END_MESSAGES, EndedSessions, type EndReason } from "./_ended.ts";
import { readForm } from "./_form.ts";
import { type Html, html, page } from "./_html.ts";
import { env, remoteAddress, serve } from "./_runtime.ts";
import { checkPassword, DEMO_USERS, type DemoUser, findUser } from "./_users.ts";

export { serve } from "./_runtime.ts";

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** The session manager (its store decides where sessions live). */
  readonly manager: SessionManager;
  /** The accounts that can log in. @default DEMO_USERS */
  readonly users?: readonly DemoUser[];
  /** Origins besides the request's own allowed to POST (e.g. the public origin behind a proxy). */
  readonly allowedOrigins?: readonly string[];
}

/** The session cookie (the adapter's default name and attributes). */
const COOKIE = "__Host-session";
/** Session ids as sessionkit's stores issue them; anything else in a URL is not a device. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

// Each manager made by createManager, with the record of why its sessions ended.
const endings = new WeakMap<SessionManager, EndedSessions>();

/** How recent a password proof the devices page asks for (the login counts as one). */
export const CONFIRM_MAX_AGE_MS = 10 * 60_000;

/**
 * The example's session manager: 1 hour idle, 30 days absolute, at most 3 devices per user.
 * `clock` is for tests (the store must share it).
 */
export function createManager(
  store: SessionStore = new MemoryStore(),
  clock?: Clock,
): SessionManager {
  const ended = new EndedSessions();
  const manager = new SessionManager({
    store,
    ...(clock === undefined ? {} : { clock }),
    limit: { maxSessions: 3, onLimit: "evict-oldest" },
    logKey: ended.logKey,
    onEvent: ended.listener,
  });
  endings.set(manager, ended);
  return manager;
}

function status(code: 400 | 404 | 413 | 415, text: string): Response {
  return new Response(page(`${code}`, html`<p id="client-error">${text}</p>`), {
    status: code,
    headers: { "content-type": "text/html; charset=UTF-8" },
  });
}

const FORM_ERRORS = {
  400: "The form could not be read.",
  413: "The form is too large.",
  415: "Send the form as application/x-www-form-urlencoded or multipart/form-data.",
} as const;

function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 10) return "just now";
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.round(s / 60)} minutes ago`;
  return `${Math.round(s / 3600)} hours ago`;
}

function nav(user: DemoUser): Html {
  return html`
    <nav>
      <a href="/dashboard">Dashboard</a>
      <a href="/devices">Your devices</a>
      <span>Signed in as <strong id="user">${user.id}</strong></span>
      <form method="post" action="/logout"><button id="logout">Log out</button></form>
    </nav>
  `;
}

function loginPage(users: readonly DemoUser[], error?: string, ended?: EndReason): string {
  return page(
    "Log in",
    html`
      ${ended === undefined ? "" : html`<p class="flash" id="ended">${END_MESSAGES[ended]}</p>`}
      ${error === undefined ? "" : html`<p class="error" id="error">${error}</p>`}
      <form method="post" action="/login">
        <p><label>User <input name="username" autocomplete="username" required></label></p>
        <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
        <p><label><input type="checkbox" name="remember" value="1" id="remember"> Remember me on this device</label></p>
        <p><button id="login">Log in</button></p>
      </form>
      <p
        class="note">Demo accounts: ${users.map((u, i) =>
          html`${i > 0 ? ", " : ""}<code>${u.id}</code> / <code>${u.password}</code>`
        )}. Log in from a 4th browser and the oldest session is signed out (limit: 3 devices).</p>
    `,
  );
}

function deviceRow(row: SessionInfo, now: number): Html {
  const label = row.device.label ?? deviceLabel(row.device.userAgent);
  return html`
    <tr data-session="${row.id}">
      <td>${label}${row.current
        ? html`
          <strong class="current">(this device)</strong>
        `
        : ""}</td>
      <td>${row.device.ip ?? "unknown"}</td>
      <td>${ago(row.lastActiveAt, now)}</td>
      <td>${row.current ? "" : html`
        <form method="get"
          action="/devices/${row.id}/revoke"><button class="revoke">Revoke</button></form>
      `}</td>
    </tr>
  `;
}

/** Builds the example app over a session manager. */
export function createApp(options: AppOptions): Hono<SessionEnv> {
  const { manager, users = DEMO_USERS } = options;
  const allowedOrigins = options.allowedOrigins ?? [];
  const ended = endings.get(manager);
  const app = new Hono<SessionEnv>();

  // Outermost: no cache keeps a page of a signed-in user, and a "remember me" session's cookie
  // (re)issued by this response persists, but never past the session's absolute lifetime.
  app.use(async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    const session = c.get("session");
    if (session?.data.remember !== true) return;
    const headers = new Headers();
    for (const value of c.res.headers.getSetCookie()) headers.append("set-cookie", value);
    const issued = headers.getSetCookie().find((v) => v.startsWith(`${COOKIE}=`));
    const credential = issued?.slice(COOKIE.length + 1).split(";")[0] ?? "";
    const maxAge = Math.min(
      Math.floor((session.absoluteExpiresAt - Date.now()) / 1000),
      MAX_COOKIE_AGE_SECONDS,
    );
    if (credential === "" || maxAge <= 0) return;
    replaceSetCookie(headers, serializeCookie(COOKIE, credential, { maxAge }));
    c.header("set-cookie", undefined);
    for (const value of headers.getSetCookie()) c.header("set-cookie", value, { append: true });
  });

  // Refuse cross-site state changes before touching any session (SameSite=Strict already keeps
  // the cookie off them; this is the second layer).
  app.use(async (c, next) => {
    const verdict = checkOrigin(c.req.raw, { allowedOrigins });
    if (!verdict.ok) {
      return c.html(
        page("Refused", html`<p id="refused">Cross-site request refused (${verdict.reason}).</p>`),
        403,
      );
    }
    await next();
    return undefined;
  });
  app.use(sessionMiddleware(manager, { ip: (c) => remoteAddress(c.env) }));

  // A server fault is logged and answered 500 (503 when the store is down);
  // client mistakes never get here: they are answered 4xx where they are found.
  app.onError((error, c) => {
    if (error instanceof SessionError && error.code === "store-unavailable") {
      return c.text("Service Unavailable", 503, { "retry-after": "1" });
    }
    console.error("example app: internal error:", error);
    return c.text("Internal Server Error", 500);
  });
  app.notFound(() => status(404, "Not found."));

  const signedIn = (session: { userId: string | null } | null): DemoUser | null =>
    findUser(users, session?.userId ?? null);

  // Where a visitor without a valid session goes: the login page, saying why when the request
  // still carried a session cookie that no longer works (the middleware has just deleted it).
  const toLogin = (request: Request): Response => {
    const presented = getCookie(request.headers.get("cookie"), COOKIE);
    const reason = presented === undefined ? undefined : ended?.why(presented) ?? "expired";
    const location = reason === undefined ? "/login" : `/login?ended=${reason}`;
    return new Response(null, { status: 303, headers: { location } });
  };

  app.get(
    "/",
    (c) => signedIn(c.get("session")) ? c.redirect("/dashboard", 303) : toLogin(c.req.raw),
  );

  app.get("/login", (c) => {
    if (signedIn(c.get("session"))) return c.redirect("/dashboard", 303);
    const why = c.req.query("ended");
    const reason = why !== undefined && Object.hasOwn(END_MESSAGES, why)
      ? why as EndReason
      : undefined;
    return c.html(loginPage(users, undefined, reason));
  });

  app.post("/login", async (c) => {
    const form = await readForm(c.req.raw);
    if (!form.ok) return status(form.status, FORM_ERRORS[form.status]);
    const user = await checkPassword(users, form.field("username"), form.field("password"));
    if (user === null) return c.html(loginPage(users, "Wrong user or password."), 401);
    const userAgent = c.req.header("user-agent")?.slice(0, 512);
    const ip = remoteAddress(c.env);
    await login(c, user.id, {
      ...(form.field("remember") === "1" ? { data: { remember: true } } : {}),
      device: {
        label: deviceLabel(userAgent),
        ...(userAgent === undefined ? {} : { userAgent }),
        ...(ip === undefined ? {} : { ip }),
      },
    });
    return c.redirect("/dashboard", 303);
  });

  app.get("/dashboard", (c) => {
    const session = c.get("session");
    const user = signedIn(session);
    if (user === null || session === null) return toLogin(c.req.raw);
    const confirmed = c.req.query("confirmed") === "1";
    return c.html(page(
      "Dashboard",
      html`
        ${nav(user)}
        <p>Welcome, ${user.name}.</p>
        ${confirmed
          ? html`<p class="flash" id="confirmed">Password confirmed: your session was regenerated.</p>`
          : ""}
        <p>Session started ${ago(
          session.createdAt,
          Date.now(),
        )}; it ends after an hour without activity.</p>
        <h2>Confirm your password</h2>
        <p class="note">Sensitive actions ask for the password again; the session gets a new credential.</p>
        <form method="post" action="/confirm-password">
          <input name="password" type="password" autocomplete="current-password" required>
          <button id="confirm">Confirm</button>
        </form>
      `,
    ));
  });

  // Step-up: the devices pages need a password proof younger than CONFIRM_MAX_AGE_MS; an older
  // one leads to the confirmation page, which comes back to the devices page.
  const recentProof = requireRecentAuthentication<SessionEnv>(CONFIRM_MAX_AGE_MS, {
    onRequired: (c) => c.redirect("/confirm-password?next=devices", 303),
  });
  for (const path of ["/devices", "/devices/*"]) {
    app.use(path, async (c, next) => {
      if (signedIn(c.get("session")) === null) return toLogin(c.req.raw);
      return await recentProof(c, next);
    });
  }

  app.get("/confirm-password", (c) => {
    const user = signedIn(c.get("session"));
    if (user === null) return toLogin(c.req.raw);
    return c.html(page(
      "Confirm your password",
      html`
        ${nav(user)}
        <p id="confirm-needed">The devices page needs your password again (it has been more than
          ${CONFIRM_MAX_AGE_MS / 60_000} minutes).</p>
        <form method="post" action="/confirm-password">
          <input type="hidden" name="next" value="devices">
          <input name="password" type="password" autocomplete="current-password" required>
          <button id="confirm">Confirm</button>
        </form>
      `,
    ));
  });

  app.post("/confirm-password", async (c) => {
    const user = signedIn(c.get("session"));
    if (user === null) return toLogin(c.req.raw);
    const form = await readForm(c.req.raw);
    if (!form.ok) return status(form.status, FORM_ERRORS[form.status]);
    if (await checkPassword([user], user.id, form.field("password")) === null) {
      return c.html(page("Dashboard", html`${nav(user)}<p class="error">Wrong password.</p>`), 401);
    }
    // Records the proof (authenticatedAt) and regenerates the session's credential.
    await reauthenticate(c);
    return c.redirect(
      form.field("next") === "devices" ? "/devices" : "/dashboard?confirmed=1",
      303,
    );
  });

  app.get("/devices", async (c) => {
    const session = c.get("session");
    const user = signedIn(session);
    if (user === null || session === null) return toLogin(c.req.raw);
    const rows = await manager.listSessions(user.id, { currentSessionId: session.id });
    const now = Date.now();
    return c.html(page(
      "Your devices",
      html`
        ${nav(user)}
        <table id="devices">
          <thead>
            <tr>
              <th>Device</th>
              <th>IP</th>
              <th>Last active</th>
              <th></th>
            </tr>
          </thead>
          <tbody>${rows.map((row) => deviceRow(row, now))}</tbody>
        </table>
        ${rows.length > 1
          ? html`
            <form method="post" action="/devices/revoke-others">
              <p><button id="revoke-others">Sign out everywhere else</button></p>
            </form>
          `
          : html`<p class="note" id="only-device">This is your only signed-in device.</p>`}
      `,
    ));
  });

  // The Revoke button asks first: a page naming the device, with the button that does it.
  app.get("/devices/:id/revoke", async (c) => {
    const session = c.get("session");
    const user = signedIn(session);
    if (user === null || session === null) return toLogin(c.req.raw);
    const id = c.req.param("id");
    const rows = SESSION_ID.test(id) ? await manager.listSessions(user.id) : [];
    const row = rows.find((r) => r.id === id && r.id !== session.id);
    if (row === undefined) return status(404, "No such device.");
    const label = row.device.label ?? deviceLabel(row.device.userAgent);
    return c.html(page(
      "Sign out a device?",
      html`
        ${nav(user)}
        <p>Sign out <strong id="revoke-label">${label}</strong> (${row.device.ip ??
          "unknown IP"}, active ${ago(
            row.lastActiveAt,
            Date.now(),
          )})? It will have to log in again.</p>
        <form method="post" action="/devices/${row.id}/revoke">
          <button id="confirm-revoke">Sign it out</button>
          <a href="/devices">Cancel</a>
        </form>
      `,
    ));
  });

  app.post("/devices/revoke-others", async (c) => {
    const session = c.get("session");
    const user = signedIn(session);
    if (user === null || session === null) return toLogin(c.req.raw);
    await manager.revokeAllSessions(user.id, { exceptSessionId: session.id });
    return c.redirect("/devices", 303);
  });

  app.post("/devices/:id/revoke", async (c) => {
    const user = signedIn(c.get("session"));
    if (user === null) return toLogin(c.req.raw);
    const id = c.req.param("id");
    if (!SESSION_ID.test(id)) return status(404, "No such device.");
    await manager.revokeSession(user.id, id);
    return c.redirect("/devices", 303);
  });

  app.post("/logout", async (c) => {
    await logout(c);
    return c.redirect("/login", 303);
  });

  return app;
}

async function storeFromEnv(): Promise<{ store: SessionStore; name: string }> {
  const url = env("REDIS_URL");
  if (url === undefined || url === "") return { store: new MemoryStore(), name: "memory" };
  const [{ Redis }, { RedisStore }] = await Promise.all([
    import("ioredis"),
    import("../src/stores/redis.ts"),
  ]);
  return {
    store: new RedisStore(new Redis(url), { prefix: "sessionkit-example:" }),
    name: "Redis",
  };
}

async function main(): Promise<void> {
  const port = Number(env("PORT") ?? "8787");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError("Bad PORT");
  const { store, name } = await storeFromEnv();
  const app = createApp({ manager: createManager(store) });
  const server = await serve(app.fetch, { port, hostname: "localhost" });
  console.log(`sessionkit example on http://localhost:${server.port} (sessions in ${name})`);
}

if ((import.meta as { main?: boolean }).main === true) await main();
