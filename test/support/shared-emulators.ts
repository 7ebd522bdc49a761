import { inject } from "vitest";
import type { Emulators } from "../../kit/emulator-fixtures.js";

/** The endpoints of the emulators the services project's global setup started for the whole run. */
export const sharedEmulators = (): Emulators => ({
  sqsEndpoint: inject("sqsEndpoint"),
  dynamoEndpoint: inject("dynamoEndpoint"),
});
