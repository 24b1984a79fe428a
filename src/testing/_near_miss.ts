// Private: near-miss identities. Every operation that takes an id (session id, credential, user
// id, jti) is called with an id one confusion away from a real one — a prefix, an extension, a
// case flip, another separator, the maximum length — and the real one is read afterwards: the
// near-miss must have had no effect on it (the model says so, and judges every read).

import fc from "fast-check";
import { tryParseCredential } from "../core/credential.ts";
import {
  MAX_JTI_LENGTH,
  MAX_USER_ID_LENGTH,
  NEAR_MISSES,
  type NearMiss,
  nearMissArb,
  nearMissId,
  nearMissText,
} from "./_identities.ts";
import {
  cmd,
  type Command,
  jtiOf,
  type Real,
  resolveSession,
  sessionRef,
  userOf,
} from "./_refs.ts";
import { type Pair, UNKNOWN_ID, type World } from "./_world.ts";

/** A session id for a token operation: a known session's, or a near miss of one. */
export type TokenSessionRef = { ref: number | null; near?: NearMiss };
export const tokenSessionRef: fc.Arbitrary<TokenSessionRef> = fc.record(
  { ref: sessionRef, near: nearMissArb },
  { requiredKeys: ["ref"] },
).map((r) => (r.near !== undefined && r.ref !== null && r.ref % 3 === 0 ? r : { ref: r.ref }));

/** A session id one confusion away from `p`'s, as a pair (the session it names, if any). */
/** A value for a report: JSON, long ones cut. */
export const show = (value: string): string =>
  value.length > 24
    ? `${JSON.stringify(value.slice(0, 12))}…(${value.length} chars)`
    : JSON.stringify(value);

export function nearSession(w: World, p: Pair, how: NearMiss): Pair & { label: string } {
  const real = nearMissId(p.real, how);
  const pair = w.pairOf(real);
  return pair === null
    ? { real: UNKNOWN_ID, model: UNKNOWN_ID, label: "an unknown session" }
    : { ...pair, label: `a ${how} near miss of ${show(p.real)}` };
}

export function resolveTokenSession(w: World, ref: TokenSessionRef): Pair & { label: string } {
  const p = resolveSession(w, ref.ref);
  return ref.near === undefined || p.real === UNKNOWN_ID ? p : nearSession(w, p, ref.near);
}

type Target =
  | "get"
  | "destroy"
  | "update"
  | "list"
  | "destroyAll"
  | "destroyAll-except"
  | "validate"
  | "rotate"
  | "attach"
  | "secret"
  | "revokeToken"
  | "revokeToken-jti"
  | "revokeTokens-session"
  | "revokeTokens-user"
  | "isTokenRevoked";

const TARGETS: readonly Target[] = [
  "get",
  "destroy",
  "update",
  "list",
  "destroyAll",
  "destroyAll-except",
  "validate",
  "rotate",
  "attach",
  "secret",
];
const TOKEN_TARGETS: readonly Target[] = [
  "revokeToken",
  "revokeToken-jti",
  "revokeTokens-session",
  "revokeTokens-user",
  "isTokenRevoked",
];

const TTL = { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };

/** A session and its credential, then one operation on a near miss of its ids, then reads. */
export const nearMissProbe = (tokenRevocation: boolean): fc.Arbitrary<Command> =>
  cmd(
    fc.record({
      target: fc.constantFrom(...TARGETS, ...(tokenRevocation ? TOKEN_TARGETS : [])),
      hows: fc.shuffledSubarray([...NEAR_MISSES], { minLength: 2, maxLength: 4 }),
      owner: fc.nat({ max: 2 }),
      anonymous: fc.boolean(),
      jti: fc.nat({ max: 2 }),
    }),
    (a) => `near miss: ${a.target} (${a.hows.join(", ")})`,
    (a) => async (w, r, say) => {
      const userId = userOf(w, a.owner);
      const jti = jtiOf(w, a.jti);
      const anonymous = a.anonymous && (a.target === "attach" || a.target === "validate");
      say(
        `near miss: a session of ${anonymous ? "nobody" : show(userId)}, then ` +
          `${a.target} with near misses of its ids (${
            a.hows.join(", ")
          }), then reads of the real ones`,
      );
      const call = (op: Parameters<World["both"]>[0], run: Parameters<World["both"]>[1]) =>
        w.both(op, run, r.store);
      const options = { userId: anonymous ? null : userId, ...TTL };
      w.note(`create(${JSON.stringify(options)})`);
      await call({ op: "create", options }, (s) => s.create(options));
      const cred = w.credentials.at(-1)!;
      const id = w.sessions.at(-1)!;
      const iat = w.clock.now();
      const token = (sid: Pair, side: "real" | "model", j = jti, u = userId) => ({
        jti: j,
        sessionId: sid[side],
        userId: u,
        issuedAt: iat,
      });
      for (const how of a.hows) {
        const near = nearSession(w, id, how);
        const nearUser = nearMissText(userId, how, MAX_USER_ID_LENGTH);
        const nearJti = nearMissText(jti, how, MAX_JTI_LENGTH);
        if (a.target === "isTokenRevoked" && how === a.hows[0]) {
          // Revoke the real identities first: the near misses must stay unrevoked.
          const until = iat + 10_000;
          const rev = (side: "real" | "model") => ({ jti, sessionId: id[side], expiresAt: until });
          const cut = (side: "real" | "model") => ({
            sessionId: id[side],
            issuedBefore: iat + 1,
            until,
          });
          const userCut = { userId, issuedBefore: iat + 1, until };
          w.note(`revokeToken, revokeTokens (session and user) of the real ids`);
          await call({ op: "revokeToken", revocation: rev("model") }, (s) =>
            s.revokeToken(rev("real")));
          await call({ op: "revokeTokens", cutoff: cut("model") }, (s) =>
            s.revokeTokens(cut("real")));
          await call({ op: "revokeTokens", cutoff: userCut }, (s) =>
            s.revokeTokens(userCut));
        }
        if (a.target === "isTokenRevoked") {
          const probes: [string, Pair, string, string][] = [
            ["jti", id, nearJti, nearUser],
            ["session", near, nearJti, nearUser],
            ["user", near, jti, nearUser],
          ];
          for (const [what, sid, j, u] of probes) {
            w.note(`isTokenRevoked(near-miss ${what})`);
            await call(
              { op: "isTokenRevoked", token: token(sid, "model", j, u) },
              (s) =>
                s.isTokenRevoked(token(sid, "real", j, u)),
            );
          }
          continue;
        }
        w.note(`${a.target} with ${near.label} / user ${show(nearUser)} / jti ${show(nearJti)}`);
        switch (a.target) {
          case "get":
            await call({ op: "get", sessionId: near.model }, (s) =>
              s.get(near.real));
            break;
          case "destroy":
            await call({ op: "destroy", sessionId: near.model }, (s) => s.destroy(near.real));
            break;
          case "update":
            await call(
              { op: "update", sessionId: near.model, data: { near: 1 } },
              (s) => s.update(near.real, { near: 1 }),
            );
            break;
          case "list":
            await call({ op: "list", userId: nearUser }, (s) => s.list(nearUser));
            break;
          case "destroyAll":
            await call({ op: "destroyAll", userId: nearUser }, (s) => s.destroyAll(nearUser));
            break;
          case "destroyAll-except":
            await call(
              { op: "destroyAll", userId, options: { exceptSessionId: near.model } },
              (s) => s.destroyAll(userId, { exceptSessionId: near.real }),
            );
            break;
          case "validate":
          case "rotate":
          case "attach":
          case "secret": {
            const secret = tryParseCredential(cred.real)!.secret;
            const modelSecret = tryParseCredential(cred.model)!.secret;
            const pair = a.target === "secret"
              ? {
                real: `${id.real}.${nearMissId(secret, how)}`,
                model: `${id.model}.${nearMissId(modelSecret, how)}`,
              }
              : { real: `${near.real}.${secret}`, model: `${near.model}.${modelSecret}` };
            const attach = { userId: nearUser, ...TTL };
            await call(
              a.target === "attach"
                ? { op: "attach", credential: pair.model, options: attach }
                : { op: a.target === "rotate" ? "rotate" : "validate", credential: pair.model },
              (s) =>
                a.target === "attach"
                  ? s.attach(pair.real, attach)
                  : a.target === "rotate"
                  ? s.rotate(pair.real)
                  : s.validate(pair.real),
            );
            break;
          }
          case "revokeToken":
          case "revokeToken-jti": {
            const sid = a.target === "revokeToken" ? near : id;
            const j = a.target === "revokeToken" ? jti : nearJti;
            const rev = (side: "real" | "model") => ({
              jti: j,
              sessionId: sid[side],
              expiresAt: iat + 10_000,
            });
            await call({ op: "revokeToken", revocation: rev("model") }, (s) =>
              s.revokeToken(rev("real")));
            break;
          }
          case "revokeTokens-session": {
            const cut = (side: "real" | "model") => ({
              sessionId: near[side],
              issuedBefore: iat + 1,
              until: iat + 10_000,
            });
            await call({ op: "revokeTokens", cutoff: cut("model") }, (s) =>
              s.revokeTokens(cut("real")));
            break;
          }
          case "revokeTokens-user": {
            const cut = { userId: nearUser, issuedBefore: iat + 1, until: iat + 10_000 };
            await call({ op: "revokeTokens", cutoff: cut }, (s) =>
              s.revokeTokens(cut));
            break;
          }
        }
      }
      if (a.target !== "isTokenRevoked") {
        await observe(w, r, id, cred, userId, tokenRevocation ? token : undefined);
      }
    },
  );

/** The real ids read back: get, the owner's list, the credential, its token. */
async function observe(
  w: World,
  r: Real,
  id: Pair,
  cred: Pair,
  userId: string,
  token:
    | ((sid: Pair, side: "real" | "model") => {
      jti: string;
      sessionId: string;
      userId: string;
      issuedAt: number;
    })
    | undefined,
): Promise<void> {
  w.note("get, list, validate and isTokenRevoked of the real ids");
  await w.both({ op: "get", sessionId: id.model }, (s) => s.get(id.real), r.store);
  await w.both({ op: "list", userId }, (s) => s.list(userId), r.store);
  await w.both({ op: "validate", credential: cred.model }, (s) => s.validate(cred.real), r.store);
  if (token === undefined) return;
  await w.both(
    { op: "isTokenRevoked", token: token(id, "model") },
    (s) => s.isTokenRevoked(token(id, "real")),
    r.store,
  );
}
