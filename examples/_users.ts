// Demo users of the example app. A real app stores a slow password hash (argon2id, scrypt) per
// user; the demo keeps plain passwords and compares SHA-256 digests in constant time, so neither
// the comparison's duration nor its early exit reveals how much of a guess was right.

import { constantTimeEqual } from "../src/core/credential.ts";

/** A demo account. */
export interface DemoUser {
  readonly id: string;
  readonly name: string;
  readonly password: string;
}

/** The demo accounts shown on the login page. */
export const DEMO_USERS: readonly DemoUser[] = [
  { id: "ada", name: "Ada Lovelace", password: "lovelace" },
  { id: "bob", name: "Bob the Builder", password: "builder" },
];

async function digest(text: string): Promise<string> {
  const bytes = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The user whose password this is, or `null`; always does the same work. */
export async function checkPassword(
  users: readonly DemoUser[],
  username: string,
  password: string,
): Promise<DemoUser | null> {
  const user = users.find((u) => u.id === username);
  // Compare against a dummy when the user is unknown, so both paths cost the same.
  const expected = await digest(user?.password ?? "\u0000no-such-user");
  const given = await digest(password);
  return constantTimeEqual(expected, given) && user !== undefined ? user : null;
}

/** The user with this id, or `null`. */
export function findUser(users: readonly DemoUser[], id: string | null): DemoUser | null {
  return users.find((u) => u.id === id) ?? null;
}
