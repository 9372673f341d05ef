package io.motionkernels.media;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Pictures stored turned or mirrored, with a tag saying how to show them: phones store portrait
 * photos sideways with an EXIF orientation, and portrait video with a display matrix. These are
 * applied so that the model sees what a viewer shows.
 */
final class Orientation {
    private Orientation() {
    }

    /** metadata-extractor is an optional dependency: an application that reads no photos need not carry it. */
    private static final boolean EXIF_READER = present("com.drew.imaging.ImageMetadataReader");

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Orientation.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * The EXIF orientation of an image file (1 to 8; 1 when it has none). A damaged EXIF block is
     * reported in a note and ignored, as viewers do: the pixels themselves are fine.
     */
    static int exif(Path file, Consumer<String> notes) {
        if (!EXIF_READER) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (notes != null && (name.endsWith(".jpg") || name.endsWith(".jpeg"))) {
                notes.accept("EXIF orientation is not applied to " + file + ": it needs com.drewnoakes:metadata-extractor"
                        + " on the class path (the command line bundles it)");
            }
            return 1;
        }
        try {
            Metadata metadata = ImageMetadataReader.readMetadata(file.toFile());
            ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (ifd0 == null || !ifd0.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                return 1;
            }
            int o = ifd0.getInt(ExifIFD0Directory.TAG_ORIENTATION);
            return o >= 1 && o <= 8 ? o : 1;
        } catch (Exception e) {
            if (notes != null) {
                notes.accept(file + " has unreadable EXIF metadata (" + e.getMessage() + "); its orientation tag,"
                        + " if any, is ignored");
            }
            return 1;
        }
    }

    /** The picture as EXIF orientation {@code o} says to show it; returns {w, h} after it in {@code size}. */
    static int[] apply(int[] argb, int w, int h, int o, int[] size) {
        int[] src = argb;
        if (o == 2 || o == 4 || o == 5 || o == 7) {
            src = new int[argb.length];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    // 4 is a vertical mirror: a horizontal mirror turned half way round.
                    src[y * w + (w - 1 - x)] = argb[y * w + x];
                }
            }
        }
        int turns = switch (o) {
            case 3, 4 -> 2;
            case 6, 7 -> 1;
            case 5, 8 -> 3;
            default -> 0;
        };
        size[0] = turns % 2 == 0 ? w : h;
        size[1] = turns % 2 == 0 ? h : w;
        if (turns == 0) {
            return src;
        }
        int[] out = new int[argb.length];
        turn(src, w, h, turns, out);
        return out;
    }

    /** Turns a w x h picture {@code turns} quarter turns clockwise into {@code dst}. */
    static void turn(int[] src, int w, int h, int turns, int[] dst) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = src[y * w + x];
                switch (turns) {
                    case 1 -> dst[x * h + (h - 1 - y)] = p;
                    case 2 -> dst[(h - 1 - y) * w + (w - 1 - x)] = p;
                    default -> dst[(w - 1 - x) * h + y] = p;
                }
            }
        }
    }
}
