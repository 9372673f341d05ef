package io.motionkernels.engine;

import io.motionkernels.engine.Graph.Ref;
import io.motionkernels.engine.Graph.Value;

/**
 * The layers every model family's graph is made of, written once: convolutions (plain, into a
 * channel slice, of a x2 input, with a residual), 2x2 pooling and the pre-activation residual
 * block. A family's graph builder extends this with its own layers.
 */
public class Layers {
    /** An NCHW activation: n images (or frames) of c channels of h x w. */
    public record Feat(Value v, int c, int h, int w) {
        public long plane() {
            return (long) h * w;
        }
    }

    /** The graph under construction. */
    public final Graph.Builder g;

    protected Layers(String graphName) {
        g = Graph.builder(graphName);
    }

    public Value temp(String name, long floats) {
        return g.temp(name, floats);
    }

    public Ref ref(Value v) {
        return v == null ? null : v.all();
    }

    /** y = act(conv(upsample(x, up)) + bias [+ residual]) into channels [yOffset, ...) of a y of yChannels. */
    public void conv(ConvSpec s, Feat x, int n, int up, Value residual, Value y, int yChannels, int yOffset) {
        Value ws = g.workspace(s.name() + ".workspace");
        g.node(s.name(), new Ops.Conv(s, x.v().all(), n, x.h(), x.w(), up, ref(residual), y.all(), yChannels, yOffset,
                ws.all()));
    }

    public Feat conv(ConvSpec s, Feat x, int n) {
        Value y = temp(s.name(), (long) n * s.cout() * x.plane());
        conv(s, x, n, 1, null, y, s.cout(), 0);
        return new Feat(y, s.cout(), x.h(), x.w());
    }

    /** The convolution of x upsampled x2 (nearest). */
    public Feat convUp(ConvSpec s, Feat x, int n) {
        Value y = temp(s.name(), (long) n * s.cout() * x.plane() * 4);
        conv(s, x, n, 2, null, y, s.cout(), 0);
        return new Feat(y, s.cout(), x.h() * 2, x.w() * 2);
    }

    /** 2x2 average pooling. */
    public Feat pool(String name, Feat y, int n) {
        int h = y.h() / 2;
        int w = y.w() / 2;
        Value pooled = temp(name, (long) n * y.c() * h * w);
        g.node(name, new Ops.AvgPool2x2(y.v().all(), (long) n * y.c(), y.h(), y.w(), pooled.all()));
        return new Feat(pooled, y.c(), h, w);
    }

    /**
     * The residual block both families use: ReLU(BN(x)) as (scale, shift) constants, conv1 (its
     * BN and ReLU folded), conv2, plus x.
     */
    public Feat resBlock(float[] scale, float[] shift, ConvSpec conv1, ConvSpec conv2, Feat x, int n) {
        String name = conv1.name();
        Value t = temp(name + ".in", (long) n * x.c() * x.plane());
        g.node(t.name(), new Ops.ChannelAffine(x.v().all(), g.constant(name + ".scale", scale).all(),
                g.constant(name + ".shift", shift).all(), n, x.c(), x.plane(), Activation.RELU, x.c(), 0, t.all()));
        Feat t1 = conv(conv1, new Feat(t, x.c(), x.h(), x.w()), n);
        Value y = temp(conv2.name(), (long) n * x.c() * x.plane());
        conv(conv2, t1, n, 1, x.v(), y, x.c(), 0);
        return new Feat(y, x.c(), x.h(), x.w());
    }
}
