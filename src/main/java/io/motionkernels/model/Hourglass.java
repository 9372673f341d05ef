package io.motionkernels.model;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.Conv2d;
import io.motionkernels.cpu.Elementwise;
import io.motionkernels.cpu.Pool;
import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Monkey-Net's U-Net pieces: Encoder (DownBlocks), Decoder (UpBlocks) and their composition. */
public final class Hourglass {
    private final Encoder encoder;
    private final Decoder decoder;

    Hourglass(Weights w, String prefix, int e, int in, int out, int n, int m) {
        encoder = new Encoder(w, prefix + "encoder.", e, in, n, m);
        decoder = new Decoder(w, prefix + "decoder.", e, in, out, n, m, 0, true);
    }

    Tensor forward(Tensor x) {
        return decoder.forward(encoder.forward(x));
    }

    static int features(int e, int m, int i) {
        return Math.min(m, e << i);
    }

    /** N DownBlocks (conv, BN, ReLU, 2x2 average pool); returns [x, out_1, …, out_N]. */
    static final class Encoder {
        private final Conv2d[] down;

        Encoder(Weights w, String prefix, int e, int in, int n, int m) {
            down = new Conv2d[n];
            for (int i = 0; i < n; i++) {
                String b = prefix + "down_blocks." + i;
                down[i] = Layers.convNorm(w, b + ".conv", b + ".norm", i == 0 ? in : features(e, m, i),
                        features(e, m, i + 1), 3, 1, Activation.RELU);
            }
        }

        List<Tensor> forward(Tensor x) {
            int h = x.dim(3);
            int wd = x.dim(4);
            if (h % (1 << down.length) != 0 || wd % (1 << down.length) != 0) {
                throw new IllegalArgumentException("an encoder of " + down.length + " blocks needs a height and width"
                        + " divisible by " + (1 << down.length) + ", got " + h + "x" + wd);
            }
            List<Tensor> out = new ArrayList<>(down.length + 1);
            out.add(x);
            for (Conv2d c : down) {
                x = Pool.avgPool2x2(c.apply(x));
                out.add(x);
            }
            return out;
        }
    }

    /**
     * UpBlocks (nearest x2, conv, BN, ReLU) from the deepest skip up, each output concatenated with
     * the next skip from the end; then an optional last conv. {@code a} extra channels ride along
     * with every skip (the generator's keypoint embedding).
     */
    static final class Decoder {
        private final Conv2d[] up;
        private final Conv2d last;

        Decoder(Weights w, String prefix, int e, int in, int out, int n, int m, int a, boolean lastConv) {
            up = new Conv2d[n];
            for (int i = n - 1; i >= 0; i--) {
                int j = n - 1 - i;
                String b = prefix + "up_blocks." + j;
                int cin = (i == n - 1 ? 1 : 2) * features(e, m, i + 1) + a;
                up[j] = Layers.convNorm(w, b + ".conv", b + ".norm", cin, features(e, m, i), 3, 1, Activation.RELU);
            }
            last = lastConv ? Layers.conv(w, prefix + "conv", e + in + a, out, 3, 1) : null;
        }

        /** Consumes the skips list from its end. */
        Tensor forward(List<Tensor> skips) {
            int k = skips.size() - 1;
            Tensor out = skips.get(k--);
            for (Conv2d c : up) {
                Tensor skip = skips.get(k--);
                // The UpBlock writes straight into the first channels of the concatenation.
                Tensor cat = Tensor.zeros(out.dim(0), c.outChannels() + skip.dim(1), out.dim(2), 2 * out.dim(3),
                        2 * out.dim(4));
                c.applyUpsampled2xInto(out, cat, 0);
                Elementwise.copyChannelsInto(skip, cat, c.outChannels());
                out = cat;
            }
            return last == null ? out : last.apply(out);
        }
    }
}
