// Helpers shared by the example scripts (imported as a sibling module).

/** Whether `path` is `prefix` or lies below it (`/api` matches `/api` and `/api/x`, not `/apix`). */
export function under(path, prefix) {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : prefix + '/');
}

/** A stable bucket 0..99 for a string (e.g. a user id), for percentage rollouts. */
export function bucket(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h % 100;
}
