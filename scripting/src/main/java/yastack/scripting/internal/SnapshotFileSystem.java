package yastack.scripting.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The only file system a script sees: read-only, confined to one directory
 * tree, and frozen per script version. While a version compiles
 * ({@link #recording}) files are read from disk once and remembered; the
 * contexts that later run that version ({@link #frozen}) see exactly those
 * bytes, so a file edited after validation can never leak into a version that
 * passed its checks, and the recorded set tells the watcher which files to
 * watch.
 */
public final class SnapshotFileSystem implements FileSystem {
    private final Path root;
    private final Map<Path, byte[]> files;
    private final boolean frozen;
    private final Set<Path> missing = ConcurrentHashMap.newKeySet();

    private SnapshotFileSystem(Path root, Map<Path, byte[]> files, boolean frozen) {
        this.root = root;
        this.files = files;
        this.frozen = frozen;
    }

    /** A file system that reads files under {@code root} from disk and records them. */
    public static SnapshotFileSystem recording(Path root) {
        return new SnapshotFileSystem(normalize(root), new ConcurrentHashMap<>(), false);
    }

    /** A file system serving exactly {@code files} (absolute, normalized paths). */
    public static SnapshotFileSystem frozen(Path root, Map<Path, byte[]> files) {
        return new SnapshotFileSystem(normalize(root), Map.copyOf(files), true);
    }

    /** Every file read so far (for a recording file system) with its content. */
    public Map<Path, byte[]> files() {
        return new HashMap<>(files);
    }

    /**
     * {@link #files()} plus every path looked up but absent, mapped to
     * {@code null}: what a failed attempt depended on, so creating a missing
     * module counts as a change.
     */
    public Map<Path, byte[]> filesAndMisses() {
        Map<Path, byte[]> out = new HashMap<>(files);
        for (Path p : missing) out.putIfAbsent(p, null);
        return out;
    }

    public Path root() {
        return root;
    }

    private static Path normalize(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private Path confined(Path path) throws IOException {
        Path p = normalize(path);
        if (!p.startsWith(root)) {
            throw new AccessDeniedException(p.toString(), null, "scripts may only import files under " + root);
        }
        return p;
    }

    private byte[] content(Path path) throws IOException {
        Path p = confined(path);
        byte[] b = files.get(p);
        if (b != null) return b;
        if (frozen) throw new NoSuchFileException(p.toString());
        if (!Files.isRegularFile(p)) {
            missing.add(p);
            throw new NoSuchFileException(p.toString());
        }
        b = Files.readAllBytes(p);
        byte[] prev = ((ConcurrentHashMap<Path, byte[]>) files).putIfAbsent(p, b);
        return prev == null ? b : prev;
    }

    @Override
    public Path parsePath(URI uri) {
        return Path.of(uri);
    }

    @Override
    public Path parsePath(String path) {
        return Path.of(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        if (modes.contains(AccessMode.WRITE) || modes.contains(AccessMode.EXECUTE)) {
            throw new AccessDeniedException(path.toString(), null, "scripts have read-only access");
        }
        Path p = confined(path);
        if (p.equals(root)) return;
        content(p);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        throw new AccessDeniedException(dir.toString(), null, "scripts have read-only access");
    }

    @Override
    public void delete(Path path) throws IOException {
        throw new AccessDeniedException(path.toString(), null, "scripts have read-only access");
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        for (OpenOption o : options) {
            if (o != StandardOpenOption.READ && o != LinkOption.NOFOLLOW_LINKS) {
                throw new AccessDeniedException(path.toString(), null, "scripts have read-only access");
            }
        }
        return new ReadOnlyChannel(content(path));
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        throw new AccessDeniedException(dir.toString(), null, "scripts may not list directories");
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return path.isAbsolute() ? path : root.resolve(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        return confined(toAbsolutePath(path));
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        Path p = confined(path);
        boolean dir = p.equals(root) || (!files.containsKey(p) && !frozen && Files.isDirectory(p));
        long size = dir ? 0 : content(p).length;
        FileTime epoch = FileTime.fromMillis(0);
        Map<String, Object> out = new HashMap<>();
        out.put("size", size);
        out.put("isRegularFile", !dir);
        out.put("isDirectory", dir);
        out.put("isSymbolicLink", false);
        out.put("isOther", false);
        out.put("lastModifiedTime", epoch);
        out.put("lastAccessTime", epoch);
        out.put("creationTime", epoch);
        out.put("fileKey", null);
        return out;
    }

    /** A read-only channel over a byte array. */
    private static final class ReadOnlyChannel implements SeekableByteChannel {
        private final byte[] data;
        private int position;
        private boolean open = true;

        ReadOnlyChannel(byte[] data) {
            this.data = data;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= data.length) return -1;
            int n = Math.min(dst.remaining(), data.length - position);
            dst.put(data, position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = (int) Math.min(newPosition, data.length);
            return this;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
