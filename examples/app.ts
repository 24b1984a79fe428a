// The sessionkit example app: log in (demo users), a dashboard, a "your devices" page with revoke
// buttons and "sign out everywhere else", a password confirmation that regenerates the session,
// and logout. A small Hono app over the ./hono adapter.
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
import { checkOrigin } from "../src/web/http.ts";
import { SessionManager } from "../src/manager/manager.ts";
import type { SessionInfo } from "../src/manager/types.ts";
import { MemoryStore } from "../src/stores/memory_store.ts";
import type { SessionStore } from "../src/model/store.ts";
import {
  login,
  logout,
  regenerate,
  type SessionEnv,
  sessionMiddleware,
} from "../src/adapters/hono.ts";
import { deviceLabel } from "./_device.ts";
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

/** The example's session manager: 1 hour idle, 30 days absolute, at most 3 devices per user. */
export function createManager(store: SessionStore = new MemoryStore()): SessionManager {
  return new SessionManager({ store, limit: { maxSessions: 3, onLimit: "evict-oldest" } });
}

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

function loginPage(users: readonly DemoUser[], error?: string): string {
  return page(
    "Log in",
    html`
      ${error === undefined ? "" : html`<p class="error" id="error">${error}</p>`}
      <form method="post" action="/login">
        <p><label>User <input name="username" autocomplete="username" required></label></p>
        <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
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
        <form method="post"
          action="/devices/${row.id}/revoke"><button class="revoke">Revoke</button></form>
      `}</td>
    </tr>
  `;
}

/** Builds the example app over a session manager. */
export function createApp(options: AppOptions): Hono<SessionEnv> {
  const { manager, users = DEMO_USERS } = options;
  const allowedOrigins = options.allowedOrigins ?? [];
  const app = new Hono<SessionEnv>();

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

  const signedIn = (session: { userId: string | null } | null): DemoUser | null =>
    findUser(users, session?.userId ?? null);

  app.get("/", (c) => c.redirect(signedIn(c.get("session")) ? "/dashboard" : "/login", 303));

  app.get("/login", (c) => {
    if (signedIn(c.get("session"))) return c.redirect("/dashboard", 303);
    return c.html(loginPage(users));
  });

  app.post("/login", async (c) => {
    const form = await c.req.formData();
    const user = await checkPassword(
      users,
      String(form.get("username") ?? ""),
      String(form.get("password") ?? ""),
    );
    if (user === null) return c.html(loginPage(users, "Wrong user or password."), 401);
    const userAgent = c.req.header("user-agent")?.slice(0, 512);
    const ip = remoteAddress(c.env);
    await login(c, user.id, {
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
    if (user === null || session === null) return c.redirect("/login", 303);
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

  app.post("/confirm-password", async (c) => {
    const user = signedIn(c.get("session"));
    if (user === null) return c.redirect("/login", 303);
    const form = await c.req.formData();
    if (await checkPassword([user], user.id, String(form.get("password") ?? "")) === null) {
      return c.html(page("Dashboard", html`${nav(user)}<p class="error">Wrong password.</p>`), 401);
    }
    await regenerate(c);
    return c.redirect("/dashboard?confirmed=1", 303);
  });

  app.get("/devices", async (c) => {
    const session = c.get("session");
    const user = signedIn(session);
    if (user === null || session === null) return c.redirect("/login", 303);
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
        <form method="post" action="/devices/revoke-others">
          <p><button id="revoke-others">Sign out everywhere else</button></p>
        </form>
      `,
    ));
  });

  app.post("/devices/revoke-others", async (c) => {
    const session = c.get("session");
    const user = signedIn(session);
    if (user === null || session === null) return c.redirect("/login", 303);
    await manager.revokeAllSessions(user.id, { exceptSessionId: session.id });
    return c.redirect("/devices", 303);
  });

  app.post("/devices/:id/revoke", async (c) => {
    const user = signedIn(c.get("session"));
    if (user === null) return c.redirect("/login", 303);
    await manager.revokeSession(user.id, c.req.param("id"));
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
