package yastack.server.cli;

/** Entry point of {@code bin/yastack}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Logging.configure();
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (tests call this in-process). */
    public static int execute(String... args) {
        return new YastackCommand().execute("", args);
    }
}
