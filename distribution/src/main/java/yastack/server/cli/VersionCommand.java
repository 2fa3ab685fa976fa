package yastack.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import yastack.proxy.ProxyServer;
import yastack.proxy.Scripts;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Prints the version and runtime facts.")
final class VersionCommand implements Runnable {
    @Override
    public void run() {
        for (String line : new Provider().getVersion()) System.out.println(line);
    }

    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getModule().getDescriptor() != null
                    ? Main.class.getModule().getDescriptor().rawVersion().orElse("0.1.0-SNAPSHOT")
                    : "0.1.0-SNAPSHOT";
            return new String[] {
                "yastack " + v,
                "java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
                Scripts.describe(),
                ProxyServer.describeTracing(),
            };
        }
    }
}
