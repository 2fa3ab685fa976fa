package yastack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * RFC 9293 3.10.7 "segment arrives", RFC 5961 and the illegal flag combinations, compared on the wire with the
 * Linux kernel: every row's script runs once against Linux (a TAP device in a fresh network namespace) and once
 * against our stack, and the two normalised transcripts ({@link DiffPeer}) must be equal. Rows in
 * {@link LinuxDifferentialRows#EXPECTED_DIFFERENCES} are deliberate deviations (README, userspace stack): they must
 * still differ, so a change on either side is noticed.
 */
class LinuxDifferentialTest {
    private static LinuxTarget linux;

    @BeforeAll
    static void namespace() throws Exception {
        LinuxTarget.needs("LinuxDifferentialTest (our TCP against the kernel's over a TAP device in a network namespace)");
        linux = new LinuxTarget();
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (linux != null) {
            linux.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRowAnswersLikeLinux() {
        List<DynamicTest> tests = new ArrayList<>();
        List<LinuxDifferentialRows.Row> rows = LinuxDifferentialRows.all();
        for (int i = 0; i < rows.size(); i++) {
            LinuxDifferentialRows.Row row = rows.get(i);
            int sport = 40000 + i;
            int dport = 5000 + i;
            tests.add(DynamicTest.dynamicTest(row.name(), () -> {
                List<String> theirs = run(row, linux, sport, dport);
                List<String> ours;
                try (StackTarget stack = new StackTarget()) {
                    ours = run(row, stack, sport, dport);
                }
                String why = LinuxDifferentialRows.EXPECTED_DIFFERENCES.get(row.name());
                String both = "\n  linux:   " + String.join("\n           ", theirs) + "\n  yastack: " + String.join("\n           ", ours);
                if (why == null) {
                    assertEquals(theirs, ours, row.name() + both);
                } else {
                    assertNotEquals(theirs, ours, row.name() + " now answers like Linux; drop it from the expected"
                            + " differences (" + why + ")" + both);
                }
            }));
        }
        return tests.stream();
    }

    private static List<String> run(LinuxDifferentialRows.Row row, DiffTarget t, int sport, int dport) throws Throwable {
        if (row.listen()) {
            t.listen(dport);
        }
        DiffPeer p = new DiffPeer(t, sport, dport);
        row.script().run(p);
        return p.transcript;
    }
}
