// Tiny HTML templating for the example: every interpolated value is escaped unless it is already
// `Html` (built by `html` itself).

/** Markup that is safe to embed. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escape(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(escape).join("");
  if (value === null || value === undefined || value === false) return "";
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A tagged template that escapes its values. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += escape(values[i]) + (strings[i + 1] ?? "");
  return new Html(out);
}

/** A whole page. */
export function page(title: string, body: Html): string {
  return html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>${title} · sessionkit example</title>
        <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
    nav { display: flex; gap: 1rem; align-items: center; margin-bottom: 1.5rem; }
    nav form { margin-left: auto; }
    table { border-collapse: collapse; width: 100%; }
    td, th { text-align: left; padding: .4rem; border-bottom: 1px solid #ddd; }
    .note { color: #555; font-size: .9rem; }
    .flash { background: #eef6ee; padding: .5rem 1rem; border-radius: .3rem; }
    .error { background: #fbeaea; padding: .5rem 1rem; border-radius: .3rem; }
    </style>
      </head>
      <body>
    <h1>${title}</h1>
    ${body}
      </body>
    </html>
  `.value;
}
