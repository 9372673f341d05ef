package io.motionkernels.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Bytes of a checkpoint read front to back, from memory or from a file. Every length taken from
 * the file is checked against what is left before anything is allocated, so a corrupt or hostile
 * length fails with "truncated" instead of exhausting memory.
 */
abstract class PickleInput {
    final Path file;
    /** What is being read, for the "ends inside …" message; set by the format readers. */
    String phase = "the file";

    PickleInput(Path file) {
        this.file = file;
    }

    abstract long position();

    abstract long remaining();

    /** The next byte (0–255). */
    abstract int read();

    /** Copies {@code n} bytes into {@code out}, after checking that they exist. */
    abstract void readFully(byte[] out, int off, int n);

    abstract void skip(long n);

    final byte[] readBytes(long n) {
        require(n);
        byte[] b = new byte[(int) n];
        readFully(b, 0, (int) n);
        return b;
    }

    /** Fails (truncated) unless {@code n} more bytes exist; also rejects lengths Java cannot hold. */
    final void require(long n) {
        if (n < 0 || n > remaining()) {
            throw truncated();
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + " is corrupt or unsupported: a record of " + n
                    + " bytes in " + phase + " is larger than 2 GiB");
        }
    }

    final CheckpointException truncated() {
        return new CheckpointException(file + " is truncated: it ends inside " + phase + " (at byte "
                + position() + "); copy or download the checkpoint again");
    }

    static PickleInput of(Path file, byte[] data) {
        return new ArrayInput(file, data);
    }

    static PickleInput of(Path file, FileChannel ch, long start) throws IOException {
        return new ChannelInput(file, ch, start);
    }

    private static final class ArrayInput extends PickleInput {
        private final byte[] data;
        private int pos;

        ArrayInput(Path file, byte[] data) {
            super(file);
            this.data = data;
        }

        @Override
        long position() {
            return pos;
        }

        @Override
        long remaining() {
            return data.length - pos;
        }

        @Override
        int read() {
            if (pos >= data.length) {
                throw truncated();
            }
            return data[pos++] & 0xff;
        }

        @Override
        void readFully(byte[] out, int off, int n) {
            require(n);
            System.arraycopy(data, pos, out, off, n);
            pos += n;
        }

        @Override
        void skip(long n) {
            require(n);
            pos += (int) n;
        }
    }

    /** Buffered positional reads: the pickles of a legacy file are small, its storages large. */
    private static final class ChannelInput extends PickleInput {
        private final FileChannel ch;
        private final long size;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        /** File offset of buf's first byte. */
        private long bufStart;

        ChannelInput(Path file, FileChannel ch, long start) throws IOException {
            super(file);
            this.ch = ch;
            this.size = ch.size();
            this.bufStart = start;
            buf.limit(0);
        }

        @Override
        long position() {
            return bufStart + buf.position();
        }

        @Override
        long remaining() {
            return size - position();
        }

        private void fill() {
            long pos = position();
            buf.clear();
            try {
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, pos + buf.position());
                    if (n < 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
            }
            buf.flip();
            bufStart = pos;
        }

        @Override
        int read() {
            if (!buf.hasRemaining()) {
                if (remaining() <= 0) {
                    throw truncated();
                }
                fill();
                if (!buf.hasRemaining()) {
                    throw truncated();
                }
            }
            return buf.get() & 0xff;
        }

        @Override
        void readFully(byte[] out, int off, int n) {
            require(n);
            while (n > 0) {
                if (!buf.hasRemaining()) {
                    fill();
                    if (!buf.hasRemaining()) {
                        throw truncated();
                    }
                }
                int k = Math.min(n, buf.remaining());
                buf.get(out, off, k);
                off += k;
                n -= k;
            }
        }

        @Override
        void skip(long n) {
            if (n < 0 || n > remaining()) {
                throw truncated();
            }
            long target = position() + n;
            if (target <= bufStart + buf.limit()) {
                buf.position((int) (target - bufStart));
            } else {
                bufStart = target;
                buf.limit(0);
            }
        }
    }
}
