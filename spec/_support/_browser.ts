// Test helpers for the browser suite: Debian's Chromium driven by playwright-core, and the example
// app started in-process on a free loopback port.

import { existsSync } from "node:fs";
import process from "node:process";
import * as nodeTest from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { createApp, createManager, serve } from "../../examples/app.ts";
import type { FetchHandler, RunningServer } from "../../examples/_runtime.ts";
import type { SessionManager } from "../../src/manager/manager.ts";

/** Debian's Chromium (`apt-get install chromium`); `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM: string = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Whether the browser suite runs: without Chromium it is skipped with a loud message, except under
 * CI=true, where a missing browser is a failure.
 */
export function chromiumOrSkip(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message =
    `\n!!! SKIPPED browser tests: ${CHROMIUM} is missing (apt-get install -y chromium, or set CHROMIUM_PATH)\n`;
  if (process.env.CI === "true") throw new Error(`CI=true and ${message.trim()}`);
  console.warn(message);
  return false;
}

/** Launches headless Chromium. */
export async function launchChromium(): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
}

// node:test names the suite hooks before/after, vitest (aliased for node:test) beforeAll/afterAll.
const hooks = nodeTest as unknown as {
  before?: typeof nodeTest.before;
  after?: typeof nodeTest.after;
  beforeAll?: typeof nodeTest.before;
  afterAll?: typeof nodeTest.after;
};
/** Runs once before the suite's tests, under node:test, Deno and vitest. */
export const beforeAll: typeof nodeTest.before = (hooks.beforeAll ?? hooks.before)!;
/** Runs once after the suite's tests, under node:test, Deno and vitest. */
export const afterAll: typeof nodeTest.after = (hooks.afterAll ?? hooks.after)!;

/** A request as the app saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly cookie: string | null;
  readonly secFetchSite: string | null;
}

/** The example app on a free port, with a log of the requests it received. */
export interface RunningApp {
  readonly url: string;
  readonly manager: SessionManager;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts the example app (memory store) on 127.0.0.1; browse it as http://localhost:PORT. */
export async function startApp(): Promise<RunningApp> {
  const manager = createManager();
  const app = createApp({ manager });
  const seen: SeenRequest[] = [];
  const fetch: FetchHandler = (request, info) => {
    seen.push({
      method: request.method,
      path: new URL(request.url).pathname,
      cookie: request.headers.get("cookie"),
      secFetchSite: request.headers.get("sec-fetch-site"),
    });
    return app.fetch(request, info);
  };
  const server = await serve(fetch, { port: 0, hostname: "127.0.0.1" });
  return { url: `http://localhost:${server.port}`, manager, seen, close: () => server.close() };
}

/** Serves one static HTML page on 127.0.0.1 (a different site from localhost). */
export async function servePage(body: string): Promise<RunningServer & { url: string }> {
  const server = await serve(
    () => new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } }),
    { port: 0, hostname: "127.0.0.1" },
  );
  return { ...server, url: `http://127.0.0.1:${server.port}/`, close: () => server.close() };
}

/** Logs in through the login form and waits for the dashboard. */
export async function logIn(
  context: BrowserContext,
  app: RunningApp,
  user: { username: string; password: string },
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${app.url}/login`);
  await page.fill("input[name=username]", user.username);
  await page.fill("input[name=password]", user.password);
  await Promise.all([page.waitForURL(`${app.url}/dashboard`), page.click("#login")]);
  return page;
}

/** The session cookie in a context's jar, if any. */
export async function sessionCookie(
  context: BrowserContext,
): Promise<Awaited<ReturnType<BrowserContext["cookies"]>>[number] | undefined> {
  return (await context.cookies()).find((c) => c.name === "__Host-session");
}
