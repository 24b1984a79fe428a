// Private: RedisStore's `durability` — after each script, `WAIT replicas timeout` on the same
// connection (pipelined with the script, so a cluster sends both to the key's master), and a
// write that too few replicas acknowledged in time is reported as such (fail closed: the caller
// sees `store-unavailable`, outcome unknown), never as done.

import { checkSafeInteger } from "../core/_integers.ts";
import { rangeError, typeError } from "../core/errors.ts";
import type { EvalAndWait, RedisClient } from "./redis_client.ts";

/** RedisStore's `durability` option, checked. */
export interface Durability {
  /** Replicas that must acknowledge every write. */
  readonly replicas: number;
  /** How long WAIT may block (ms). */
  readonly timeoutMs: number;
}

/** Checks the option against the command timeout (WAIT must end before the call's deadline). */
export function checkDurability(value: unknown, commandTimeoutMs: number): Durability | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) {
    throw typeError("invalid-argument", "durability must be an object");
  }
  const { replicas, timeoutMs = Math.floor(commandTimeoutMs / 2) } = value as {
    replicas?: unknown;
    timeoutMs?: unknown;
  };
  checkSafeInteger(replicas, "durability.replicas", 1);
  checkSafeInteger(timeoutMs, "durability.timeoutMs", 1);
  if ((timeoutMs as number) >= commandTimeoutMs) {
    throw rangeError("invalid-argument", "durability.timeoutMs must be below commandTimeoutMs");
  }
  return { replicas: replicas as number, timeoutMs: timeoutMs as number };
}

interface IoredisPipeline {
  call(command: string, ...args: string[]): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/**
 * The client's way to run a script and WAIT on one connection: its own `evalAndWait` (what
 * `fromNodeRedis` provides), else one built on ioredis' `pipeline()` (Redis and Cluster), else
 * `undefined`.
 */
export function evalAndWaitOf(client: RedisClient): EvalAndWait | undefined {
  if (typeof client.evalAndWait === "function") return client.evalAndWait.bind(client);
  const io = client as {
    pipeline?: () => IoredisPipeline;
    refreshSlotsCache?: (callback?: (error?: Error | null) => void) => void;
  };
  const pipeline = io.pipeline;
  if (typeof pipeline !== "function") return undefined;
  const once = async (
    command: string,
    script: string,
    numkeys: number,
    args: readonly string[],
    replicas: number,
    timeoutMs: number,
  ): Promise<[unknown, number]> => {
    const p = pipeline.call(client);
    p.call(command, script, String(numkeys), ...args);
    p.call("WAIT", String(replicas), String(timeoutMs));
    const results = await p.exec();
    if (results === null || results.length !== 2) throw new Error("Redis pipeline was discarded");
    const [[scriptError, reply], [waitError, acknowledged]] = results as [
      [Error | null, unknown],
      [Error | null, unknown],
    ];
    if (scriptError !== null) throw scriptError;
    if (waitError !== null) throw waitError;
    return [reply, Number(acknowledged)];
  };
  return async (command, script, numkeys, args, replicas, timeoutMs) => {
    // A cluster pipeline whose script was redirected (MOVED/ASK: not run) while its keyless WAIT
    // was answered is not retried by ioredis: refresh the slot map and send both again, a few
    // times (the caller's deadline bounds it all).
    for (let attempt = 0;; attempt++) {
      try {
        return await once(command, script, numkeys, args, replicas, timeoutMs);
      } catch (error) {
        const message = String((error as { message?: unknown } | null)?.message ?? "");
        if (attempt >= 4 || !/^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /.test(message)) throw error;
        if (typeof io.refreshSlotsCache === "function") {
          await new Promise<void>((resolve) => io.refreshSlotsCache!(() => resolve()));
        }
        await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
      }
    }
  };
}

/** The error of a write that fewer replicas than asked acknowledged in time. */
export function unconfirmed(durability: Durability, acknowledged: number): Error {
  return new Error(
    `${acknowledged} of ${durability.replicas} replica(s) acknowledged the write within ` +
      `${durability.timeoutMs} ms: it may be lost in a failover`,
  );
}
