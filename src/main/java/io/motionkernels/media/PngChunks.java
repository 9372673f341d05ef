package io.motionkernels.media;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * What Java's PNG decoder does not check: every chunk's CRC (it ignores them, so a damaged file
 * decodes to wrong pixels), that the file ends with IEND (a cut file), whether it is an animated
 * PNG (an acTL chunk: Java decodes only its default image), and this tool's own strip marker.
 * This walks the chunk framing only (length, type, CRC); the image data is left to the decoder.
 */
final class PngChunks {
    /** The tEXt keyword that marks a strip of frames written by {@link MediaWriter}. */
    static final String STRIP_KEYWORD = "motion-kernels";
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** PNG's own limit on a chunk's length. */
    private static final long MAX_CHUNK = (1L << 31) - 1;

    final int width;
    final int height;
    final boolean animated;
    /** Frames in the strip as its tEXt marker says, 0 when it has none. */
    final int stripFrames;

    private PngChunks(int width, int height, boolean animated, int stripFrames) {
        this.width = width;
        this.height = height;
        this.animated = animated;
        this.stripFrames = stripFrames;
    }

    static PngChunks read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] sig = new byte[8];
            in.readFully(sig);
            if (!java.util.Arrays.equals(sig, SIGNATURE)) {
                throw new MediaException(file + " is not a PNG file (its signature is wrong).");
            }
            int width = -1;
            int height = -1;
            boolean animated = false;
            int strip = 0;
            byte[] buf = new byte[1 << 16];
            CRC32 crc = new CRC32();
            while (true) {
                long length;
                byte[] type = new byte[4];
                try {
                    length = in.readInt() & 0xffffffffL;
                    in.readFully(type);
                } catch (EOFException e) {
                    throw new MediaException(file + " is truncated: the PNG file ends before its IEND chunk;"
                            + " it was not written completely, get the whole file again.");
                }
                String name = new String(type, StandardCharsets.ISO_8859_1);
                if (length > MAX_CHUNK) {
                    throw damaged(file, "chunk " + name + " declares " + length + " bytes");
                }
                crc.reset();
                crc.update(type);
                boolean keep = name.equals("IHDR") || name.equals("tEXt");
                byte[] data = keep && length <= buf.length ? new byte[(int) length] : null;
                long left = length;
                int at = 0;
                try {
                    while (left > 0) {
                        int n = (int) Math.min(left, buf.length);
                        in.readFully(buf, 0, n);
                        crc.update(buf, 0, n);
                        if (data != null) {
                            System.arraycopy(buf, 0, data, at, n);
                            at += n;
                        }
                        left -= n;
                    }
                    long stored = in.readInt() & 0xffffffffL;
                    if (stored != crc.getValue()) {
                        throw damaged(file, "chunk " + name + " fails its CRC check");
                    }
                } catch (EOFException e) {
                    throw new MediaException(file + " is truncated inside its " + name + " chunk: it was not"
                            + " written completely, get the whole file again.");
                }
                switch (name) {
                    case "IHDR" -> {
                        if (data == null || data.length < 8) {
                            throw damaged(file, "its IHDR chunk is too short");
                        }
                        width = readInt(data, 0);
                        height = readInt(data, 4);
                    }
                    case "acTL" -> animated = true;
                    case "tEXt" -> strip = data == null ? strip : Math.max(strip, stripMarker(data));
                    case "IEND" -> {
                        if (width <= 0 || height <= 0) {
                            throw damaged(file, "it has no valid IHDR chunk");
                        }
                        return new PngChunks(width, height, animated, strip);
                    }
                    default -> {
                    }
                }
            }
        }
    }

    /** The frame count of a "motion-kernels" tEXt entry "strip frames=N", else 0. */
    private static int stripMarker(byte[] text) {
        String s = new String(text, StandardCharsets.ISO_8859_1);
        int nul = s.indexOf('\0');
        if (nul < 0 || !s.substring(0, nul).equals(STRIP_KEYWORD)) {
            return 0;
        }
        for (String part : s.substring(nul + 1).trim().split("\\s+")) {
            if (part.startsWith("frames=")) {
                try {
                    return Math.max(0, Integer.parseInt(part.substring(7)));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** The tEXt value {@link MediaWriter} writes for a strip of {@code frames} frames. */
    static String stripMarkerValue(int frames) {
        return "strip frames=" + frames;
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static MediaException damaged(Path file, String why) {
        return new MediaException(file + " is a damaged PNG file (" + why + "): re-export or download it again.");
    }
}
