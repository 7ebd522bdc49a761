/**
 * Spawn options for a service process that must not be able to write where the test made the filesystem read-only.
 * Root ignores permission bits, so under root (as in CI containers) the process runs as `nobody`, like the images'
 * non-root user; otherwise the caller is unprivileged already.
 */
export const unprivileged: { uid?: number; gid?: number } =
  process.getuid?.() === 0 ? { uid: 65_534, gid: 65_534 } : {};
