package yastack.server.admin;

/**
 * The distribution's version, one source for {@code yastack version} and {@code /server_info}:
 * the server module's version, which the build writes into its descriptor; {@code dev} when the
 * classes run outside a versioned jar (tests from target/classes).
 */
public final class Version {
    private Version() {}

    public static String current() {
        var d = Version.class.getModule().getDescriptor();
        return d == null ? "dev" : d.rawVersion().orElse("dev");
    }
}
