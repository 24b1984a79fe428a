// The "blind" family: single-defect variants of _blind_base_store.ts, each a plausible mistake of
// a store author, written from the store contract and docs/writing-a-store.md only (issue 21:
// measure how well the kit catches defects nobody described to it). Each entry overrides one rule
// of the base store; its name says what is wrong.

import {
  checkArguments,
  type DeviceInfo,
  type JsonObject,
  RETIRED_SECRETS_KEPT,
  type Session,
  type SessionKind,
  type TokenCutoff,
} from "../../src/stores/store.ts";
import {
  BlindBaseStore,
  type BlindBaseStore as Base,
  type BlindCutoff,
  type BlindOperation,
  type BlindRecord,
  type BlindStoreOptions,
  type Lookup,
  type SecretVerdict,
} from "./_blind_base_store.ts";

export { blindBaseFactory, BlindBaseStore } from "./_blind_base_store.ts";

/** What the kit hands a factory (its `StoreContext` fits). */
export type BlindContext = BlindStoreOptions;

/** Builds a fresh store of one variant. */
export type BlindFactory = (ctx: BlindContext) => Base;

type Variant = new (options: BlindStoreOptions) => Base;
const make = (V: Variant): BlindFactory => (ctx) => new V(ctx);

// --- create / login limits ------------------------------------------------------------------

class LimitCountsUnswept extends BlindBaseStore {
  // A lazy store: no sweep of sessions, and the limit counts the index as it stands.
  protected override sweep(now: number): void {
    for (const [k, until] of this.revokedJtis) if (now >= until) this.revokedJtis.delete(k);
  }
  protected override limitPool(userId: string): BlindRecord[] {
    return this.indexed(userId);
  }
}

class EvictsNewest extends BlindBaseStore {
  protected override pickEvictions(pool: BlindRecord[], limit: number): BlindRecord[] {
    const excess = pool.length + 1 - limit;
    return excess > 0 ? pool.slice(pool.length - excess) : [];
  }
}

class LimitOffByOne extends BlindBaseStore {
  protected override pickEvictions(pool: BlindRecord[], limit: number): BlindRecord[] {
    const excess = pool.length - limit;
    return excess > 0 ? pool.slice(0, excess) : [];
  }
}

class RejectStillEvicts extends BlindBaseStore {
  protected override applyLimit(
    pool: BlindRecord[],
    limit: number,
    onLimit: "evict-oldest" | "reject",
  ): BlindRecord[] | null {
    const doomed = this.pickEvictions(pool, limit);
    for (const r of doomed) this.removeSession(r);
    return doomed.length > 0 && onLimit === "reject" ? null : doomed;
  }
}

class EvictsLeastActive extends BlindBaseStore {
  protected override pickEvictions(pool: BlindRecord[], limit: number): BlindRecord[] {
    const byActivity = [...pool].sort((a, b) => a.lastActiveAt - b.lastActiveAt);
    return super.pickEvictions(byActivity, limit);
  }
}

class EvictedNewestFirst extends BlindBaseStore {
  protected override pickEvictions(pool: BlindRecord[], limit: number): BlindRecord[] {
    return super.pickEvictions(pool, limit).reverse();
  }
}

class LoginUnlocked extends BlindBaseStore {
  protected override exclusive<T>(op: BlindOperation, body: () => Promise<T>): Promise<T> {
    return op === "create" || op === "attach" ? body() : super.exclusive(op, body);
  }
}

// --- validate / slide -----------------------------------------------------------------------

class ExpiryInclusive extends BlindBaseStore {
  protected override isLive(r: BlindRecord, now: number): boolean {
    return now <= r.idleExpiresAt;
  }
}

class SlideThresholdInclusive extends BlindBaseStore {
  protected override shouldSlide(r: BlindRecord, now: number, threshold: number): boolean {
    return r.idleExpiresAt - now <= threshold * r.idleTtlMs;
  }
}

class SlidePastAbsolute extends BlindBaseStore {
  protected override slide(r: BlindRecord, now: number): void {
    r.lastActiveAt = now;
    r.idleExpiresAt = now + r.idleTtlMs;
  }
}

class ThrottledValidateTouches extends BlindBaseStore {
  protected override onValidated(r: BlindRecord, now: number, threshold: number): void {
    super.onValidated(r, now, threshold);
    r.lastActiveAt = now;
  }
}

class GetSlides extends BlindBaseStore {
  override async get(sessionId: string): Promise<Session | null> {
    checkArguments({ op: "get", sessionId }, this.config);
    return this.exclusive("get", async () => {
      const now = this.clock.now();
      const r = this.sessions.get(this.sessionKey(sessionId));
      if (r === undefined || !this.isLive(r, now)) return null;
      this.onValidated(r, now, 1);
      return this.view(r);
    });
  }
}

class RefusedValidationSlides extends BlindBaseStore {
  protected override onMismatch(op: "validate" | "rotate", r: BlindRecord, now: number) {
    if (op === "validate") this.onValidated(r, now, 1);
    return super.onMismatch(op, r, now);
  }
}

class RefusedRotationTouches extends BlindBaseStore {
  protected override onMismatch(op: "validate" | "rotate", r: BlindRecord, now: number) {
    if (op === "rotate") r.lastActiveAt = now;
    return super.onMismatch(op, r, now);
  }
}

class KindCheckedAfterReuse extends BlindBaseStore {
  protected override lookup(
    credential: string,
    now: number,
    kind: SessionKind | undefined,
  ): Lookup {
    const found = super.lookup(credential, now, undefined);
    if (found.found === "ok" && kind !== undefined && found.record.kind !== kind) {
      return { found: "none" };
    }
    return found;
  }
}

// --- rotate / grace / reuse -----------------------------------------------------------------

class GraceOffByOne extends BlindBaseStore {
  protected override graceDeadline(now: number, graceMs: number): number {
    return now + graceMs + 1;
  }
}

class GraceForAnyRetired extends BlindBaseStore {
  protected override judgeSecret(r: BlindRecord, hash: string, now: number): SecretVerdict {
    const verdict = super.judgeSecret(r, hash, now);
    return verdict === "reused" && this.inGrace(r, now) ? "grace" : verdict;
  }
}

class StalePredecessorNotReuse extends BlindBaseStore {
  protected override judgeSecret(r: BlindRecord, hash: string, now: number): SecretVerdict {
    const verdict = super.judgeSecret(r, hash, now);
    const newest = r.retired[r.retired.length - 1];
    return verdict === "reused" && newest === hash ? "unknown" : verdict;
  }
}

class RetiredKeptTooFew extends BlindBaseStore {
  protected override remember(r: BlindRecord, hash: string): void {
    r.retired.push(hash);
    while (r.retired.length > RETIRED_SECRETS_KEPT - 1) r.retired.shift();
  }
}

class RetiredKeptForever extends BlindBaseStore {
  protected override remember(r: BlindRecord, hash: string): void {
    r.retired.push(hash);
  }
}

class ReuseKeepsSession extends BlindBaseStore {
  protected override onReuse(r: BlindRecord) {
    return { status: "reused" as const, sessionId: r.id, userId: r.userId };
  }
}

class RotateUnlocked extends BlindBaseStore {
  protected override exclusive<T>(op: BlindOperation, body: () => Promise<T>): Promise<T> {
    return op === "rotate" ? body() : super.exclusive(op, body);
  }
}

// --- step-up --------------------------------------------------------------------------------

class AnonymousReauthenticates extends BlindBaseStore {
  protected override rotatedAuthenticatedAt(r: BlindRecord, now: number, reauthenticate: boolean) {
    return reauthenticate ? now : r.authenticatedAt;
  }
}

class PlainRotationReauthenticates extends BlindBaseStore {
  protected override rotatedAuthenticatedAt(r: BlindRecord, now: number) {
    return r.userId !== null ? now : r.authenticatedAt;
  }
}

class AnonymousAuthenticatedAtNow extends BlindBaseStore {
  protected override loginAuthenticatedAt(_userId: string | null, now: number): number | null {
    return now;
  }
}

// --- logout / revoke ------------------------------------------------------------------------

class DestroyReturnsExpired extends BlindBaseStore {
  override async destroy(sessionId: string): Promise<Session | null> {
    checkArguments({ op: "destroy", sessionId }, this.config);
    return this.exclusive("destroy", async () => {
      const r = this.sessions.get(this.sessionKey(sessionId));
      if (r === undefined) return null;
      this.removeSession(r);
      return this.view(r);
    });
  }
}

class DestroyAllTakesExpired extends BlindBaseStore {
  override async destroyAll(
    userId: string,
    options: { exceptSessionId?: string } = {},
  ): Promise<Session[]> {
    checkArguments({ op: "destroyAll", userId, options }, this.config);
    return this.exclusive("destroyAll", async () => {
      const doomed = this.indexed(userId).filter((r) => r.id !== options.exceptSessionId);
      for (const r of doomed) this.removeSession(r);
      return doomed.map((r) => this.view(r));
    });
  }
}

// --- access-token revocation and cutoffs ----------------------------------------------------

class JtiExpiryInclusive extends BlindBaseStore {
  protected override jtiRevoked(until: number | undefined, now: number): boolean {
    return until !== undefined && now <= until;
  }
}

class JtiLastWriteWins extends BlindBaseStore {
  protected override mergeJti(_old: number | undefined, expiresAt: number): number {
    return expiresAt;
  }
}

class CutoffReplacesLive extends BlindBaseStore {
  protected override mergeCutoff(_old: BlindCutoff | undefined, next: BlindCutoff) {
    return { ...next };
  }
}

class CutoffIssuedBeforeInclusive extends BlindBaseStore {
  protected override cutoffApplies(c: BlindCutoff | undefined, iat: number, now: number): boolean {
    return c !== undefined && now < c.until && iat <= c.issuedBefore;
  }
}

class CutoffUntilInclusive extends BlindBaseStore {
  protected override cutoffApplies(c: BlindCutoff | undefined, iat: number, now: number): boolean {
    return c !== undefined && now <= c.until && iat < c.issuedBefore;
  }
}

class UserCutoffByPrefix extends BlindBaseStore {
  protected override userCutoffFor(userId: string): BlindCutoff | undefined {
    for (const [key, c] of this.userCutoffs) if (userId.startsWith(key)) return c;
    return undefined;
  }
}

class TokenKeyDash extends BlindBaseStore {
  protected override tokenKey(sessionId: string, jti: string): string {
    return `${sessionId}-${jti}`;
  }
}

class JtiKeyedAlone extends BlindBaseStore {
  protected override tokenKey(_sessionId: string, jti: string): string {
    return jti;
  }
}

class CutoffsShareOneMap extends BlindBaseStore {
  protected override storeCutoff(cutoff: TokenCutoff, now: number): void {
    const key = cutoff.sessionId ?? cutoff.userId;
    const next = { issuedBefore: cutoff.issuedBefore, until: cutoff.until };
    this.sessionCutoffs.set(key, this.mergeCutoff(this.sessionCutoffs.get(key), next, now));
  }
  protected override userCutoffFor(userId: string): BlindCutoff | undefined {
    return this.sessionCutoffs.get(userId);
  }
}

class SweepCutoffsByIssuedBefore extends BlindBaseStore {
  protected override sweep(now: number): void {
    for (const r of [...this.sessions.values()]) if (!this.isLive(r, now)) this.removeSession(r);
    for (const [k, until] of this.revokedJtis) if (now >= until) this.revokedJtis.delete(k);
    for (const map of [this.sessionCutoffs, this.userCutoffs]) {
      for (const [key, c] of map) if (now >= c.issuedBefore) map.delete(key);
    }
  }
}

class SessionRemovalDropsRevocations extends BlindBaseStore {
  protected override removeSession(r: BlindRecord): void {
    super.removeSession(r);
    for (const key of [...this.revokedJtis.keys()]) {
      if ((JSON.parse(key) as [string, string])[0] === r.id) this.revokedJtis.delete(key);
    }
    this.sessionCutoffs.delete(r.id);
  }
}

class JtiTruncated extends BlindBaseStore {
  protected override tokenKey(sessionId: string, jti: string): string {
    return super.tokenKey(sessionId, jti.slice(0, 128));
  }
}

// --- listing --------------------------------------------------------------------------------

class ListByActivity extends BlindBaseStore {
  protected override listed(userId: string, now: number): BlindRecord[] {
    return super.listed(userId, now).sort((a, b) => a.lastActiveAt - b.lastActiveAt);
  }
}

class ListIncludesExpired extends BlindBaseStore {
  protected override listed(userId: string): BlindRecord[] {
    return this.indexed(userId);
  }
}

class FlatPrefixIndex extends BlindBaseStore {
  // One flat set of "userId:sessionId" keys, scanned by prefix and split at the last ':'.
  readonly #flat = new Set<string>();
  protected override indexAdd(r: BlindRecord): void {
    if (r.userId !== null) this.#flat.add(`${r.userId}:${r.id}`);
  }
  protected override indexRemove(r: BlindRecord): void {
    if (r.userId !== null) this.#flat.delete(`${r.userId}:${r.id}`);
  }
  protected override indexed(userId: string): BlindRecord[] {
    const out: BlindRecord[] = [];
    for (const key of this.#flat) {
      if (!key.startsWith(`${userId}:`)) continue;
      const r = this.sessions.get(this.sessionKey(key.slice(key.lastIndexOf(":") + 1)));
      if (r !== undefined) out.push(r);
    }
    return out.sort((a, b) => a.loginSeq - b.loginSeq);
  }
}

// --- data updates / version compare-and-set -------------------------------------------------

class ConflictStillWrites extends BlindBaseStore {
  protected override writeData(r: BlindRecord, data: JsonObject, expected: number | undefined) {
    const ok = expected === undefined || expected === r.version;
    r.data = this.copyIn(data);
    if (ok) r.version += 1;
    return ok;
  }
}

class VersionBumpedOnlyOnChange extends BlindBaseStore {
  protected override writeData(r: BlindRecord, data: JsonObject, expected: number | undefined) {
    if (expected !== undefined && expected !== r.version) return false;
    if (JSON.stringify(data) === JSON.stringify(r.data)) return true;
    return super.writeData(r, data, expected);
  }
}

class UpdateTouches extends BlindBaseStore {
  protected override writeData(r: BlindRecord, data: JsonObject, expected: number | undefined) {
    const ok = super.writeData(r, data, expected);
    if (ok) r.lastActiveAt = this.clock.now();
    return ok;
  }
}

// --- binding --------------------------------------------------------------------------------

class BindNullIgnored extends BlindBaseStore {
  protected override bindingFails(
    device: DeviceInfo,
    bind: { userAgent?: string | null; ip?: string | null } | undefined,
  ) {
    if (bind === undefined) return false;
    const present: { userAgent?: string; ip?: string } = {};
    if (typeof bind.userAgent === "string") present.userAgent = bind.userAgent;
    if (typeof bind.ip === "string") present.ip = bind.ip;
    return super.bindingFails(device, present);
  }
}

class BindMissingFieldMismatches extends BlindBaseStore {
  protected override bindingFails(
    device: DeviceInfo,
    bind: { userAgent?: string | null; ip?: string | null } | undefined,
  ) {
    if (bind === undefined) return false;
    for (const key of ["userAgent", "ip"] as const) {
      if (bind[key] !== undefined && (device[key] ?? null) !== bind[key]) return true;
    }
    return false;
  }
}

class BindUserAgentCaseInsensitive extends BlindBaseStore {
  protected override bindingFails(
    device: DeviceInfo,
    bind: { userAgent?: string | null; ip?: string | null } | undefined,
  ) {
    if (bind === undefined) return false;
    const ua = bind.userAgent;
    const recorded = device.userAgent;
    if (
      typeof ua === "string" && recorded !== undefined &&
      ua.toLowerCase() === recorded.toLowerCase()
    ) {
      const rest: { ip?: string | null } = {};
      if (bind.ip !== undefined) rest.ip = bind.ip;
      return super.bindingFails(device, rest);
    }
    return super.bindingFails(device, bind);
  }
}

// --- attach ---------------------------------------------------------------------------------

class AttachMergesData extends BlindBaseStore {
  protected override attachData(anon: BlindRecord, data: JsonObject | undefined): JsonObject {
    return data === undefined ? anon.data : { ...anon.data, ...data };
  }
}

class AttachMergesDevice extends BlindBaseStore {
  protected override attachDevice(anon: BlindRecord, device: DeviceInfo | undefined): DeviceInfo {
    return device === undefined ? anon.device : { ...anon.device, ...device };
  }
}

// --- aliasing of inputs and outputs ---------------------------------------------------------

class KeepsCallerData extends BlindBaseStore {
  protected override copyIn(data: JsonObject): JsonObject {
    return data;
  }
}

class ReturnsInternalData extends BlindBaseStore {
  protected override copyOut(data: JsonObject): JsonObject {
    return data;
  }
}

class KeepsCallerDevice extends BlindBaseStore {
  protected override deviceIn(device: DeviceInfo | undefined): DeviceInfo {
    return device ?? {};
  }
}

// --- id and key handling --------------------------------------------------------------------

class UserKeyLowerCase extends BlindBaseStore {
  protected override userKey(userId: string): string {
    return userId.toLowerCase();
  }
}

class UserKeyNfc extends BlindBaseStore {
  protected override userKey(userId: string): string {
    return userId.normalize("NFC");
  }
}

class UserKeyNumeric extends BlindBaseStore {
  protected override userKey(userId: string): string {
    return /^\d+$/.test(userId) ? String(Number(userId)) : userId;
  }
}

class UserKeyTruncated extends BlindBaseStore {
  protected override userKey(userId: string): string {
    return userId.slice(0, 64);
  }
}

class SessionKeyLowerCase extends BlindBaseStore {
  protected override sessionKey(id: string): string {
    return id.toLowerCase();
  }
}

/** Every single-defect variant, named by what is wrong. */
export const blindBrokenStores: Readonly<Record<string, BlindFactory>> = Object.freeze({
  // create / login limits
  "limit counts expired-but-unswept sessions (no sweep before counting)": make(LimitCountsUnswept),
  "limit evicts the newest login instead of the oldest": make(EvictsNewest),
  "limit lets one session too many in (count > limit)": make(LimitOffByOne),
  'a login refused by onLimit "reject" still evicts the oldest': make(RejectStillEvicts),
  "limit evicts the least recently active, not the oldest login": make(EvictsLeastActive),
  "evicted sessions reported newest first": make(EvictedNewestFirst),
  "login limit checked outside the lock (count, await, write)": make(LoginUnlocked),
  // validate / slide
  "compares idle expiry with <= instead of <": make(ExpiryInclusive),
  "slides when the remaining idle time equals the threshold (<=)": make(SlideThresholdInclusive),
  "slide ignores the absolute lifetime": make(SlidePastAbsolute),
  "a throttled validate still bumps lastActiveAt": make(ThrottledValidateTouches),
  "get slides the session": make(GetSlides),
  "a validation refused on binding still slides": make(RefusedValidationSlides),
  "a rotation refused on binding still bumps lastActiveAt": make(RefusedRotationTouches),
  "kind checked after the reuse verdict (wrong kind still revokes)": make(KindCheckedAfterReuse),
  // rotate / grace / reuse
  "rotation grace window off by one ms": make(GraceOffByOne),
  "every remembered secret validates inside the grace window": make(GraceForAnyRetired),
  "the predecessor after its grace window is invalid, not reuse": make(StalePredecessorNotReuse),
  "remembers one rotated-away secret too few (7)": make(RetiredKeptTooFew),
  "remembers every rotated-away secret (no cap of 8)": make(RetiredKeptForever),
  "reuse answered but the session not revoked": make(ReuseKeepsSession),
  "rotation outside the lock (two concurrent rotations both rotate)": make(RotateUnlocked),
  // step-up
  "reauthenticate sets authenticatedAt on an anonymous session": make(AnonymousReauthenticates),
  "a plain rotation moves authenticatedAt": make(PlainRotationReauthenticates),
  "an anonymous session gets authenticatedAt = now": make(AnonymousAuthenticatedAtNow),
  // logout / revoke
  "destroy returns an expired session instead of null": make(DestroyReturnsExpired),
  "destroyAll destroys and returns expired sessions too": make(DestroyAllTakesExpired),
  // access-token revocation and cutoffs
  "a revoked jti is still revoked at its expiresAt (<=)": make(JtiExpiryInclusive),
  "revoking a jti again keeps the last expiresAt, not the later": make(JtiLastWriteWins),
  "a new cutoff replaces one still in force instead of merging": make(CutoffReplacesLive),
  "a cutoff revokes tokens issued exactly at issuedBefore (<=)": make(CutoffIssuedBeforeInclusive),
  "a cutoff still applies at its until (<=)": make(CutoffUntilInclusive),
  "revocation of user A's tokens matches user AB (prefix)": make(UserCutoffByPrefix),
  "jti revocations keyed by sessionId + '-' + jti (a base64url character)": make(TokenKeyDash),
  "jti revocations keyed by the jti alone (any session)": make(JtiKeyedAlone),
  "session and user cutoffs share one map": make(CutoffsShareOneMap),
  "sweep drops cutoffs once issuedBefore passed, not until": make(SweepCutoffsByIssuedBefore),
  "removing a session drops its token revocations": make(SessionRemovalDropsRevocations),
  "jti truncated to 128 characters in the revocation key": make(JtiTruncated),
  // listing
  "list ordered by last activity instead of login": make(ListByActivity),
  "list includes expired-but-unswept sessions": make(ListIncludesExpired),
  "user index as flat 'userId:sessionId' keys scanned by prefix": make(FlatPrefixIndex),
  // data updates / version compare-and-set
  "a version conflict still writes the data": make(ConflictStillWrites),
  "version bumped only when the data changed": make(VersionBumpedOnlyOnChange),
  "update bumps lastActiveAt": make(UpdateTouches),
  // binding
  "a bind fact of null is treated as not bound": make(BindNullIgnored),
  "binding mismatches when the session lacks the device field": make(BindMissingFieldMismatches),
  "binding compares user agents case-insensitively": make(BindUserAgentCaseInsensitive),
  // attach
  "attach merges the given data into the anonymous data": make(AttachMergesData),
  "attach merges the given device into the anonymous device": make(AttachMergesDevice),
  // aliasing of inputs and outputs
  "keeps a reference to the caller's data object": make(KeepsCallerData),
  "returns the internal data object (caller can mutate it)": make(ReturnsInternalData),
  "keeps the caller's device object as given (a reference, unknown fields too)": make(
    KeepsCallerDevice,
  ),
  // id / key handling
  "user index keyed by lower-cased id": make(UserKeyLowerCase),
  "user index keyed by NFC-normalised id": make(UserKeyNfc),
  "numeric user ids canonicalised ('007' is user 7)": make(UserKeyNumeric),
  "user index key truncated to 64 characters": make(UserKeyTruncated),
  "session map keyed by lower-cased id": make(SessionKeyLowerCase),
});
