import type { Socket } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";

/** What the test SMTP server received. */
export interface Received {
  envelope: string[];
  /** True when the session was upgraded with STARTTLS. */
  secure: boolean;
  mail: ParsedMail;
}

/**
 * A real SMTP server on loopback (smtp-server), offering STARTTLS with its built-in self-signed
 * certificate, so the client's "STARTTLS required" path is the one tested. `onRecipient` may
 * answer a recipient with an SMTP error (`{ code: 451 }` transient, `{ code: 550 }` permanent).
 * `acceptDelayMs` holds each message that long before accepting it (a slow server), which widens
 * the window in which two overlapping runs could both be sending.
 */
export async function startSmtp(
  options: {
    port?: number;
    onRecipient?: (address: string) => number | undefined;
    acceptDelayMs?: number;
    /**
     * Receives the whole message (it counts in `received`), then destroys the connection instead
     * of answering the final dot: the client sent everything and saw no reply. For the first
     * `n` messages when a number.
     */
    dropAfterData?: boolean | number;
  } = {},
) {
  const received: Received[] = [];
  /** Raw client sockets by their port, to cut one (under STARTTLS too). */
  const sockets = new Map<number, Socket>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH"],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const code = options.onRecipient?.(address.address);
      if (code === undefined) return callback();
      const error = new Error(
        `${code === 550 ? "No such user" : "Try again later"}: ${address.address}`,
      ) as Error & { responseCode: number };
      error.responseCode = code;
      return callback(error);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            envelope: session.envelope.rcptTo.map((r) => r.address),
            secure: session.secure,
            mail,
          });
          const drop = options.dropAfterData;
          if (drop === true || (typeof drop === "number" && received.length <= drop)) {
            sockets.get(session.remotePort)?.destroy();
            return;
          }
          setTimeout(() => callback(), options.acceptDelayMs ?? 0);
        })
        .catch(callback);
    },
  });
  server.server.on("connection", (socket: Socket) => {
    if (socket.remotePort !== undefined) sockets.set(socket.remotePort, socket);
    socket.on("close", () => {
      if (socket.remotePort !== undefined) sockets.delete(socket.remotePort);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = server.server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A free loopback port (for a server that is not up yet). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}
