package yastack.stack;

/**
 * A bounded, sorted set of disjoint sequence ranges [start, end): the receiver's out-of-order map and the
 * sender's SACK scoreboard. Arrays are preallocated, so updates never allocate.
 */
final class SeqRanges {
    final int[] start;
    final int[] end;
    int count;
    /** Start of the range touched most recently by add (for the first SACK block, RFC 2018 section 4). */
    int lastStart;

    SeqRanges(int max) {
        start = new int[max];
        end = new int[max];
    }

    void clear() {
        count = 0;
    }

    /** Adds [s, e); merges overlaps. Returns false (and changes nothing) when a new disjoint range would exceed the bound. */
    boolean add(int s, int e) {
        if (!Seq.lt(s, e)) {
            return true;
        }
        int i = 0;
        while (i < count && Seq.lt(end[i], s)) {
            i++;
        }
        // ranges i.. may touch or overlap [s,e)
        int j = i;
        while (j < count && Seq.le(start[j], e)) {
            j++;
        }
        if (i == j) {
            if (count == start.length) {
                return false;
            }
            System.arraycopy(start, i, start, i + 1, count - i);
            System.arraycopy(end, i, end, i + 1, count - i);
            start[i] = s;
            end[i] = e;
            count++;
        } else {
            int ns = Seq.min(s, start[i]);
            int ne = Seq.max(e, end[j - 1]);
            start[i] = ns;
            end[i] = ne;
            int removed = j - i - 1;
            if (removed > 0) {
                System.arraycopy(start, j, start, i + 1, count - j);
                System.arraycopy(end, j, end, i + 1, count - j);
                count -= removed;
            }
        }
        lastStart = start[i];
        return true;
    }

    /** Drops everything below seq, trimming a range that straddles it. */
    void removeBelow(int seq) {
        int i = 0;
        while (i < count && Seq.le(end[i], seq)) {
            i++;
        }
        if (i > 0) {
            System.arraycopy(start, i, start, 0, count - i);
            System.arraycopy(end, i, end, 0, count - i);
            count -= i;
        }
        if (count > 0 && Seq.lt(start[0], seq)) {
            start[0] = seq;
        }
    }

    /** If seq lies inside a range, that range's end; otherwise seq. */
    int skip(int seq) {
        for (int i = 0; i < count; i++) {
            if (Seq.inRange(seq, start[i], end[i])) {
                return end[i];
            }
        }
        return seq;
    }

    /** First range start strictly after seq, or the given fallback. */
    int nextStartAfter(int seq, int fallback) {
        for (int i = 0; i < count; i++) {
            if (Seq.gt(start[i], seq)) {
                return start[i];
            }
        }
        return fallback;
    }

    long totalBytes() {
        long t = 0;
        for (int i = 0; i < count; i++) {
            t += end[i] - start[i];
        }
        return t;
    }

    /** Bytes covered at or above seq. */
    long bytesAbove(int seq) {
        long t = 0;
        for (int i = 0; i < count; i++) {
            if (Seq.ge(start[i], seq)) {
                t += end[i] - start[i];
            } else if (Seq.gt(end[i], seq)) {
                t += end[i] - seq;
            }
        }
        return t;
    }

    int highestEnd(int fallback) {
        return count == 0 ? fallback : end[count - 1];
    }
}
