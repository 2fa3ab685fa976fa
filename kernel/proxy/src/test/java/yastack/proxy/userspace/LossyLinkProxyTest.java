package yastack.proxy.userspace;

import yastack.kernel.fixtures.Needs;
import yastack.kernel.fixtures.NetSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.kernel.fixtures.Shell;
import yastack.kernel.fixtures.TestEal;
import yastack.proxy.fixtures.TestUpstream;
import yastack.proxy.fixtures.Engines;
import yastack.proxy.ProxyEngine;

/**
 * 256 MiB each way through the userspace stack over a link that loses packets: a client in a
 * namespace -> veth -> a bridge in a second namespace that drops 1% of TCP frames in both
 * directions -> veth -> DPDK net_af_packet -> a userspace HTTP listener -> a host upstream.
 *
 * <p>The loss sits on the wire between the two TCPs, not on either host: with netem where the
 * kernel has it, otherwise nftables dropping at random in the bridge's forward hook. (This
 * machine's kernel is built without sch_netem; a drop on the client's own output path would not
 * do, Linux TCP treats a local drop as "not sent yet" and simply sends again.)
 */
class LossyLinkProxyTest {
    private static final long SIZE = 256L << 20;
    private static final int LOSS_PER_MILLE = 10;

    @Test
    void twoHundredFiftySixMiBEachWayUnderLoss() throws Exception {
        NetSetup.requireRootAnd("curl", "ip", "ethtool", "sha256sum");
        TestEal.get();
        String sfx = NetSetup.suffix();
        String clientNs = "ylc" + sfx, linkNs = "yll" + sfx;
        String client = "ylc" + sfx, linkA = "yla" + sfx, linkB = "ylb" + sfx, dpdk = "yld" + sfx;
        int n = NetSetup.subnet();
        String ours = "10.77." + n + ".2", theirs = "10.77." + n + ".1";
        String[] inClient = {"ip", "netns", "exec", clientNs};
        String[] inLink = {"ip", "netns", "exec", linkNs};
        Path dir = Files.createTempDirectory("yastack-lossy");
        Path blob = dir.resolve("upload.bin");
        try (TestUpstream up = new TestUpstream("host-upstream")) {
            Shell.must("ip", "netns", "add", clientNs);
            Shell.must("ip", "netns", "add", linkNs);
            Shell.must("ip", "link", "add", client, "netns", clientNs, "type", "veth", "peer", "name", linkA, "netns", linkNs);
            Shell.must("ip", "link", "add", dpdk, "type", "veth", "peer", "name", linkB, "netns", linkNs);
            Shell.must(NetSetup.concat(inLink, "ip", "link", "add", "br0", "type", "bridge"));
            for (String port : new String[] {linkA, linkB}) {
                Shell.must(NetSetup.concat(inLink, "ip", "link", "set", port, "master", "br0", "up"));
            }
            Shell.must(NetSetup.concat(inLink, "ip", "link", "set", "br0", "up"));
            Shell.must(NetSetup.concat(inClient, "ip", "addr", "add", theirs + "/24", "dev", client));
            Shell.must(NetSetup.concat(inClient, "ip", "link", "set", client, "up"));
            Shell.must("ip", "link", "set", dpdk, "up");
            Shell.quietly("ethtool", "-K", dpdk, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            Shell.quietly(NetSetup.concat(inClient, "ethtool", "-K", client, "tx", "off", "tso", "off", "gso", "off", "gro", "off"));
            String how = impair(inLink, linkA, linkB, dir);

            String uploadSha = writeRandom(blob, SIZE);
            Path cfg = dir.resolve("yastack.yaml");
            Files.writeString(cfg, NetSetup.userspaceProxyYaml("", "net_af_packet8,iface=" + dpdk, ours, "lossy", up.port()));
            try (ProxyEngine proxy = Engines.start(ConfigLoader.load(cfg), 1)) {
                String url = "http://" + ours + ":8080";
                // Up: the upstream hashes what arrived.
                String answer = curl(inClient, "curl -sS --fail --max-time 300 -H 'Expect:' --data-binary @" + blob + " " + url + "/upload");
                assertEquals(SIZE + " " + uploadSha, answer.trim(), "256 MiB upload through a lossy link (" + how + ")");
                // Down: the client hashes what arrived.
                String got = curl(inClient, "curl -sS --fail --max-time 300 " + url + "/bytes/" + SIZE + " | sha256sum").split(" ")[0];
                assertEquals(upstreamBytesSha(SIZE), got, "256 MiB download through a lossy link (" + how + ")");

                long dropped = dropped(inLink, how);
                long retransmits = proxy.proxy().stats().value("stack.dp0.tcp.retransmits");
                assertTrue(dropped > 1000, "the link dropped only " + dropped + " frames (" + how + ")");
                assertTrue(retransmits > 100, "the stack retransmitted only " + retransmits + " segments after " + dropped + " drops");
                System.out.printf("lossy link (%s): %d frames dropped, %d stack retransmits%n", how, dropped, retransmits);
            }
        } finally {
            Shell.quietly("ip", "netns", "del", clientNs);
            Shell.quietly("ip", "netns", "del", linkNs);
            Shell.quietly("ip", "link", "del", dpdk);
            Files.deleteIfExists(blob);
            Files.deleteIfExists(dir.resolve("yastack.yaml"));
            Files.deleteIfExists(dir.resolve("loss.nft"));
            Files.deleteIfExists(dir);
        }
    }

    /** Loses 1% of the frames crossing the bridge, both ways; returns how. */
    private static String impair(String[] inLink, String a, String b, Path dir) throws Exception {
        boolean netem = true;
        for (String port : new String[] {a, b}) {
            netem &= Shell.run(10, NetSetup.concat(inLink, "tc", "qdisc", "add", "dev", port, "root", "netem",
                    "loss", (LOSS_PER_MILLE / 10.0) + "%")).exit() == 0;
        }
        if (netem) {
            return "netem";
        }
        Shell.quietly(NetSetup.concat(inLink, "tc", "qdisc", "del", "dev", a, "root"));
        Needs.commands("this kernel has no sch_netem, so the loss comes from nftables:", "nft");
        Path rules = dir.resolve("loss.nft");
        Files.writeString(rules, """
                table bridge lossy {
                  chain forward {
                    type filter hook forward priority 0; policy accept;
                    numgen random mod 1000 < %d counter drop
                  }
                }
                """.formatted(LOSS_PER_MILLE));
        Shell.must(NetSetup.concat(inLink, "nft", "-f", rules.toString()));
        return "nftables random drop";
    }

    /** Frames the impairment dropped so far. */
    private static long dropped(String[] inLink, String how) {
        if (how.equals("netem")) {
            long sum = 0;
            Matcher m = Pattern.compile("dropped (\\d+)").matcher(Shell.must(NetSetup.concat(inLink, "tc", "-s", "qdisc")));
            while (m.find()) sum += Long.parseLong(m.group(1));
            return sum;
        }
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(Shell.must(NetSetup.concat(inLink, "nft", "list", "table", "bridge", "lossy")));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String curl(String[] prefix, String shell) {
        Shell.Result r = Shell.run(330, NetSetup.concat(prefix, "bash", "-c", "set -o pipefail; " + shell));
        if (r.exit() != 0) {
            throw new AssertionError(shell + " -> " + r.exit() + ": " + r.output());
        }
        return r.output();
    }

    private static String writeRandom(Path file, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random rnd = new Random(7);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= buf.length) {
                rnd.nextBytes(buf);
                sha.update(buf);
                out.write(buf);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The SHA-256 of TestUpstream's {@code /bytes/N} body: a 64 KiB pattern repeated. */
    private static String upstreamBytesSha(long n) throws Exception {
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31 + 7);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long left = n; left > 0; left -= chunk.length) sha.update(chunk, 0, (int) Math.min(left, chunk.length));
        return HexFormat.of().formatHex(sha.digest());
    }
}
