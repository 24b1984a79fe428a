// Shared by the adapter tests: a store that can be switched off, and Set-Cookie helpers.

import { SessionError } from "../../src/core/errors.ts";
import { SessionManager } from "../../src/manager/manager.ts";
import type { SessionManagerOptions } from "../../src/manager/options.ts";
import type { SessionStore } from "../../src/model/store.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";

/** A MemoryStore whose every operation rejects with `store-unavailable` while `down` is true. */
export function switchableStore(): { store: SessionStore; setDown(down: boolean): void } {
  const inner = new MemoryStore();
  let down = false;
  const store = new Proxy(inner, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        down
          ? Promise.reject(new SessionError("store-unavailable", "Store is down"))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { store, setDown: (value) => (down = value) };
}

/** A manager over a switchable store. */
export function setup(
  options: Partial<SessionManagerOptions> = {},
): { manager: SessionManager; setDown(down: boolean): void } {
  const { store, setDown } = switchableStore();
  return { manager: new SessionManager({ store, ...options }), setDown };
}

/** The `name=value` pair of a Set-Cookie header value. */
export function pair(setCookie: string): string {
  return setCookie.split(";")[0]!;
}

/** The Set-Cookie values for one cookie name. */
export function setCookiesNamed(values: readonly string[], name: string): string[] {
  return values.filter((v) => v.startsWith(`${name}=`));
}

/** The value a Set-Cookie header gives its cookie. */
export function valueOf(setCookie: string): string {
  const p = pair(setCookie);
  return p.slice(p.indexOf("=") + 1);
}

/** Whether a Set-Cookie header deletes its cookie. */
export function deletes(setCookie: string): boolean {
  return /;\s*Max-Age=0(?:;|$)/i.test(setCookie) && valueOf(setCookie) === "";
}
