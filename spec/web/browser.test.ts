// The example app in a real browser: Debian's headless Chromium through playwright-core. Skipped
// loudly when /usr/bin/chromium is missing (a failure under CI=true).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import {
  afterAll,
  beforeAll,
  chromiumOrSkip,
  launchChromium,
  logIn,
  type RunningApp,
  servePage,
  sessionCookie,
  startApp,
} from "../_support/_browser.ts";

const RUN = chromiumOrSkip();
const ADA = { username: "ada", password: "lovelace" };
const BOB = { username: "bob", password: "builder" };

describe("example app in headless Chromium", { skip: !RUN }, () => {
  let browser: Browser;
  let app: RunningApp;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    app = await startApp();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function context(): Promise<BrowserContext> {
    const created = await browser.newContext();
    contexts.push(created);
    return created;
  }

  async function closeContexts(): Promise<void> {
    for (const c of contexts.splice(0)) await c.close();
  }

  it("logs in and stores an HttpOnly, Secure, SameSite=Strict host-only cookie", async () => {
    try {
      const ctx = await context();
      const page = await logIn(ctx, app, ADA);
      assert.equal(await page.textContent("#user"), "ada");
      const cookie = await sessionCookie(ctx);
      assert.ok(cookie, "the session cookie is in the jar");
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.secure, true);
      assert.equal(cookie.sameSite, "Strict");
      assert.equal(cookie.domain, "localhost");
      assert.equal(cookie.path, "/");
      assert.equal(cookie.expires, -1, "a session cookie, gone when the browser closes");
    } finally {
      await closeContexts();
    }
  });

  it("hides the session cookie from document.cookie", async () => {
    try {
      const ctx = await context();
      const page = await logIn(ctx, app, ADA);
      // Expressions as strings: this file is type-checked without the DOM library.
      await page.evaluate('document.cookie = "theme=dark; path=/"');
      const visible = await page.evaluate<string>("document.cookie");
      assert.equal(visible, "theme=dark");
      assert.ok(!visible.includes("__Host-session"));
    } finally {
      await closeContexts();
    }
  });

  it("signs the oldest browser out when a fourth one logs in as the same user", async () => {
    try {
      const pages = [];
      for (let i = 0; i < 4; i++) pages.push(await logIn(await context(), app, BOB));
      const [first, ...others] = pages;
      await first!.goto(`${app.url}/dashboard`);
      assert.equal(new URL(first!.url()).pathname, "/login", "the first browser is signed out");
      assert.equal(await sessionCookie(contexts[0]!), undefined, "its dead cookie was deleted");
      for (const page of others) {
        await page.goto(`${app.url}/devices`);
        assert.equal(new URL(page.url()).pathname, "/devices");
        assert.equal(await page.locator("#devices tbody tr").count(), 3);
      }
    } finally {
      await closeContexts();
    }
  });

  it("revoking a device on the devices page signs that browser out", async () => {
    try {
      const laptop = await logIn(await context(), app, ADA);
      const phone = await logIn(await context(), app, ADA);
      await laptop.goto(`${app.url}/devices`);
      const rows = laptop.locator("#devices tbody tr");
      assert.ok(await rows.count() >= 2);
      assert.equal(await laptop.locator(".current").count(), 1);
      const phoneId = (await app.manager.listSessions("ada")).at(-1)!.id;
      const phoneRow = laptop.locator(`tr[data-session="${phoneId}"]`);
      assert.match(await phoneRow.innerText(), /Headless Chrome on Linux/);
      // Revoke asks first, on a page naming the device; only the confirmation signs it out.
      await Promise.all([
        laptop.waitForURL(new RegExp(`/devices/${phoneId}/revoke`)),
        phoneRow.locator("button.revoke").click(),
      ]);
      assert.match(await laptop.locator("#revoke-label").innerText(), /Headless Chrome on Linux/);
      const alive = (await app.manager.listSessions("ada")).map((s) => s.id);
      assert.ok(alive.includes(phoneId), "asking revoked it");
      await Promise.all([
        laptop.waitForURL(`${app.url}/devices`),
        laptop.click("#confirm-revoke"),
      ]);
      assert.equal(await laptop.locator(`tr[data-session="${phoneId}"]`).count(), 0);
      await phone.goto(`${app.url}/dashboard`);
      assert.equal(new URL(phone.url()).pathname, "/login", "the revoked browser is signed out");
      await laptop.goto(`${app.url}/dashboard`);
      assert.equal(new URL(laptop.url()).pathname, "/dashboard", "the revoking one is not");
    } finally {
      await closeContexts();
    }
  });

  it("signs out everywhere else but keeps the current browser", async () => {
    try {
      const here = await logIn(await context(), app, BOB);
      const elsewhere = await logIn(await context(), app, BOB);
      await here.goto(`${app.url}/devices`);
      await Promise.all([here.waitForURL(`${app.url}/devices`), here.click("#revoke-others")]);
      assert.equal(await here.locator("#devices tbody tr").count(), 1);
      await elsewhere.goto(`${app.url}/dashboard`);
      assert.equal(new URL(elsewhere.url()).pathname, "/login");
    } finally {
      await closeContexts();
    }
  });

  it("confirming the password regenerates the session cookie", async () => {
    try {
      const ctx = await context();
      const page = await logIn(ctx, app, ADA);
      const before = (await sessionCookie(ctx))!.value;
      await page.fill("form[action='/confirm-password'] input[name=password]", ADA.password);
      await Promise.all([page.waitForURL(/confirmed=1/), page.click("#confirm")]);
      assert.ok(await page.isVisible("#confirmed"));
      const after = (await sessionCookie(ctx))!.value;
      assert.notEqual(after, before, "a new credential");
      assert.equal(after.split(".")[0], before.split(".")[0], "the same session record");
      await page.goto(`${app.url}/devices`);
      assert.equal(await page.locator(".current").count(), 1, "still signed in");
    } finally {
      await closeContexts();
    }
  });

  it("logout deletes the cookie and ends the session", async () => {
    try {
      const ctx = await context();
      const page = await logIn(ctx, app, ADA);
      const credential = (await sessionCookie(ctx))!.value;
      await Promise.all([page.waitForURL(`${app.url}/login`), page.click("#logout")]);
      assert.equal(await sessionCookie(ctx), undefined);
      await app.manager.validate(credential).then(
        () => assert.fail("the session outlived logout"),
        (error: { code?: string }) => assert.equal(error.code, "session-invalid"),
      );
    } finally {
      await closeContexts();
    }
  });

  it("a cross-site form post carries no session cookie and is refused", async () => {
    const attacker = await servePage(
      `<!doctype html><form id="f" method="post" action="${app.url}/logout">` +
        `<input name="x" value="1"></form><script>document.getElementById("f").submit()</script>`,
    );
    try {
      const ctx = await context();
      const page = await logIn(ctx, app, ADA);
      const credential = (await sessionCookie(ctx))!.value;
      const response = page.waitForResponse(`${app.url}/logout`);
      await page.goto(attacker.url);
      assert.equal((await response).status(), 403);
      await page.waitForSelector("#refused");
      const post = app.seen.filter((r) => r.method === "POST" && r.path === "/logout").at(-1);
      assert.ok(post, "the forged post reached the app");
      assert.equal(post.secFetchSite, "cross-site");
      assert.ok(!(post.cookie ?? "").includes("__Host-session"), "SameSite=Strict kept it off");
      assert.equal((await sessionCookie(ctx))?.value, credential, "the cookie is untouched");
      await app.manager.validate(credential);
      await page.goto(`${app.url}/dashboard`);
      assert.equal(new URL(page.url()).pathname, "/dashboard", "still signed in");
    } finally {
      await closeContexts();
      await attacker.close();
    }
  });
});
