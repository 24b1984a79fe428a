// The example app without a browser (runs even where Chromium is missing): password checks,
// the origin check on every state-changing route, redirects for signed-out visitors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createApp, createManager } from "../../examples/app.ts";
import { deviceLabel } from "../../examples/_device.ts";

const BASE = "http://localhost:8787";
const SAME = { origin: BASE, "sec-fetch-site": "same-origin" };

function form(fields: Record<string, string>, headers: Record<string, string> = SAME): RequestInit {
  return {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
  };
}

describe("example app", () => {
  it("logs a demo user in and refuses wrong passwords and unknown users", async () => {
    const app = createApp({ manager: createManager() });
    const ok = await app.request(`${BASE}/login`, form({ username: "ada", password: "lovelace" }));
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/dashboard");
    assert.equal(ok.headers.getSetCookie().length, 1);
    for (const [username, password] of [["ada", "builder"], ["eve", "lovelace"], ["ada", ""]]) {
      const res = await app.request(
        `${BASE}/login`,
        form({ username: username!, password: password! }),
      );
      assert.equal(res.status, 401, `${username}/${password}`);
      assert.deepEqual(res.headers.getSetCookie(), []);
    }
  });

  it("refuses state-changing requests from another site or without an origin", async () => {
    const app = createApp({ manager: createManager() });
    const fields = { username: "ada", password: "lovelace" };
    const cases: Record<string, string>[] = [
      { origin: "http://127.0.0.1:9", "sec-fetch-site": "cross-site" },
      { origin: "http://evil.example" },
      { origin: "null" },
      {},
    ];
    for (const headers of cases) {
      for (const path of ["/login", "/logout", "/confirm-password", "/devices/revoke-others"]) {
        const res = await app.request(`${BASE}${path}`, form(fields, headers));
        assert.equal(res.status, 403, `${path} ${JSON.stringify(headers)}`);
        assert.deepEqual(res.headers.getSetCookie(), []);
      }
    }
  });

  it("sends signed-out visitors to the login page", async () => {
    const app = createApp({ manager: createManager() });
    for (const path of ["/", "/dashboard", "/devices"]) {
      const res = await app.request(`${BASE}${path}`);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/login");
    }
  });

  it("labels devices from their User-Agent", () => {
    const chrome =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
    assert.equal(deviceLabel(chrome), "Chrome on Linux");
    assert.equal(
      deviceLabel(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
      ),
      "Safari on iOS",
    );
    assert.equal(
      deviceLabel("Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"),
      "Firefox on Windows",
    );
    assert.equal(deviceLabel("curl/8.5.0"), "curl");
    assert.equal(deviceLabel(undefined), "Unknown device");
  });
});
