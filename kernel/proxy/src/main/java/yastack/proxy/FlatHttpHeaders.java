package yastack.proxy;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;

/**
 * The header fields of a proxied message as one array of fields in arrival order, looked up
 * by a case-insensitive scan. A proxied head has a dozen fields and is asked about a few
 * dozen times, so a scan (which rejects most fields on their length) costs less than
 * Netty's {@code DefaultHttpHeaders}, which hashes every name on insert and lookup and
 * links each field into two lists; here a field is one small immutable object, which the
 * encoder iterates without allocating.
 *
 * <p>Names must be tokens and values free of control characters other than HTAB (RFC 9110
 * 5.1, 5.5), the same checks {@code DefaultHttpHeaders} makes, so neither a filter nor a
 * plugin can split a head. Not thread-safe, like the message it belongs to.
 */
final class FlatHttpHeaders extends HttpHeaders {
    /** For Netty's decoders: the upstream response's header fields. */
    static final HttpHeadersFactory FACTORY = factory(12);
    /** For Netty's decoders: trailers, which a response almost never has, though every body ends with a place for them. */
    static final HttpHeadersFactory TRAILERS = factory(0);

    private static HttpHeadersFactory factory(int capacity) {
        return new HttpHeadersFactory() {
            @Override
            public HttpHeaders newHeaders() {
                return new FlatHttpHeaders(capacity);
            }

            @Override
            public HttpHeaders newEmptyHeaders() {
                return new FlatHttpHeaders(0);
            }
        };
    }

    /** One field; what {@link #iteratorCharSequence()} yields. */
    private static final class Field implements Map.Entry<CharSequence, CharSequence> {
        final CharSequence name;
        final CharSequence value;

        Field(CharSequence name, CharSequence value) {
            this.name = name;
            this.value = value;
        }

        /** Whether this field is called {@code other} (names are case-insensitive; most differ in length). */
        boolean named(CharSequence other) {
            return name.length() == other.length() && AsciiString.contentEqualsIgnoreCase(name, other);
        }

        @Override public CharSequence getKey() { return name; }
        @Override public CharSequence getValue() { return value; }
        @Override public CharSequence setValue(CharSequence v) { throw new UnsupportedOperationException("read-only field"); }
        @Override public String toString() { return name + ": " + value; }
    }

    private Field[] fields;
    private int size;

    FlatHttpHeaders() {
        this(12);
    }

    private FlatHttpHeaders(int capacity) {
        fields = new Field[capacity];
    }

    // ---- lookups

    private int indexOf(CharSequence name, int from) {
        for (int i = from; i < size; i++) {
            if (fields[i].named(name)) return i;
        }
        return -1;
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : fields[i].value.toString();
    }

    @Override
    public String get(CharSequence name, String defaultValue) {
        String v = get(name);
        return v == null ? defaultValue : v;
    }

    /** The first value of {@code name} parsed, or null when absent or not parseable (as Netty's headers answer). */
    private <T> T parsed(CharSequence name, Function<String, T> parse) {
        String v = get(name);
        if (v == null) return null;
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public Integer getInt(CharSequence name) {
        return parsed(name, Integer::valueOf);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        return parsed(name, Short::valueOf);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return parsed(name, v -> {
            Date d = DateFormatter.parseHttpDate(v);
            return d == null ? null : d.getTime();
        });
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) return new ArrayList<>(0);
        List<String> values = new ArrayList<>(2);
        for (; i >= 0; i = indexOf(name, i + 1)) values.add(fields[i].value.toString());
        return values;
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    /** Whether a field {@code name} has exactly {@code value} (not one of a comma-separated list: see containsValue). */
    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = fields[i].value;
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) return true;
        }
        return false;
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) names.add(fields[i].name.toString());
        return names;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) list.add(new AbstractMap.SimpleImmutableEntry<>(fields[i].name.toString(), fields[i].value.toString()));
        return list;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next >= size) throw new NoSuchElementException();
                return fields[next++];
            }
        };
    }

    // ---- edits

    private void append(CharSequence name, CharSequence value) {
        if (size == fields.length) fields = Arrays.copyOf(fields, Math.max(8, size * 2));
        fields[size++] = new Field(name, value);
    }

    /** A field the request grammar ({@link Http1Grammar}) has already checked. */
    void addParsed(String name, String value) {
        append(name, value);
    }

    private static CharSequence validName(CharSequence name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("empty header name");
        for (int i = 0; i < name.length(); i++) {
            if (!Http1Grammar.isTchar(name.charAt(i))) {
                throw new IllegalArgumentException("a header name must be a token: '" + name + "'");
            }
        }
        return name;
    }

    /** The value as text, as Netty's converter writes it; refused if it could end the field. */
    private static CharSequence validValue(Object value) {
        if (value == null) throw new NullPointerException("header value");
        CharSequence v = switch (value) {
            case CharSequence cs -> cs;
            case Date d -> DateFormatter.format(d);
            case Calendar c -> DateFormatter.format(c.getTime());
            default -> value.toString();
        };
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("a header value may not contain control characters (0x"
                        + Integer.toHexString(c) + ")");
            }
        }
        return v;
    }

    private void removeAll(CharSequence name) {
        removeFrom(name, 0);
    }

    /** Removes the fields called {@code name} at index {@code from} and after, keeping the order of the rest. */
    private void removeFrom(CharSequence name, int from) {
        int kept = from;
        for (int i = from; i < size; i++) {
            if (!fields[i].named(name)) fields[kept++] = fields[i];
        }
        Arrays.fill(fields, kept, size, null);
        size = kept;
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(validName(name), validValue(value));
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        validName(name);
        for (Object v : values) append(name, validValue(v));
        return this;
    }

    @Override
    public HttpHeaders add(HttpHeaders headers) {
        if (headers == this) throw new IllegalArgumentException("can't add to itself");
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            add(e.getKey(), e.getValue());
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    /** Replaces the fields named {@code name}; the new one takes the first one's place (or goes last). */
    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence v = validValue(value);
        int i = indexOf(validName(name), 0);
        if (i < 0) {
            append(name, v);
            return this;
        }
        fields[i] = new Field(name, v);
        removeFrom(name, i + 1);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        validName(name);
        removeAll(name);
        for (Object v : values) append(name, validValue(v));
        return this;
    }

    @Override
    public HttpHeaders set(HttpHeaders headers) {
        if (headers == this) return this;
        clear();
        return add(headers);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        removeAll(name);
        return this;
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeAll(name);
        return this;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(fields, 0, size, null);
        size = 0;
        return this;
    }

    /** A copy of these fields (they are immutable, so the copy shares them). */
    @Override
    public HttpHeaders copy() {
        FlatHttpHeaders c = new FlatHttpHeaders(Math.max(size + 4, 8));
        System.arraycopy(fields, 0, c.fields, 0, size);
        c.size = size;
        return c;
    }
}
