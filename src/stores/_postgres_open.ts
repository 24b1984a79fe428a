// Opening a session in PostgresStore (create, and the second half of attach): under the user's
// advisory lock, the user's live sessions locked in login order, the limit applied (evict the
// oldest or refuse), then the insert. An anonymous session needs no lock: one statement.

import { formatCredential, hashSecret } from "../core/credential.ts";
import { SessionError } from "../core/errors.ts";
import type { CheckedCreate } from "../model/_arguments.ts";
import type { Session } from "../model/store.ts";
import { decodeRow, encodeUser, p, view } from "./_postgres_record.ts";
import type { Statements } from "./_postgres_sql.ts";
import type { SqlQuery } from "./postgres_executor.ts";

/** A new session, its credential and what the limit evicted (oldest first). */
export interface Opened {
  readonly session: Session;
  readonly credential: string;
  readonly evicted: readonly Session[];
}

/** What the store passes in. */
export interface OpenContext {
  readonly sql: Statements;
  /** The advisory lock key of an encoded user id. */
  readonly lockKey: (user: string) => string;
}

/** One login's values. */
export interface OpenArgs {
  readonly o: CheckedCreate;
  readonly dataJson: string;
  /** Device metadata as JSON. */
  readonly device: string;
  readonly now: number;
  /** Draws a session id (called again after a collision). */
  readonly ids: () => string;
  readonly secret: string;
}

/** How many ids are drawn before giving up (a collision of 128-bit ids does not happen twice). */
const ID_ATTEMPTS = 4;

/**
 * Opens a session with `query` — a transaction's when the session has a user. `null`: the limit
 * refused it (nothing written).
 */
export async function openSession(
  query: SqlQuery,
  context: OpenContext,
  args: OpenArgs,
): Promise<Opened | null> {
  const { o, now } = args;
  const { sql } = context;
  const user = o.userId === null ? null : encodeUser(o.userId);
  let evicted: Session[] = [];
  if (user !== null) {
    await query(sql.lockUser, [context.lockKey(user)]);
    const mine = (await query(sql.lockList, [user, p(now)])).map(decodeRow);
    const excess = mine.length - o.limit + 1;
    if (excess > 0 && o.onLimit === "reject") return null;
    if (excess > 0) {
      const doomed = mine.slice(0, excess);
      await query(sql.deleteIds, [doomed.map((row) => row.id).join(" ")]);
      evicted = doomed.map(view);
    }
  }
  const hash = hashSecret(args.secret);
  const idleExpiresAt = now + o.idleTtlMs;
  const absoluteExpiresAt = now + o.absoluteTtlMs;
  const authenticatedAt = user === null ? null : now;
  for (let attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
    const id = args.ids();
    const inserted = await query(sql.insert, [
      id,
      user,
      o.kind,
      hash,
      p(now),
      p(idleExpiresAt),
      p(absoluteExpiresAt),
      p(o.idleTtlMs),
      authenticatedAt === null ? null : p(authenticatedAt),
      args.device,
      args.dataJson,
    ]);
    if (inserted.length === 0) continue;
    const session: Session = {
      id,
      userId: o.userId,
      kind: o.kind,
      data: JSON.parse(args.dataJson),
      version: 1,
      device: JSON.parse(args.device),
      createdAt: now,
      lastActiveAt: now,
      idleExpiresAt,
      absoluteExpiresAt,
      idleTtlMs: o.idleTtlMs,
      rotatedAt: now,
      authenticatedAt,
    };
    return { session, credential: formatCredential(id, args.secret), evicted };
  }
  throw new SessionError("store-unavailable", "Could not draw a free session id");
}
