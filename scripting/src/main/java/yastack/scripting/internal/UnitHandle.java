package yastack.scripting.internal;

import java.nio.file.Path;

/** The {@link ScriptHandle} part every script policy shares: one {@link ScriptUnit}, loaded at construction. */
abstract class UnitHandle implements ScriptHandle {
    final ScriptUnit unit;

    UnitHandle(ScriptUnit unit) {
        this.unit = unit;
        unit.loadInitial();
    }

    @Override
    public String name() {
        return unit.name();
    }

    @Override
    public Path file() {
        return unit.file();
    }

    @Override
    public long generation() {
        return unit.generation();
    }

    @Override
    public void close() {
        unit.close();
    }
}
