// Private: the replies of RedisStore's scripts, decoded in one place per script. Every reply is
// { corrupt, status, ... } (the runner checks `corrupt` is a number; RedisCore.run reports it);
// what follows the status is one of: a view (the record as stored, or the user id's JSON text for
// a `reused` / `binding` verdict), a count and (rest, view) pairs, a flag, a tag.

import type { Reply } from "./_redis_runner.ts";

/** A reply whose status may carry one value: a session's record, or a user id's JSON text. */
export interface ViewReply {
  readonly status: string;
  /** The record as stored (`ok`, `grace`, `rotated`, `claimed`, `conflict`), or the user id's JSON text (`reused`, `binding`). */
  readonly view: unknown;
}

/** validate, slide, rotate, claim, commit, read: the status and its view (if any). */
export function viewReply(reply: Reply): ViewReply {
  return { status: String(reply[1]), view: reply[2] };
}

/** One session of a list reply: its id after the tag, and its record as stored. */
export interface Listed {
  readonly rest: string;
  readonly record: unknown;
}

/** A reply that lists sessions (create: the evicted; index: the listed or removed). */
export interface ListReply {
  readonly status: string;
  readonly sessions: readonly Listed[];
}

/** create and index: the status, then a count and that many (rest, record) pairs. */
export function listReply(reply: Reply): ListReply {
  const sessions: Listed[] = [];
  const count = Number(reply[2]);
  for (let i = 0, at = 3; i < count; i++, at += 2) {
    sessions.push({ rest: String(reply[at]), record: reply[at + 1] });
  }
  return { status: String(reply[1]), sessions };
}

/** index in prune mode: how many live sessions the index has. */
export const liveCount = (reply: Reply): number => Number(reply[2]);

/** tokenCheck: whether the token is revoked. */
export const revoked = (reply: Reply): boolean => reply[1] === 1;

/** tag: the routing tag an earlier layout kept in the user hash (`""` when none). */
export const keptTag = (reply: Reply): string => typeof reply[1] === "string" ? reply[1] : "";
