import { interceptLocalhostDns } from "fauxqs";

/**
 * fauxqs hands out queue URLs on `sqs.<region>.localhost`, and the SDK sends SQS calls to the queue URL's host.
 * This machine's resolver does not map `*.localhost` to loopback, so test processes (and service processes the
 * tests spawn, via `node --import`) resolve them here. Never loaded by production code.
 */
interceptLocalhostDns();
