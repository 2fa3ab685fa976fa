package yastack.proxy;

import io.netty.util.AsciiString;

/**
 * Field names that {@link FlatHttpHeaders#removeEach} removes in one pass, with their lookup
 * keys ({@link FlatHttpHeaders#key}) computed once.
 */
final class HeaderNameSet {
    private final CharSequence[] names;
    private final int[] keys;

    HeaderNameSet(CharSequence... names) {
        this.names = names.clone();
        this.keys = new int[names.length];
        for (int i = 0; i < names.length; i++) keys[i] = FlatHttpHeaders.key(names[i]);
    }

    /** Whether {@code name}, whose key is {@code key}, is one of these (ignoring case). */
    boolean has(int key, CharSequence name) {
        for (int j = 0; j < keys.length; j++) {
            if (keys[j] == key && AsciiString.contentEqualsIgnoreCase(names[j], name)) return true;
        }
        return false;
    }
}
