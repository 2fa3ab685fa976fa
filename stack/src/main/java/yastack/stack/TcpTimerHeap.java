package yastack.stack;

import java.util.Arrays;

/**
 * The shard's pending TCP timers: a binary min-heap of connections keyed by each one's earliest deadline, so
 * {@link #poll} touches only connections with something due. A connection's slot and key live in the connection
 * ({@code heapIndex}, {@code heapKey}), so filing and removing allocate nothing.
 */
final class TcpTimerHeap {
    private TcpConnection[] heap = new TcpConnection[64];
    private int size;

    /**
     * Re-files c after one of its deadlines moved earlier. Deadlines that move later (or are cancelled) are left
     * in place: the connection pops early, finds nothing due and is re-filed.
     */
    void schedule(TcpConnection c) {
        if (c.listIndex < 0) {
            return; // destroyed: its timers must never run again
        }
        long d = TcpTimers.next(c);
        if (c.heapIndex < 0) {
            if (d == TcpConnection.NEVER) {
                return;
            }
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            c.heapKey = d;
            c.heapIndex = size;
            heap[size++] = c;
            siftUp(c.heapIndex);
        } else if (d < c.heapKey) {
            c.heapKey = d;
            siftUp(c.heapIndex);
        }
    }

    void remove(TcpConnection c) {
        int i = c.heapIndex;
        if (i < 0) {
            return;
        }
        c.heapIndex = -1;
        TcpConnection last = heap[--size];
        heap[size] = null;
        if (last != c) {
            heap[i] = last;
            last.heapIndex = i;
            siftDown(i);
            siftUp(last.heapIndex);
        }
    }

    /** Runs due timers; returns the earliest pending deadline. */
    long poll(long now) {
        for (int guard = 0; size > 0 && heap[0].heapKey <= now && guard < 1_000_000; guard++) {
            TcpConnection c = heap[0];
            remove(c);
            if (TcpTimers.next(c) <= now) {
                TcpTimers.run(c, now);
            }
            schedule(c);
        }
        return size > 0 ? heap[0].heapKey : TcpConnection.NEVER;
    }

    private void siftUp(int i) {
        TcpConnection x = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            TcpConnection p = heap[parent];
            if (p.heapKey <= x.heapKey) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = x;
        x.heapIndex = i;
    }

    private void siftDown(int i) {
        TcpConnection x = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            TcpConnection cc = heap[child];
            int right = child + 1;
            if (right < size && heap[right].heapKey < cc.heapKey) {
                child = right;
                cc = heap[child];
            }
            if (x.heapKey <= cc.heapKey) {
                break;
            }
            heap[i] = cc;
            cc.heapIndex = i;
            i = child;
        }
        heap[i] = x;
        x.heapIndex = i;
    }
}
