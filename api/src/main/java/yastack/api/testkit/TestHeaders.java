package yastack.api.testkit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import yastack.api.HttpHeadersView;

/** A list-backed {@link HttpHeadersView} with case-insensitive names. */
public final class TestHeaders implements HttpHeadersView {
    private final List<String[]> lines = new ArrayList<>();

    @Override
    public String get(CharSequence name) {
        for (String[] l : lines) if (l[0].equalsIgnoreCase(name.toString())) return l[1];
        return null;
    }

    @Override
    public List<String> getAll(CharSequence name) {
        List<String> out = new ArrayList<>();
        for (String[] l : lines) if (l[0].equalsIgnoreCase(name.toString())) out.add(l[1]);
        return out;
    }

    @Override
    public HttpHeadersView set(CharSequence name, CharSequence value) {
        remove(name);
        return add(name, value);
    }

    @Override
    public HttpHeadersView add(CharSequence name, CharSequence value) {
        lines.add(new String[] {name.toString(), value.toString()});
        return this;
    }

    @Override
    public boolean remove(CharSequence name) {
        return lines.removeIf(l -> l[0].equalsIgnoreCase(name.toString()));
    }

    @Override
    public Set<String> names() {
        // One entry per header, however its lines spell the name (the first spelling wins).
        Set<String> seen = new HashSet<>();
        Set<String> out = new LinkedHashSet<>();
        for (String[] l : lines) if (seen.add(l[0].toLowerCase(Locale.ROOT))) out.add(l[0]);
        return out;
    }

    @Override
    public int size() {
        return lines.size();
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        // Over a copy, so the action may edit these headers as it goes.
        for (String[] l : List.copyOf(lines)) action.accept(l[0], l[1]);
    }
}
