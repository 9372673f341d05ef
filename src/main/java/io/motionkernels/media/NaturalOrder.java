package io.motionkernels.media;

import java.util.Comparator;

/**
 * Orders file names the way people number frames: runs of digits compare by value, so
 * {@code frame2 < frame10}; other text compares case-insensitively; full ties fall back to plain
 * string order so the result never depends on the order the file system lists names in.
 */
final class NaturalOrder implements Comparator<String> {
    static final NaturalOrder INSTANCE = new NaturalOrder();

    private NaturalOrder() {
    }

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int ei = runEnd(a, i);
                int ej = runEnd(b, j);
                int c = compareNumbers(a, i, ei, b, j, ej);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                int c = Character.compare(Character.toLowerCase(ca), Character.toLowerCase(cb));
                if (c != 0) {
                    return c;
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int runEnd(String s, int start) {
        int e = start;
        while (e < s.length() && isDigit(s.charAt(e))) {
            e++;
        }
        return e;
    }

    /** Compares digit runs by value without parsing, so runs of any length work. */
    private static int compareNumbers(String a, int ia, int ea, String b, int ib, int eb) {
        while (ia < ea - 1 && a.charAt(ia) == '0') {
            ia++;
        }
        while (ib < eb - 1 && b.charAt(ib) == '0') {
            ib++;
        }
        int c = Integer.compare(ea - ia, eb - ib);
        if (c != 0) {
            return c;
        }
        for (; ia < ea; ia++, ib++) {
            c = Character.compare(a.charAt(ia), b.charAt(ib));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
