// Private: structural equality that names the first difference, for readable kit failures.

/** Returns `null` when equal, else the path and both values of the first difference. */
export function firstDifference(actual: unknown, expected: unknown, path = "$"): string | null {
  if (Object.is(actual, expected)) return null;
  if (
    typeof actual !== "object" || typeof expected !== "object" || actual === null ||
    expected === null || Array.isArray(actual) !== Array.isArray(expected)
  ) {
    return `${path}: store answered ${show(actual)}, model expects ${show(expected)}`;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) {
      return `${path}.length: store answered ${actual.length}, model expects ${expected.length}`;
    }
    for (let i = 0; i < actual.length; i++) {
      const d = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
  // "status" first: it says the most about what went wrong.
  const ordered = [...keys].sort((
    x,
    y,
  ) => (x === "status" ? -1 : y === "status" ? 1 : x < y ? -1 : 1));
  for (const key of ordered) {
    if (a[key] === undefined && e[key] === undefined) continue;
    const d = firstDifference(a[key], e[key], `${path}.${key}`);
    if (d !== null) return d;
  }
  return null;
}

function show(value: unknown): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
