import { interceptLocalhostDns } from "fauxqs";

/**
 * Preloaded (`node --import`) into the services the local stack starts, and a setup file of the vitest services
 * project; never loaded by production code.
 * fauxqs hands out queue URLs on `sqs.<region>.localhost`, which this machine's resolver does not map to loopback;
 * an SDK client that sends a call to the queue URL's host (instead of an explicit endpoint) would fail with
 * ENOTFOUND. This makes `*.localhost` resolve to 127.0.0.1 in that process only.
 */
interceptLocalhostDns();
