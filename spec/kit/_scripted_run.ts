// A scripted run of every flow of the library (cookie sessions, tokens, refresh with reuse,
// logout, data updates, revocation, cookies, origin checks, store failures) that records every
// secret value it sees and everything the library emits, then searches the latter for the former.

import RedisMock from "ioredis-mock";
import { ManualClock } from "../../src/core/clock.ts";
import { parseCredential } from "../../src/core/credential.ts";
import {
  AccessTokenCache,
  AccessTokenKeySet,
  MemoryStore,
  SessionManager,
  verifyAccessToken,
} from "../../mod.ts";
import type { SessionEvent } from "../../mod.ts";
import type { SessionStore } from "../../src/model/store.ts";
import { type RedisClient, RedisStore } from "../../src/stores/redis.ts";
import { serializeCookie } from "../../src/web/cookie.ts";
import { checkOrigin, readCredential, setSessionCookie } from "../../src/web/http.ts";
import { captureConsole, findLeaks, needlesOf, renderings } from "../_support/_leak_search.ts";
import { knownKey, T0 } from "../manager/_security_world.ts";

const HMAC_SECRET = "Zk9vQmFyQmF6UXV4X2htYWNfc2VjcmV0XzMyYg"; // 38 bytes, searched for below

/** A client that fails every call with an error quoting its arguments (as some clients do). */
function quotingClient(): RedisClient {
  const fail = (...args: unknown[]) => {
    const error = new Error(`ERR simulated failure for ${args.map(String).join(" ")}`);
    return Promise.reject(Object.assign(error, { command: { name: "evalsha", args } }));
  };
  return { evalsha: fail, eval: fail };
}

const never: RedisClient = {
  evalsha: () => new Promise(() => {}),
  eval: () => new Promise(() => {}),
};

interface Run {
  secrets: string[];
  emitted: unknown[];
  events: SessionEvent[];
}

async function attempt(run: Run, body: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    return await body();
  } catch (error) {
    run.emitted.push(error);
    return undefined;
  }
}

async function flows(store: SessionStore, run: Run, clock: ManualClock): Promise<void> {
  const key = await knownKey(HMAC_SECRET);
  const keys = new AccessTokenKeySet(key);
  const cache = new AccessTokenCache();
  const manager = new SessionManager({
    store,
    clock,
    session: { graceMs: 0, idleTtlMs: 60_000, absoluteTtlMs: 600_000 },
    refresh: { graceMs: 1_000 },
    limit: { maxSessions: 2, onLimit: "reject" },
    accessTokens: { keys, revocation: "lists", cache, clockToleranceMs: 0 },
    onEvent: (event) => run.events.push(event),
  });
  run.emitted.push(manager, store, key, keys, cache);
  const keep = (value: string | null | undefined) => {
    if (typeof value === "string") run.secrets.push(value);
    return value;
  };

  const anonymous = await manager.createAnonymous({ data: { cart: [1] } });
  keep(anonymous.credential);
  const login = await manager.login("ada", { credential: anonymous.credential });
  keep(login.credential);
  for (const stale of [anonymous.credential, login.credential]) {
    await attempt(run, () => manager.validate(stale));
  }
  await attempt(run, () => manager.login("ada"));
  await attempt(run, () => manager.login("ada")); // session-limit
  const sudo = await manager.regenerate(login.credential);
  keep(sudo.credential);
  await attempt(run, () => manager.regenerate(login.credential)); // reuse
  await attempt(run, () => manager.validate(sudo.credential!));
  await attempt(run, () => manager.revokeAllSessions("ada"));

  const tokens = await manager.loginWithTokens("bob");
  keep(tokens.refreshToken);
  keep(tokens.accessToken.token);
  await attempt(run, () => manager.verifyAccessToken(tokens.accessToken.token));
  clock.advance(2_000);
  const refreshed = await manager.refresh(tokens.refreshToken);
  keep(refreshed.refreshToken);
  keep(refreshed.accessToken.token);
  await attempt(run, () => manager.refresh(tokens.refreshToken)); // outside grace: reuse
  await attempt(run, () => manager.refresh(refreshed.refreshToken!)); // family dead
  await attempt(run, () => manager.verifyAccessToken(refreshed.accessToken.token)); // revoked
  const [head, body, signature] = tokens.accessToken.token.split(".");
  const tampered = `${head}.${body}.${signature!.slice(0, -2)}${
    signature!.endsWith("A") ? "B" : "A"
  }A`;
  keep(tampered);
  await attempt(run, () => manager.verifyAccessToken(tampered));
  await attempt(run, () => verifyAccessToken(`${head}.${body}x.${signature}`, keys, { clock }));
  const carol = await manager.loginWithTokens("carol");
  keep(carol.refreshToken);
  keep(carol.accessToken.token);
  clock.advance(3_600_000);
  await attempt(run, () => manager.verifyAccessToken(carol.accessToken.token)); // expired
  await attempt(run, () => manager.refresh(carol.refreshToken));

  const dave = await manager.login("dave", { data: { n: 1 } });
  keep(dave.credential);
  await manager.updateData(dave.session, { n: 2 });
  await attempt(run, () => manager.updateData(dave.session, { n: 3 })); // conflict
  await attempt(run, () => manager.revokeSession("dave", dave.credential)); // a credential as id
  await attempt(run, () => manager.logout(dave.credential));
  await attempt(run, () => manager.logout(dave.credential));
  await attempt(run, () => manager.validate(`${dave.credential}x`));
  await attempt(run, () => manager.validate(dave.credential.toLowerCase()));

  // Cookies and requests that carry secrets.
  const secret = dave.credential.split(".")[1]!;
  await attempt(run, () => parseCredential(`${dave.credential}=`));
  await attempt(run, () => serializeCookie("sid", `${dave.credential} `));
  await attempt(run, () => serializeCookie(`sid${secret};`, "v"));
  await attempt(run, () => setSessionCookie(new Headers(), `${secret}`, { cookieName: "sid" }));
  await attempt(
    run,
    () =>
      setSessionCookie(
        new Headers(),
        dave.credential,
        { cookieName: "__Host-sid", path: "/x" } as never,
      ),
  );
  const request = new Request("https://app.example/", {
    method: "POST",
    headers: {
      cookie: `sid=${dave.credential}; other=${secret}`,
      authorization: `Bearer ${tokens.refreshToken}`,
      origin: "https://evil.example",
    },
  });
  await attempt(run, () => readCredential(request, { cookieName: "sid", bearer: true }));
  run.emitted.push(checkOrigin(request));
}

/** Runs every flow; returns the leaks found and how much was searched. */
export async function runAllFlows(): Promise<
  { leaks: { needle: string; where: string }[]; haystacks: number; needles: number }
> {
  const run: Run = { secrets: [], emitted: [], events: [] };
  const { lines } = await captureConsole(async () => {
    const stores: ((clock: ManualClock) => SessionStore)[] = [
      (clock) => new MemoryStore({ clock }),
      (clock) =>
        new RedisStore(new RedisMock({ port: 53_000 + Math.floor(Math.random() * 5_000) }), {
          clock,
          prefix: "leak:",
          onCorrupt: (error) => run.emitted.push(error),
        }),
    ];
    for (const make of stores) {
      const clock = new ManualClock(T0);
      await flows(make(clock), run, clock);
    }
    // Store failures: the credential goes in, an error comes out.
    for (const client of [quotingClient(), never]) {
      const clock = new ManualClock(T0);
      const store = new RedisStore(client, { clock, commandTimeoutMs: 30 });
      const manager = new SessionManager({ store, clock, onEvent: (e) => run.events.push(e) });
      for (const credential of run.secrets.filter((s) => !s.includes(".") || s.length < 120)) {
        if (credential.split(".").length !== 2) continue;
        await attempt(run, () => manager.validate(credential));
        await attempt(run, () => manager.refresh(credential));
        await attempt(run, () => manager.logout(credential));
        await attempt(run, () => manager.login("ada", { credential }));
      }
      await attempt(run, () => manager.login("erin"));
    }
  });
  const haystacks = [
    ...run.emitted.flatMap(renderings),
    ...run.events.flatMap(renderings),
    ...lines,
  ];
  const needles = [...new Set([...run.secrets.flatMap(needlesOf), HMAC_SECRET])];
  return {
    leaks: findLeaks(haystacks, needles),
    haystacks: haystacks.length,
    needles: needles.length,
  };
}
