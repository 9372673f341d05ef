package io.motionkernels.cpu;

import io.motionkernels.engine.Padding;
import io.motionkernels.tensor.Tensor;

/**
 * A slow, literal transcription of PyTorch's CPU grid_sampler_2d / 3d (aten GridSampler.cpp),
 * one output value at a time, kept independent of {@link GridSample}'s weight tables.
 */
final class NaiveGridSample {
    private NaiveGridSample() {
    }

    static double unnormalize(double c, int size, boolean ac) {
        return ac ? ((c + 1) / 2) * (size - 1) : ((c + 1) * size - 1) / 2;
    }

    static double clip(double in, int size) {
        return Math.min(size - 1, Math.max(in, 0));
    }

    static double reflect(double in, int twiceLow, int twiceHigh) {
        if (twiceLow == twiceHigh) {
            return 0;
        }
        double min = twiceLow / 2.0;
        double span = (twiceHigh - twiceLow) / 2.0;
        in = Math.abs(in - min);
        double extra = in % span;
        int flips = (int) Math.floor(in / span);
        return flips % 2 == 0 ? extra + min : span - extra + min;
    }

    static double index(double c, int size, Padding p, boolean ac) {
        double x = unnormalize(c, size, ac);
        if (p == Padding.BORDER) {
            x = clip(x, size);
        } else if (p == Padding.REFLECTION) {
            x = ac ? reflect(x, 0, 2 * (size - 1)) : reflect(x, -1, 2 * size - 1);
            x = clip(x, size);
        }
        return x;
    }

    static Tensor trilinear(Tensor in, Tensor grid, Padding p, boolean ac) {
        int n = in.dim(0);
        int c = in.dim(1);
        int id = in.dim(2);
        int ih = in.dim(3);
        int iw = in.dim(4);
        int od = grid.dim(1);
        int oh = grid.dim(2);
        int ow = grid.dim(3);
        Tensor out = Tensor.zeros(n, c, od, oh, ow);
        for (int b = 0; b < n; b++) {
            for (int d = 0; d < od; d++) {
                for (int h = 0; h < oh; h++) {
                    for (int w = 0; w < ow; w++) {
                        double ix = index(grid.get(b, d, h, w, 0), iw, p, ac);
                        double iy = index(grid.get(b, d, h, w, 1), ih, p, ac);
                        double iz = index(grid.get(b, d, h, w, 2), id, p, ac);
                        int x0 = (int) Math.floor(ix);
                        int y0 = (int) Math.floor(iy);
                        int z0 = (int) Math.floor(iz);
                        for (int ch = 0; ch < c; ch++) {
                            double s = 0;
                            for (int dz = 0; dz < 2; dz++) {
                                for (int dy = 0; dy < 2; dy++) {
                                    for (int dx = 0; dx < 2; dx++) {
                                        int x = x0 + dx;
                                        int y = y0 + dy;
                                        int z = z0 + dz;
                                        double wgt = (dx == 1 ? ix - x0 : x0 + 1 - ix) * (dy == 1 ? iy - y0 : y0 + 1 - iy)
                                                * (dz == 1 ? iz - z0 : z0 + 1 - iz);
                                        if (x >= 0 && x < iw && y >= 0 && y < ih && z >= 0 && z < id) {
                                            s += wgt * in.get(b, ch, z, y, x);
                                        }
                                    }
                                }
                            }
                            out.set((float) s, b, ch, d, h, w);
                        }
                    }
                }
            }
        }
        return out;
    }

    static Tensor bilinear(Tensor in, Tensor grid, Padding p, boolean ac) {
        int n = in.dim(0);
        int c = in.dim(1);
        int ih = in.dim(2);
        int iw = in.dim(3);
        int oh = grid.dim(1);
        int ow = grid.dim(2);
        Tensor out = Tensor.zeros(n, c, oh, ow);
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < oh; h++) {
                for (int w = 0; w < ow; w++) {
                    double ix = index(grid.get(b, h, w, 0), iw, p, ac);
                    double iy = index(grid.get(b, h, w, 1), ih, p, ac);
                    int xw = (int) Math.floor(ix);
                    int yn = (int) Math.floor(iy);
                    double nw = (xw + 1 - ix) * (yn + 1 - iy);
                    double ne = (ix - xw) * (yn + 1 - iy);
                    double sw = (xw + 1 - ix) * (iy - yn);
                    double se = (ix - xw) * (iy - yn);
                    for (int ch = 0; ch < c; ch++) {
                        double s = 0;
                        s += at(in, b, ch, yn, xw) * nw;
                        s += at(in, b, ch, yn, xw + 1) * ne;
                        s += at(in, b, ch, yn + 1, xw) * sw;
                        s += at(in, b, ch, yn + 1, xw + 1) * se;
                        out.set((float) s, b, ch, h, w);
                    }
                }
            }
        }
        return out;
    }

    private static double at(Tensor in, int b, int c, int y, int x) {
        boolean inside = x >= 0 && x < in.dim(3) && y >= 0 && y < in.dim(2);
        return inside ? in.get(b, c, y, x) : 0;
    }
}
