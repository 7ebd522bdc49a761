/** Not done yet, with what the probe saw (reported if the wait times out). */
export interface Progress {
  readonly done: boolean;
  readonly state: unknown;
}

const isProgress = (value: unknown): value is Progress =>
  typeof value === "object" && value !== null && "done" in value && "state" in value && Object.keys(value).length === 2;

/**
 * Polls `probe` until it is done, or fails with `what` (and the last state or error the probe gave) after
 * `timeoutMs`. The probe is done when it returns `{ done: true, state }`, or any value but `undefined`, `false` and
 * `{ done: false, state }`; a probe that throws is retried (its error is reported on timeout). Resolves with the
 * probe's last value.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 200 } = {},
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  let last: { state: unknown } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (isProgress(value)) last = { state: value.state };
      const done = isProgress(value) ? value.done : value !== undefined && value !== false;
      if (done) return value as Exclude<T, undefined | false>;
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen =
        last === undefined
          ? ""
          : "error" in last
            ? ` (last error: ${String(last.error)})`
            : ` (last state: ${JSON.stringify(last.state)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
