// Reads an HTML form body without ever failing on what a client sends: a body that is not a form
// (JSON, text/plain, XML, no content type, multipart without a boundary), is malformed or is too
// large is answered with a 4xx status, never an exception (which would be a 500 and a stack trace
// in the log).

/** Largest form body the example reads. */
export const MAX_FORM_BYTES = 16 * 1024;

/** A form's fields, or the 4xx status to answer. */
export type FormResult =
  | { readonly ok: true; readonly field: (name: string) => string }
  | { readonly ok: false; readonly status: 400 | 413 | 415 };

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const MULTIPART_TYPE = /^multipart\/form-data\s*;(.*;)?\s*boundary=("[^"]+"|[^\s;]+)/i;

async function readBounded(request: Request): Promise<Uint8Array<ArrayBuffer> | null> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_FORM_BYTES) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Reads the request's form fields (a missing field reads as ""), or says which 4xx to answer. */
export async function readForm(request: Request): Promise<FormResult> {
  const type = request.headers.get("content-type") ?? "";
  if (!FORM_TYPE.test(type) && !MULTIPART_TYPE.test(type)) return { ok: false, status: 415 };
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_FORM_BYTES) return { ok: false, status: 413 };
  let bytes: Uint8Array<ArrayBuffer> | null;
  try {
    bytes = await readBounded(request);
  } catch {
    return { ok: false, status: 400 };
  }
  if (bytes === null) return { ok: false, status: 413 };
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": type } }).formData();
  } catch {
    return { ok: false, status: 400 };
  }
  return {
    ok: true,
    field: (name) => {
      const value = form.get(name);
      return typeof value === "string" ? value : "";
    },
  };
}
