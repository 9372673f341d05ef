package io.motionkernels.engine;

import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.cuda.Kernel;
import io.motionkernels.cuda.LaunchConfig;
import io.motionkernels.tensor.KpVariance;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Device} whose kernels are the CUDA kernels themselves, compiled for the CPU
 * (native-tests/emulate/kernel_server.cpp over cuda_shim.h): memory, convolutions and strided
 * copies are the {@link CpuDevice}'s (cuDNN's on the GPU, nothing to emulate), every other
 * operation is one launch in the server process, with the launch configuration of
 * {@code cuda.CudaOps} (element-wise grids capped at 3 blocks, as emulate.cpp does, so that every
 * grid-stride loop wraps) and its arguments in the order of the kernel's {@link Kernel}
 * signature. So the op harness checks the kernels' code on its own cases without a GPU. It
 * mirrors CudaOps's argument mapping rather than running it (CudaOps needs a CUDA runtime), and
 * it cannot see what only a GPU does (races, nvcc's FMA contraction, memory faults).
 */
public final class EmulatedKernelsDevice extends DelegatingDevice {
    private final Process server;
    private final OutputStream toServer;
    private final DataInputStream fromServer;

    public EmulatedKernelsDevice(Path serverBinary) throws IOException {
        super(new CpuDevice());
        server = new ProcessBuilder(serverBinary.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        toServer = server.getOutputStream();
        fromServer = new DataInputStream(server.getInputStream());
    }

    /** One launch: the distinct storages of the views go to the server and come back written. */
    private final class Launch {
        private final Kernel kernel;
        private final LaunchConfig cfg;
        private final Map<Object, Integer> index = new IdentityHashMap<>();
        private final List<float[]> storages = new ArrayList<>();
        private final ByteBuffer args = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        private int count;
        private final StringBuilder signature = new StringBuilder();

        Launch(Kernel kernel, LaunchConfig cfg) {
            this.kernel = kernel;
            this.cfg = cfg;
        }

        Launch p(View v) {
            args.put((byte) 'p');
            if (v == null) {
                args.putInt(-1).putLong(0);
            } else {
                float[] a = (float[]) v.storage();
                Integer i = index.get(a);
                if (i == null) {
                    i = storages.size();
                    index.put(a, i);
                    storages.add(a);
                }
                args.putInt(i).putLong(v.offset());
            }
            return arg('p');
        }

        Launch i(int v) {
            args.put((byte) 'i').putInt(v);
            return arg('i');
        }

        Launch l(long v) {
            args.put((byte) 'l').putLong(v);
            return arg('l');
        }

        Launch f(float v) {
            args.put((byte) 'f').putFloat(v);
            return arg('f');
        }

        private Launch arg(char t) {
            count++;
            signature.append(t);
            return this;
        }

        void run() {
            if (!signature.toString().equals(kernel.signature())) {
                throw new IllegalStateException(kernel.symbol() + ": arguments " + signature + ", the kernel takes "
                        + kernel.signature());
            }
            try {
                byte[] symbol = kernel.symbol().getBytes(StandardCharsets.US_ASCII);
                // element-wise grids capped at 3 blocks, as emulate.cpp: every grid-stride loop wraps
                int grid = kernel.shape() == Kernel.Shape.ELEMENTWISE ? Math.min(3, cfg.gridX()) : cfg.gridX();
                ByteBuffer head = ByteBuffer.allocate(16 + symbol.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putInt(symbol.length).put(symbol).putInt(grid).putInt(cfg.blockX()).putInt(storages.size());
                toServer.write(head.array(), 0, head.position());
                for (float[] a : storages) {
                    ByteBuffer b = ByteBuffer.allocate(8 + 4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
                    b.putLong(a.length);
                    b.asFloatBuffer().put(a);
                    toServer.write(b.array());
                }
                ByteBuffer n = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(count);
                toServer.write(n.array());
                toServer.write(args.array(), 0, args.position());
                toServer.flush();
                int status = fromServer.readUnsignedByte();
                if (status != 0) {
                    byte[] len = fromServer.readNBytes(4);
                    int l = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    throw new IllegalStateException("kernel server: " + new String(fromServer.readNBytes(l),
                            StandardCharsets.UTF_8));
                }
                for (float[] a : storages) {
                    byte[] bytes = fromServer.readNBytes(4 * a.length);
                    if (bytes.length != 4 * a.length) {
                        throw new IllegalStateException("kernel server: truncated reply for " + kernel.symbol());
                    }
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("kernel server: " + kernel.symbol(), e);
            }
        }
    }

    private Launch launch(Kernel k, LaunchConfig cfg) {
        return new Launch(k, cfg);
    }

    private static LaunchConfig ew(long n) {
        return LaunchConfig.elementwise(n);
    }

    private static int varKind(KpVariance v) {
        return switch (v.kind()) {
            case MATRIX -> 0;
            case SINGLE -> 1;
            case CONSTANT -> 2;
        };
    }

    @Override
    public void interpolateNearest(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float sd,
                                   float sh, float sw, View out) {
        launch(Kernel.INTERP_NEAREST, ew((long) nc * od * ho * wo)).p(in).p(out).i(nc).i(di).i(hi).i(wi).i(od).i(ho)
                .i(wo).f(sd).f(sh).f(sw).run();
    }

    @Override
    public void interpolateTrilinear(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float rd,
                                     float rh, float rw, View out) {
        launch(Kernel.INTERP_TRILINEAR, ew((long) nc * od * ho * wo)).p(in).p(out).i(nc).i(di).i(hi).i(wi).i(od).i(ho)
                .i(wo).f(rd).f(rh).f(rw).run();
    }

    @Override
    public void avgPool2x2(View in, long planes, int h, int w, View out) {
        launch(Kernel.AVG_POOL_2X2, ew(planes * (h / 2) * (w / 2))).p(in).p(out).l(planes).i(h).i(w).run();
    }

    @Override
    public void channelAffine(View in, View scale, View shift, int b, int c, long inner, Activation act,
                              int outChannels, int outOffset, View out) {
        launch(Kernel.CHANNEL_AFFINE_ACT, ew((long) b * c * inner)).p(in).p(scale).p(shift).p(out).i(b).i(c).l(inner)
                .i(act.ordinal()).i(outChannels).i(outOffset).run();
    }

    @Override
    public void channelsLastToFirst(View in, int b, long inner, int c, View out) {
        launch(Kernel.CHANNELS_LAST_TO_FIRST, ew(b * inner * c)).p(in).p(out).i(b).l(inner).i(c).run();
    }

    @Override
    public void channelsFirstToLast(View in, int b, long inner, int c, View out) {
        launch(Kernel.CHANNELS_FIRST_TO_LAST, ew(b * inner * c)).p(in).p(out).i(b).l(inner).i(c).run();
    }

    @Override
    public void softmaxPixels(View x, long rows, int n, double temperature, View out) {
        launch(Kernel.SOFTMAX_PIXELS, LaunchConfig.perMap(rows, n)).p(x).p(out).i(Math.toIntExact(rows)).i(n)
                .f((float) temperature).run();
    }

    @Override
    public void gaussian2kp(View heat, int b, int k, int d, int h, int w, KpVariance variance, Double clipVariance,
                            View mean, View var) {
        launch(Kernel.GAUSSIAN2KP, LaunchConfig.perMap((long) b * k * d, (long) h * w)).p(heat).p(mean)
                .p(variance.hasTensor() ? var : null).i(b).i(k).i(d).i(h).i(w).i(varKind(variance))
                .f(clipVariance == null ? 0f : clipVariance.floatValue()).run();
    }

    @Override
    public void kpHeatmapEmbed(View drvMean, View drvVar, View srcMean, View srcVar, KpVariance variance, int b, int d,
                               int k, int h, int w, Double normConst, boolean difference, boolean background,
                               int outChannels, int slotFeatures, View out) {
        int slots = k + (background ? 1 : 0);
        boolean vs = variance.hasTensor();
        launch(Kernel.KP_HEATMAP_EMBED, LaunchConfig.perMap((long) b * d * slots, (long) h * w)).p(drvMean)
                .p(vs ? drvVar : null).p(srcMean).p(vs ? srcVar : null).p(out).i(b).i(d).i(k).i(h).i(w)
                .i(varKind(variance)).f((float) variance.constant()).f(normConst == null ? 0f : normConst.floatValue())
                .i(difference ? 1 : 0).i(background ? 1 : 0).i(outChannels).i(slotFeatures).run();
    }

    @Override
    public void kpDifferenceEmbed(View drvMean, View srcMean, int b, int d, int k, int h, int w, boolean background,
                                  int outChannels, int slotFeatures, int channel, View out) {
        int slots = k + (background ? 1 : 0);
        launch(Kernel.KP_DIFFERENCE_EMBED, ew((long) b * slots * 2 * d * h * w)).p(drvMean).p(srcMean).p(out).i(b).i(d)
                .i(k).i(h).i(w).i(background ? 1 : 0).i(outChannels).i(slotFeatures).i(channel).run();
    }

    @Override
    public void denseMotionFlow(View pred, View drvMean, View srcMean, int b, int cp, int k, int d, int h, int w,
                                boolean useMask, boolean useCorrection, View mask, View deformation) {
        launch(Kernel.DENSE_MOTION_FLOW, ew((long) b * d * h * w)).p(pred).p(drvMean).p(srcMean).p(mask).p(deformation)
                .i(b).i(cp).i(k).i(d).i(h).i(w).i(useMask ? 1 : 0).i(useCorrection ? 1 : 0).run();
    }

    @Override
    public void gridSampleDepth1(View in, View grid, int n, int c, int h, int w, int od, int ho, int wo,
                                 Padding padding, boolean alignCorners, View out) {
        launch(Kernel.GRID_SAMPLE_DEPTH1, ew((long) n * od * ho * wo)).p(in).p(grid).p(out).i(n).i(c).i(h).i(w).i(od)
                .i(ho).i(wo).i(padding.ordinal()).i(alignCorners ? 1 : 0).run();
    }

    @Override
    public void antialias(View in, View kernel, int planes, int h, int w, int k, int stride, View out) {
        long n = (long) planes * ((h + stride - 1) / stride) * ((w + stride - 1) / stride);
        launch(Kernel.ANTIALIAS, ew(n)).p(in).p(kernel).p(out).i(planes).i(h).i(w).i(k).i(stride).run();
    }

    @Override
    public void heatmapKeypoints(View heat, View maps, int b, int k, int j, int h, int w, View value, View jacobian) {
        launch(Kernel.HEATMAP_KEYPOINTS, LaunchConfig.perMap((long) b * k, (long) h * w)).p(heat).p(maps).p(value)
                .p(maps == null ? null : jacobian).i(b).i(k).i(j).i(h).i(w).i(maps == null ? 0 : 1).run();
    }

    @Override
    public void sparseMotion(View srcValue, View srcJacobian, View drvValue, View drvJacobian, int n, int k, int h,
                             int w, View out) {
        launch(Kernel.SPARSE_MOTION, ew((long) n * (k + 1) * h * w)).p(srcValue).p(srcJacobian).p(drvValue)
                .p(drvJacobian).p(out).i(n).i(k).i(h).i(w).i(srcJacobian == null ? 0 : 1).run();
    }

    @Override
    public void combineMotion(View mask, View motion, int n, int slots, long plane, View out) {
        launch(Kernel.COMBINE_MOTION, ew(n * plane)).p(mask).p(motion).p(out).i(n).i(slots).l(plane).run();
    }

    @Override
    public void scalePixels(View in, View weight, int n, int c, long plane, View out) {
        launch(Kernel.SCALE_PIXELS, ew((long) n * c * plane)).p(in).p(weight).p(out).i(n).i(c).l(plane).run();
    }

    @Override
    public void softmaxChannels(View x, int b, int cin, int channels, long inner, View out) {
        launch(Kernel.SOFTMAX_CHANNELS, ew(b * inner)).p(x).p(out).i(b).i(cin).i(channels).l(inner).run();
    }

    @Override
    public void close() {
        try {
            toServer.close();
        } catch (IOException ignored) {
            // the server is going away either way
        }
        server.destroy();
        super.close();
    }
}
