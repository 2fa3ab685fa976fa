package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressMemoTest {
    private final AddressMemo memo = new AddressMemo();

    @Test
    void theSameClientAgainGetsTheSameTextAnotherGetsItsOwn() throws Exception {
        AsciiString first = memo.text(InetAddress.getByName("192.0.2.7"));
        assertEquals("192.0.2.7", first.toString());
        assertSame(first, memo.text(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 7})));
        assertEquals("2001:db8:0:0:0:0:0:1", memo.text(InetAddress.getByName("2001:db8::1")).toString());
        assertEquals("192.0.2.8", memo.text(InetAddress.getByName("192.0.2.8")).toString());
    }

    @Test
    void scopedAddressesKeepTheirOwnScope() throws Exception {
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        assertEquals("fe80:0:0:0:0:0:0:1%1", memo.text(Inet6Address.getByAddress(null, linkLocal, 1)).toString());
        // Equal to the first by InetAddress.equals, but another interface: another text.
        assertEquals("fe80:0:0:0:0:0:0:1%2", memo.text(Inet6Address.getByAddress(null, linkLocal, 2)).toString());
    }
}
