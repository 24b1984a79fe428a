// Private: runs RedisStore's scripts. EVALSHA first, EVAL when the server answers NOSCRIPT (a
// restart, a failover, a new cluster node); a command timeout; every failure becomes a
// `store-unavailable` SessionError that carries the cause (fail closed).

import { SessionError } from "../errors.ts";
import { type ScriptName, SCRIPTS } from "./_redis_scripts.ts";
import type { RedisClient } from "./redis_store.ts";

const hex = (bytes: ArrayBuffer): string =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function sha1(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text)));
}

const isNoScript = (error: unknown): boolean =>
  typeof (error as { message?: unknown } | null)?.message === "string" &&
  (error as { message: string }).message.startsWith("NOSCRIPT");

/** A reply of one of our scripts: the count of corrupt values removed first, then the rest. */
export type Reply = readonly unknown[];

/** Runs the scripts over one client. */
export class ScriptRunner {
  readonly #client: RedisClient;
  readonly #timeoutMs: number;
  readonly #shas = new Map<ScriptName, string>();
  #loading: Promise<void> | undefined;

  constructor(client: RedisClient, timeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
  }

  /** Runs a script; rejects with `store-unavailable` on any failure, timeout or odd reply. */
  async run(name: ScriptName, keys: readonly string[], args: readonly string[]): Promise<Reply> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    try {
      const reply = await Promise.race([this.#eval(name, keys, args), timeout]);
      if (!Array.isArray(reply) || typeof reply[0] !== "number") {
        throw new Error("Redis answered a script with an unexpected reply");
      }
      return reply;
    } catch (error) {
      throw new SessionError("store-unavailable", "Redis store is unavailable", { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async #eval(
    name: ScriptName,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    if (this.#shas.size === 0) {
      this.#loading ??= this.#hashAll();
      await this.#loading;
    }
    const sha = this.#shas.get(name)!;
    try {
      return await this.#client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return await this.#client.eval(SCRIPTS[name], keys.length, ...keys, ...args);
    }
  }

  async #hashAll(): Promise<void> {
    const names = Object.keys(SCRIPTS) as ScriptName[];
    const shas = await Promise.all(names.map((name) => sha1(SCRIPTS[name])));
    names.forEach((name, i) => this.#shas.set(name, shas[i]!));
  }
}
