// A walk through sessionkit on the embedded MemoryStore, printing each step:
// login → validate → rotate → reuse detected → logout. Run: `npm run walkthrough`.
import { ManualClock, MemoryStore, SessionError, SessionManager } from "../mod.ts";

const clock = new ManualClock(Date.UTC(2026, 10, 29, 9, 0));
const store = new MemoryStore({ clock });
const manager = new SessionManager({
  store,
  clock,
  session: { graceMs: 0 },
  onEvent: (event) =>
    console.log(
      `    event: ${event.type} ${event.sessionRef}${event.reason ? ` (${event.reason})` : ""}`,
    ),
});
const time = () => new Date(clock.now()).toISOString().slice(11, 19);
// Never print a credential, not even part of it: show only its shape.
const short = (credential: string) => `<${credential.length} characters, not shown>`;

console.log(`${time()} login as ada from Firefox`);
const login = await manager.login("ada", { device: { userAgent: "Firefox/140", label: "Laptop" } });
console.log(
  `    cookie credential ${
    short(login.credential)
  } (Set-Cookie: HttpOnly; Secure; SameSite=Strict)`,
);

clock.advance(20 * 60_000);
console.log(`${time()} validate a request 20 minutes later`);
const seen = await manager.validate(login.credential, { userAgent: "Firefox/140" });
console.log(
  `    session of ${seen.session.userId}, idle expiry slid to ${
    new Date(seen.session.idleExpiresAt).toISOString().slice(11, 19)
  }`,
);

console.log(`${time()} confirm password → regenerate the session (new credential, old one dead)`);
const fresh = await manager.regenerate(login.credential);
console.log(`    new credential ${short(fresh.credential!)}`);

console.log(`${time()} an attacker replays the old credential`);
try {
  await manager.validate(login.credential);
} catch (error) {
  if (!(error instanceof SessionError)) throw error;
  console.log(`    refused: ${error.code} — ${error.message}`);
}

console.log(`${time()} the family is revoked: the fresh credential is dead too`);
try {
  await manager.validate(fresh.credential!);
} catch (error) {
  if (!(error instanceof SessionError)) throw error;
  console.log(`    refused: ${error.code}`);
}

console.log(`${time()} ada logs in again, then logs out`);
const again = await manager.login("ada");
console.log(`    devices: ${(await manager.listSessions("ada")).length}`);
console.log(`    logout ended a session: ${await manager.logout(again.credential)}`);
console.log(`    devices: ${(await manager.listSessions("ada")).length}`);
