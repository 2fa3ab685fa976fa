package yastack.stack;

/** One neighbour-cache entry as operators see it. */
public record ArpEntry(String address, String mac, boolean resolved, long expiresInMillis) {}
