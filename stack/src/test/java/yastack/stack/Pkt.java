package yastack.stack;

import java.nio.ByteBuffer;

/**
 * Test-side TCP/IPv4 frame decoder and builder, written independently of the stack's own code paths. {@code flags}
 * holds the eight flag bits and, above them, the four reserved ones (AccECN's AE is {@link #AE}); {@code tos} is the
 * IP type of service, its low two bits the ECN field (RFC 3168 5).
 */
record Pkt(int src, int dst, int sport, int dport, int seq, int ack, int flags, int window, byte[] options, byte[] payload, int ttl,
           boolean df, int tos) {
    static final int FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16, ECE = 0x40, CWR = 0x80, AE = 0x100;

    static Pkt parse(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        if (f.length < 54 || b.getShort(12) != 0x0800 || f[23] != 6) {
            return null;
        }
        int ihl = (f[14] & 15) * 4;
        int total = b.getShort(16) & 0xffff;
        int t = 14 + ihl;
        int doff = ((f[t + 12] & 0xff) >>> 4) * 4;
        byte[] opt = new byte[doff - 20];
        System.arraycopy(f, t + 20, opt, 0, opt.length);
        byte[] pl = new byte[total - ihl - doff];
        System.arraycopy(f, t + doff, pl, 0, pl.length);
        return new Pkt(b.getInt(26), b.getInt(30), b.getShort(t) & 0xffff, b.getShort(t + 2) & 0xffff, b.getInt(t + 4),
                b.getInt(t + 8), (f[t + 12] & 0x0f) << 8 | f[t + 13] & 0xff, b.getShort(t + 14) & 0xffff, opt, pl, f[22] & 0xff,
                (b.getShort(20) & 0x4000) != 0, f[15] & 0xff);
    }

    boolean has(int fl) {
        return (flags & fl) != 0;
    }

    /** Value of a TCP option kind (its body), or null. */
    byte[] option(int kind) {
        int i = 0;
        while (i < options.length) {
            int k = options[i] & 0xff;
            if (k == 0) {
                break;
            }
            if (k == 1) {
                i++;
                continue;
            }
            int l = options[i + 1] & 0xff;
            if (k == kind) {
                byte[] v = new byte[l - 2];
                System.arraycopy(options, i + 2, v, 0, l - 2);
                return v;
            }
            i += l;
        }
        return null;
    }

    static int csum(byte[] d, int off, int len, long acc) {
        for (int i = 0; i + 1 < len; i += 2) {
            acc += ((d[off + i] & 0xff) << 8) | (d[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            acc += (d[off + len - 1] & 0xff) << 8;
        }
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) (~acc & 0xffff);
    }

    /** Builds an Ethernet+IPv4+TCP frame with correct checksums; flags above the low eight are the reserved bits. */
    static byte[] tcpFrame(long dstMac, long srcMac, int src, int dst, int sport, int dport, int seq, int ack, int flags,
                           int window, byte[] options, byte[] payload) {
        int optLen = options == null ? 0 : options.length;
        int plen = payload == null ? 0 : payload.length;
        int tcpLen = 20 + optLen + plen;
        byte[] f = new byte[14 + 20 + tcpLen];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(0, (short) (dstMac >>> 32)).putInt(2, (int) dstMac);
        b.putShort(6, (short) (srcMac >>> 32)).putInt(8, (int) srcMac);
        b.putShort(12, (short) 0x0800);
        b.put(14, (byte) 0x45).putShort(16, (short) (20 + tcpLen)).putShort(18, (short) 7).putShort(20, (short) 0x4000);
        b.put(22, (byte) 64).put(23, (byte) 6).putInt(26, src).putInt(30, dst);
        b.putShort(24, (short) csum(f, 14, 20, 0));
        int t = 34;
        b.putShort(t, (short) sport).putShort(t + 2, (short) dport).putInt(t + 4, seq).putInt(t + 8, ack);
        b.put(t + 12, (byte) (((20 + optLen) / 4) << 4 | (flags >>> 8) & 0x0f)).put(t + 13, (byte) flags).putShort(t + 14, (short) window);
        if (optLen > 0) {
            System.arraycopy(options, 0, f, t + 20, optLen);
        }
        if (plen > 0) {
            System.arraycopy(payload, 0, f, t + 20 + optLen, plen);
        }
        long pseudo = ((src >>> 16) & 0xffff) + (src & 0xffff) + ((dst >>> 16) & 0xffff) + (dst & 0xffff) + 6 + tcpLen;
        b.putShort(t + 16, (short) csum(f, t, tcpLen, pseudo));
        return f;
    }
}
