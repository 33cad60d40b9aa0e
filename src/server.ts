/** Serves a gateway over HTTP and websockets (one Bun.serve for the API and the media streams). */
import type { Gateway } from "./gateway.ts";
import type { MediaSocketData } from "./session/media-socket.ts";

export function serve(gateway: Gateway, opts: { port: number; hostname: string }) {
  return Bun.serve<MediaSocketData>({
    port: opts.port,
    hostname: opts.hostname,
    maxRequestBodySize: gateway.config.MAX_BODY_BYTES + 1024,
    fetch: (req, server) => gateway.fetch(req, server),
    websocket: gateway.websocket,
  });
}
