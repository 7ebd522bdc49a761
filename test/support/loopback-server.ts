import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Listening {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Drops open connections (keep-alive included) and resolves once the server is closed. */
  readonly close: () => Promise<void>;
}

/** Listens on an ephemeral loopback port: for the stand-ins (a fake DynamoDB, a proxy, a stub backend) tests start. */
export async function listenOnLoopback(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
