// Private: runs RedisStore's scripts. EVALSHA first, EVAL when the server answers NOSCRIPT (a
// restart, a failover, a new cluster node); a command timeout; every failure becomes a
// `store-unavailable` SessionError that carries the cause (fail closed).

import { SessionError, typeError } from "../core/errors.ts";
import { type ScriptName, SCRIPTS } from "./_redis_scripts.ts";
import { type Durability, evalAndWaitOf, unconfirmed } from "./_redis_durability.ts";
import type { EvalAndWait, RedisClient } from "./redis_client.ts";

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

type Timer = ReturnType<typeof setTimeout>;
interface DenoTimers {
  refTimer(id: number): void;
  unrefTimer(id: number): void;
}
const denoTimers = (globalThis as { Deno?: Partial<DenoTimers> }).Deno;

/** Keeps (or stops keeping) the process alive for a timer: Node's ref/unref, Deno's, or nothing. */
function keepAlive(timer: Timer, on: boolean): void {
  const t = timer as unknown as { ref?: () => void; unref?: () => void };
  if (typeof t.unref === "function") on ? t.ref!() : t.unref();
  else if (typeof timer === "number" && typeof denoTimers?.unrefTimer === "function") {
    on ? denoTimers.refTimer!(timer) : denoTimers.unrefTimer(timer);
  }
}

interface Pending {
  readonly deadline: number;
  /** `null` once settled. */
  fail: ((error: Error) => void) | null;
}

/**
 * Deadlines of the calls in flight, all `ms` long, so in call order: one timer, armed for the
 * oldest call's deadline, instead of a timer per call (a timer costs more than a Redis round trip's
 * CPU under Deno). It keeps the process alive only while a call is pending.
 */
class Deadlines {
  readonly #ms: number;
  #queue: Pending[] = [];
  #head = 0;
  #pending = 0;
  #timer: Timer | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  add(fail: (error: Error) => void): Pending {
    const entry: Pending = { deadline: performance.now() + this.#ms, fail };
    this.#queue.push(entry);
    if (this.#pending++ === 0 && this.#timer !== undefined) keepAlive(this.#timer, true);
    if (this.#timer === undefined) this.#arm(this.#ms);
    return entry;
  }

  /** Marks a call settled; false when it already was (it timed out). */
  settle(entry: Pending): boolean {
    if (entry.fail === null) return false;
    entry.fail = null;
    if (--this.#pending === 0 && this.#timer !== undefined) keepAlive(this.#timer, false);
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.fail === null) this.#head++;
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    return true;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(1, Math.ceil(ms)));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const queue = this.#queue;
    const expired: ((error: Error) => void)[] = [];
    let head = this.#head;
    for (; head < queue.length; head++) {
      const entry = queue[head]!;
      if (entry.fail === null) continue;
      if (entry.deadline > now) break;
      expired.push(entry.fail);
      entry.fail = null;
      this.#pending--;
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    }
    this.#head = head;
    if (head < queue.length) this.#arm(queue[head]!.deadline - now);
    const error = new Error(`Redis did not answer within ${this.#ms} ms`);
    for (const fail of expired) fail(error);
  }
}

const unavailable = (cause: unknown): SessionError =>
  new SessionError("store-unavailable", "Redis store is unavailable", { cause });

/** What {@linkcode ScriptRunner.get} answers for a key that holds another type than a string. */
export const WRONG_TYPE: unique symbol = Symbol("wrong type");

const isWrongType = (error: unknown): boolean =>
  typeof (error as { message?: unknown } | null)?.message === "string" &&
  (error as { message: string }).message.startsWith("WRONGTYPE");

/** Runs the scripts (and the plain reads) over one client. */
/** What a script call does to live state: a `"write"` is confirmed by replicas under `durability`. */
export type ScriptCall = "write" | "read";

export class ScriptRunner {
  readonly #client: RedisClient;
  readonly #deadlines: Deadlines;
  readonly #shas = new Map<ScriptName, string>();
  readonly #durability: Durability | undefined;
  readonly #evalAndWait: EvalAndWait | undefined;
  #loading: Promise<void> | undefined;

  constructor(client: RedisClient, timeoutMs: number, durability?: Durability) {
    this.#client = client;
    this.#deadlines = new Deadlines(timeoutMs);
    this.#durability = durability;
    this.#evalAndWait = durability === undefined ? undefined : evalAndWaitOf(client);
    if (durability !== undefined && this.#evalAndWait === undefined) {
      throw typeError(
        "invalid-argument",
        "durability needs an ioredis client (pipeline) or a fromNodeRedis client",
      );
    }
  }

  /**
   * Runs a script; rejects with `store-unavailable` on any failure, timeout or odd reply. With
   * `durability`, a `"write"` is confirmed by its replicas; a `"read"` (which may remove what is
   * already logically dead, and changes nothing live) is not waited for.
   */
  run(
    name: ScriptName,
    keys: readonly string[],
    args: readonly string[],
    call: ScriptCall = "write",
  ): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const deadlines = this.#deadlines;
      const entry = deadlines.add((error) => reject(unavailable(error)));
      let retried = false;
      const answered = (reply: unknown): void => {
        if (!deadlines.settle(entry)) return;
        if (Array.isArray(reply) && typeof reply[0] === "number") resolve(reply);
        else reject(unavailable(new Error("Redis answered a script with an unexpected reply")));
      };
      const failed = (error: unknown): void => {
        if (entry.fail === null) return;
        if (!retried && isNoScript(error)) {
          retried = true;
          this.#send("EVAL", SCRIPTS[name], keys, args, call).then(answered, failed);
          return;
        }
        if (deadlines.settle(entry)) reject(unavailable(error));
      };
      const sha = this.#shas.get(name);
      const sent = sha === undefined
        ? this.#hashAll().then(() => this.#send("EVALSHA", this.#shas.get(name)!, keys, args, call))
        : this.#send("EVALSHA", sha, keys, args, call);
      sent.then(answered, failed);
    });
  }

  /** Whether the client can GET (then reads need no script). */
  get canGet(): boolean {
    return typeof this.#client.get === "function";
  }

  /**
   * A plain `GET`, under the same deadline as scripts: the string, `null` for no key, or
   * {@linkcode WRONG_TYPE}; rejects with `store-unavailable` on any other failure.
   */
  get(key: string): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const deadlines = this.#deadlines;
      const entry = deadlines.add((error) => reject(unavailable(error)));
      this.#call(() => this.#client.get!(key)).then(
        (value) => {
          if (deadlines.settle(entry)) resolve(value);
        },
        (error) => {
          if (!deadlines.settle(entry)) return;
          if (isWrongType(error)) resolve(WRONG_TYPE);
          else reject(unavailable(error));
        },
      );
    });
  }

  /** One script call; a write with `durability` is pipelined with its WAIT (too few acks: an error). */
  #send(
    command: "EVALSHA" | "EVAL",
    script: string,
    keys: readonly string[],
    args: readonly string[],
    call: ScriptCall,
  ): Promise<unknown> {
    const durability = this.#durability;
    if (durability === undefined || call === "read") {
      const client = this.#client;
      return this.#call(() =>
        command === "EVALSHA"
          ? client.evalsha(script, keys.length, ...keys, ...args)
          : client.eval(script, keys.length, ...keys, ...args)
      );
    }
    const { replicas, timeoutMs } = durability;
    return this.#call(() =>
      this.#evalAndWait!(command, script, keys.length, [...keys, ...args], replicas, timeoutMs)
    ).then((answer) => {
      const [reply, acknowledged] = answer as [unknown, number];
      if (!(acknowledged >= replicas)) throw unconfirmed(durability, acknowledged);
      return reply;
    });
  }

  /** A client call as a promise, also when the client throws or answers synchronously. */
  #call(send: () => unknown): Promise<unknown> {
    try {
      const sent = send();
      return sent instanceof Promise ? sent : Promise.resolve(sent);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #hashAll(): Promise<void> {
    return this.#loading ??= (async () => {
      const names = Object.keys(SCRIPTS) as ScriptName[];
      const shas = await Promise.all(names.map((name) => sha1(SCRIPTS[name])));
      names.forEach((name, i) => this.#shas.set(name, shas[i]!));
    })();
  }
}
