// Runs the example on Deno (`Deno.serve`) or Node (`@hono/node-server`), whichever is executing.

/** The part of the `Deno` namespace the example uses. */
interface DenoLike {
  env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): { shutdown(): Promise<void>; finished: Promise<void> };
}

const deno = (globalThis as { Deno?: DenoLike }).Deno;

/** Reads an environment variable on Deno or Node. */
export function env(name: string): string | undefined {
  if (deno !== undefined) return deno.env.get(name);
  const proc = (globalThis as { process?: { env: Record<string, string | undefined> } }).process;
  return proc?.env[name];
}

/** A request handler, as `app.fetch`; the second argument is the runtime's connection info. */
export type FetchHandler = (request: Request, info: unknown) => Response | Promise<Response>;

/** A running server. */
export interface RunningServer {
  /** The port it listens on (useful with `port: 0`). */
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** The port; 0 picks a free one. */
  readonly port: number;
  /** The interface. @default "127.0.0.1" */
  readonly hostname?: string;
}

/** Serves `fetch` with `Deno.serve` on Deno, `@hono/node-server` on Node. */
export async function serve(fetch: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  if (deno !== undefined) {
    let port = options.port;
    let listened = (): void => {};
    const listening = new Promise<void>((resolve) => (listened = resolve));
    const server = deno.serve({
      port: options.port,
      hostname,
      onListen: (addr) => {
        port = addr.port;
        listened();
      },
    }, fetch);
    await listening;
    const close = async (): Promise<void> => {
      await server.shutdown();
      await server.finished;
    };
    return { port, close };
  }
  const { serve: nodeServe } = await import("@hono/node-server");
  return await new Promise<RunningServer>((resolve) => {
    const server = nodeServe(
      { fetch: (request, env) => fetch(request, env), port: options.port, hostname },
      (info) => {
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
  });
}

/** The client address of a request, from the runtime's connection info. */
export function remoteAddress(info: unknown): string | undefined {
  const i = info as {
    remoteAddr?: { hostname?: string };
    incoming?: { socket?: { remoteAddress?: string } };
  } | undefined;
  return i?.remoteAddr?.hostname ?? i?.incoming?.socket?.remoteAddress;
}
