package yastack.kernel.config;

/** Config durations as the data path uses them. */
public final class Durations {
    private Durations() {}

    public static long millis(com.google.protobuf.Duration d) {
        return d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
    }
}
