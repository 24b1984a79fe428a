// Private: every refusal is inert. When the model says an operation changed nothing — an unknown
// id, a known id with a wrong secret, the wrong kind, a binding mismatch, an expired session, a
// version conflict, a limit, a grace-window rotation, bad input — the kit reads back what the
// operation could have touched and the model judges every read: the target session itself, its
// user's list (every session with its idle expiry, lastActiveAt, version and authenticatedAt),
// and the token revocation state of the target's ids. Not only the answer: the whole state.

import { isSessionId, tryParseCredential } from "../core/credential.ts";
import type { ModelOperation } from "../model/model.ts";
import type { SessionStore } from "../model/store.ts";
import type { Outcome, WorldView } from "./_world_view.ts";

/** Operations that never change anything: no probe after them. */
const READS: ReadonlySet<string> = new Set(["get", "list", "isTokenRevoked"]);

/** What a refused operation named: a session (model id) and a user. */
function targets(w: WorldView, op: ModelOperation): { sessionId?: string; userId?: string | null } {
  const o = op as unknown as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  const rec = (v: unknown): Record<string, unknown> =>
    typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
  const credential = str(o.credential);
  const sessionId = str(o.sessionId) ??
    (credential === undefined ? undefined : tryParseCredential(credential)?.sessionId) ??
    str(rec(o.revocation).sessionId) ?? str(rec(o.cutoff).sessionId) ??
    str(rec(o.options).exceptSessionId);
  const session = sessionId === undefined ? undefined : w.state.sessions.get(sessionId);
  const userId = session !== undefined
    ? session.userId
    : str(o.userId) ?? str(rec(o.options).userId) ?? str(rec(o.cutoff).userId);
  return {
    ...(sessionId !== undefined && isSessionId(sessionId) ? { sessionId } : {}),
    ...(userId !== undefined ? { userId } : {}),
  };
}

/** How many refusals of one kind a run reads back after (the first ones). */
const PROBES_PER_KIND = 2;

/**
 * The kind of a refusal: the operation, why the model refused (for a credential: malformed,
 * unknown, expired, wrong kind, wrong secret, rotated away, or found and refused for another
 * reason — binding, limit, not anonymous, grace) and the answer (status or error code).
 */
function refusalKind(w: WorldView, op: ModelOperation, outcome: Outcome): string {
  const answer = outcome.ok
    ? String((outcome.value as { status?: unknown } | null)?.status ?? outcome.value)
    : `error ${String((outcome.error as { code?: unknown })?.code)}`;
  let why = "";
  const credential = (op as { credential?: unknown }).credential;
  if (typeof credential === "string") {
    const parsed = tryParseCredential(credential);
    const s = parsed === null ? undefined : w.state.sessions.get(parsed.sessionId);
    why = parsed === null
      ? "malformed"
      : s === undefined
      ? "unknown"
      : w.clock.now() >= s.idleExpiresAt
      ? "expired"
      : parsed.secret === s.secret
      ? "found"
      : s.retired.includes(parsed.secret)
      ? "retired"
      : "secret";
  }
  return `${op.op}/${why}/${answer}`;
}

/**
 * After an operation the model refused (its state is unchanged): reads of everything the
 * operation could have touched, each judged by the model — for the first refusals of each kind
 * in a run (a run has many refusals of a kind; reading back after every one costs more than it
 * finds).
 */
export async function probeInert(
  w: WorldView,
  op: ModelOperation,
  outcome: Outcome,
  store: SessionStore,
  tokenRevocation: boolean,
  seen: Map<string, number>,
): Promise<void> {
  if (READS.has(op.op)) return;
  const kind = refusalKind(w, op, outcome);
  const count = seen.get(kind) ?? 0;
  if (count >= PROBES_PER_KIND) return;
  seen.set(kind, count + 1);
  const t = targets(w, op);
  const real = t.sessionId === undefined ? undefined : w.realOf(t.sessionId);
  w.note(`(refused: ${op.op} must have changed nothing; read back)`);
  if (t.sessionId !== undefined && real !== undefined) {
    const sessionId = t.sessionId;
    await w.both({ op: "get", sessionId }, (s) => s.get(real), store);
  }
  // The target's user, or every user when the refusal named none.
  const users = typeof t.userId === "string" ? [t.userId] : t.userId === null ? [] : w.users;
  for (const userId of users) {
    await w.both({ op: "list", userId }, (s) => s.list(userId), store);
  }
  if (!tokenRevocation) return;
  const sessionId = t.sessionId ?? w.sessions.at(-1)?.model;
  const realId = real ?? w.sessions.at(-1)?.real;
  if (sessionId === undefined || realId === undefined) return;
  const userId = typeof t.userId === "string" ? t.userId : w.users[0]!;
  for (const issuedAt of [0, Math.max(0, w.clock.now() - 1)]) {
    const token = (sid: string) => ({ jti: w.jtis[0]!, sessionId: sid, userId, issuedAt });
    await w.both(
      { op: "isTokenRevoked", token: token(sessionId) },
      (s) => s.isTokenRevoked(token(realId)),
      store,
    );
  }
}
