package yastack.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The header fields of a proxied message as two arrays (names, values) in arrival order,
 * looked up by a case-insensitive scan. A proxied head has a dozen fields and is asked about
 * a few dozen times, so a scan (which rejects most fields on their length) costs less than
 * Netty's {@code DefaultHttpHeaders}, which hashes every name on insert and lookup and
 * links each field into two lists in an entry object of its own; here a field is a slot in
 * each array, and the encoder iterates them through one cursor.
 *
 * <p>Names must be tokens and values free of control characters other than HTAB (RFC 9110
 * 5.1, 5.5), the same checks {@code DefaultHttpHeaders} makes, so neither a filter nor a
 * plugin can split a head. Not thread-safe, like the message it belongs to.
 */
final class FlatHttpHeaders extends TextualHttpHeaders {
    /** Name and value of field i are names[i] and values[i]: no object per field. */
    private CharSequence[] names;
    /** Null for a value still in {@link #raw} (see {@link #value}). */
    private CharSequence[] values;
    /**
     * Per field: its {@link #key} in the low 32 bits (a scan compares ints and reads a name only
     * when they match) and, for a value still in {@link #raw}, where it is there (offset and
     * length, 16 bits each) in the high 32.
     */
    private long[] meta;
    /**
     * The head's bytes the parsed values are in: a value becomes a view of them only when asked
     * for, and the encoder copies the bytes as they are, so a field nobody reads costs no object.
     */
    private byte[] raw;
    private int size;
    /**
     * Slots below this index are shared with another instance ({@link #copy}) and are written
     * only after {@link #detach}: a copy costs no arrays until one side changes a field both
     * see, and a proxied request whose fields are only added to is never copied at all.
     */
    private int sharedBelow;

    FlatHttpHeaders() {
        this(12);
    }

    private static final CharSequence[] NO_TEXT = {};
    private static final long[] NO_META = {};

    /** With room for {@code capacity} fields; 0 allocates nothing until {@link #reserve} or a first field. */
    FlatHttpHeaders(int capacity) {
        names = capacity == 0 ? NO_TEXT : new CharSequence[capacity];
        values = capacity == 0 ? NO_TEXT : new CharSequence[capacity];
        meta = capacity == 0 ? NO_META : new long[capacity];
    }

    /** Room for {@code capacity} fields in all, so that many appends do not grow the arrays. */
    void reserve(int capacity) {
        if (capacity <= names.length) return;
        names = Arrays.copyOf(names, capacity);
        values = Arrays.copyOf(values, capacity);
        meta = Arrays.copyOf(meta, capacity);
        sharedBelow = 0;
    }

    /** Slot {@code index} is about to be written: arrays shared with a copy become this instance's own first. */
    private void writable(int index) {
        if (index < sharedBelow) {
            names = names.clone();
            values = values.clone();
            meta = meta.clone();
            sharedBelow = 0;
        }
    }

    // ---- lookups

    /** A name's length and lower-cased first character: equal for names equal ignoring case, and few others. */
    static int key(CharSequence name) {
        return name.isEmpty() ? 0 : name.length() << 8 | (AsciiString.toLowerCase(name.charAt(0)) & 0xff);
    }

    /** The index of the first field {@code name} at or after {@code from}, or -1: with {@link #valueAt}, a walk with no iterator. */
    int indexOf(CharSequence name, int from) {
        int key = key(name);
        for (int i = from; i < size; i++) {
            if ((int) meta[i] == key && AsciiString.contentEqualsIgnoreCase(names[i], name)) return i;
        }
        return -1;
    }

    @Override
    public String get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : value(i).toString();
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) return new ArrayList<>(0);
        List<String> all = new ArrayList<>(2);
        for (; i >= 0; i = indexOf(name, i + 1)) all.add(value(i).toString());
        return all;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    /** Whether a field {@code name} has exactly {@code value} (not one of a comma-separated list: see containsValue). */
    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = value(i);
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) return true;
        }
        return false;
    }

    CharSequence valueAt(int index) {
        return value(index);
    }

    /** Field i's value; one still in {@link #raw} becomes a view of it now, and stays one. */
    private CharSequence value(int i) {
        CharSequence v = values[i];
        if (v != null) return v;
        int span = (int) (meta[i] >>> 32);
        v = new AsciiString(raw, span >>> 16, span & 0xffff, false);
        values[i] = v;
        return v;
    }

    /** Whether a field {@code name} lists {@code value} among its comma-separated elements (HttpUtil.isKeepAlive asks per message). */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = value(i);
            for (int from = 0; from <= v.length(); ) {
                int comma = AsciiString.indexOf(v, ',', from);
                int end = comma < 0 ? v.length() : comma;
                long span = Http1Grammar.withoutOws(v, from, end);
                int a = (int) (span >>> 32);
                int b = (int) span;
                if (b - a == value.length() && AsciiString.regionMatchesAscii(v, ignoreCase, a, value, 0, b - a)) return true;
                from = end + 1;
            }
        }
        return false;
    }

    /** The values of {@code name} as they are (no list is made). */
    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        int first = indexOf(name, 0);
        if (first < 0) return Collections.emptyIterator();
        return new Iterator<CharSequence>() {
            private int next = first;

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public CharSequence next() {
                if (next < 0) throw new NoSuchElementException();
                CharSequence v = value(next);
                next = indexOf(name, next + 1);
                return v;
            }
        };
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * The fields in order. The entry each {@code next()} returns is the iterator itself, moved
     * on by the next call: read it before then (as Netty's encoder and converters do).
     */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Cursor();
    }

    private final class Cursor implements Iterator<Map.Entry<CharSequence, CharSequence>>, Map.Entry<CharSequence, CharSequence> {
        private int next;
        private int current = -1;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<CharSequence, CharSequence> next() {
            if (next >= size) throw new NoSuchElementException();
            current = next++;
            return this;
        }

        @Override public CharSequence getKey() { return names[current]; }
        @Override public CharSequence getValue() { return value(current); }
        @Override public CharSequence setValue(CharSequence v) { throw new UnsupportedOperationException("read-only field"); }
        @Override public String toString() { return names[current] + ": " + value(current); }
    }

    // ---- for FieldWriter, which writes the fields out

    CharSequence nameAt(int i) {
        return names[i];
    }

    /** Field i's value, or null while it is only a place in {@link #raw} ({@link #rawSpan}). */
    CharSequence valueObjectAt(int i) {
        return values[i];
    }

    /** Where field i's value is in {@link #raw}: offset in the high 16 bits, length in the low 16. */
    int rawSpan(int i) {
        return (int) (meta[i] >>> 32);
    }

    byte[] raw() {
        return raw;
    }

    // ---- edits

    private void append(CharSequence name, CharSequence value) {
        if (size == names.length) reserve(Math.max(8, size * 2));
        else writable(size);
        names[size] = name;
        meta[size] = key(name) & 0xffffffffL;
        values[size++] = value;
    }

    /** A field {@link FieldLines} has already checked. */
    void addParsed(CharSequence name, CharSequence value) {
        append(name, value);
    }

    /**
     * A field {@link FieldLines} has already checked, its value {@code [start, start + length)}
     * of {@code head}: kept as a place in those bytes while every parsed value is in the same
     * array and within its first 64 KiB (else it is a view at once).
     */
    void addParsed(CharSequence name, byte[] head, int start, int length) {
        if (length == 0) {
            append(name, AsciiString.EMPTY_STRING);
            return;
        }
        if (raw == null) raw = head;
        if (raw != head || start + length > 0xffff) {
            append(name, new AsciiString(head, start, length, false));
            return;
        }
        append(name, null);
        meta[size - 1] |= (long) (start << 16 | length) << 32;
    }

    /** Removes every field named in {@code set}, keeping the order of the rest: one pass, however many names. */
    void removeEach(HeaderNameSet set) {
        compact(0, set, null);
    }

    private void removeAll(CharSequence name) {
        removeFrom(name, 0);
    }

    /** Removes the fields called {@code name} at index {@code from} and after, keeping the order of the rest. */
    private void removeFrom(CharSequence name, int from) {
        int first = indexOf(name, from);
        if (first >= 0) compact(first, null, name); // most removals find nothing: nothing is moved
    }

    /** Drops, from index {@code first} on, the fields named in {@code set} or called {@code name} (one of them is null). */
    private void compact(int first, HeaderNameSet set, CharSequence name) {
        int key = name == null ? 0 : (int) meta[first]; // first is a field called name
        if (set != null) {
            while (first < size && !set.has((int) meta[first], names[first])) first++;
            if (first == size) return; // nothing to drop: shared arrays stay shared
        }
        writable(first);
        int kept = first;
        for (int i = first; i < size; i++) {
            boolean drop = set != null ? set.has((int) meta[i], names[i])
                    : (int) meta[i] == key && AsciiString.contentEqualsIgnoreCase(names[i], name);
            if (!drop) {
                names[kept] = names[i];
                values[kept] = values[i];
                meta[kept++] = meta[i];
            }
        }
        Arrays.fill(names, kept, size, null);
        Arrays.fill(values, kept, size, null);
        size = kept;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(FieldText.validName(name), FieldText.validValue(value));
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        FieldText.validName(name);
        for (Object v : values) append(name, FieldText.validValue(v));
        return this;
    }

    /** Replaces the fields named {@code name}; the new one takes the first one's place (or goes last). */
    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        replace(FieldText.validName(name), FieldText.validValue(value));
        return this;
    }

    /**
     * {@link #set(CharSequence, Object)} for a field the proxy itself makes: the name a token
     * constant and the value text it produced (a request id, an address, a scheme), so neither is
     * checked character by character again on every request.
     */
    void setOwn(AsciiString name, CharSequence value) {
        replace(name, value);
    }

    private void replace(CharSequence name, CharSequence value) {
        int i = indexOf(name, 0);
        if (i < 0) {
            append(name, value);
            return;
        }
        writable(i);
        names[i] = name;
        values[i] = value;
        meta[i] &= 0xffffffffL; // the key stays (the names are equal ignoring case); the value is no longer in raw
        removeFrom(name, i + 1);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        FieldText.validName(name);
        removeAll(name);
        for (Object v : values) append(name, FieldText.validValue(v));
        return this;
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeAll(name);
        return this;
    }

    @Override
    public HttpHeaders clear() {
        writable(0);
        Arrays.fill(names, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
        return this;
    }

    /**
     * A copy of these fields that shares the arrays until either side writes a slot both see
     * (names and values are immutable, and a value view cached by either is the same text).
     * Appends to the copy go to the free slots behind this instance's fields when this one had
     * them to give (no earlier copy took them); either way this one's next write of any kind
     * makes its arrays its own first.
     */
    @Override
    public HttpHeaders copy() {
        FlatHttpHeaders c = new FlatHttpHeaders(0);
        c.names = names;
        c.values = values;
        c.meta = meta;
        c.raw = raw;
        c.size = size;
        c.sharedBelow = sharedBelow <= size ? size : Integer.MAX_VALUE;
        sharedBelow = Integer.MAX_VALUE;
        return c;
    }
}
