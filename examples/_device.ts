// A human label for a User-Agent ("Chrome on Linux"), for the devices page. Deliberately rough:
// it is a hint for the user, never a security decision.

const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg\//, "Edge"],
  [/\bOPR\//, "Opera"],
  [/\bFirefox\//, "Firefox"],
  [/\bHeadlessChrome\//, "Headless Chrome"],
  [/\b(?:Chrome|Chromium|CriOS)\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/^curl\//, "curl"],
];

const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\bAndroid\b/, "Android"],
  [/\b(?:iPhone|iPad)\b/, "iOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b/, "macOS"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bLinux\b/, "Linux"],
];

function first(table: readonly (readonly [RegExp, string])[], ua: string): string | undefined {
  return table.find(([re]) => re.test(ua))?.[1];
}

/** "Browser on System", or a generic label when the User-Agent says nothing useful. */
export function deviceLabel(userAgent: string | undefined): string {
  if (userAgent === undefined || userAgent === "") return "Unknown device";
  const browser = first(BROWSERS, userAgent) ?? "Unknown browser";
  const system = first(SYSTEMS, userAgent);
  return system === undefined ? browser : `${browser} on ${system}`;
}
