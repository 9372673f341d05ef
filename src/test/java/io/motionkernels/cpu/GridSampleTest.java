package io.motionkernels.cpu;

import io.motionkernels.engine.Padding;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GridSampleTest {
    /** A 2-D grid (1, h, w, 2) of the given points, row-major. */
    static Tensor grid2(int h, int w, float... xy) {
        return Tensor.of(xy.clone(), 1, h, w, 2);
    }

    static Tensor image(int h, int w) {
        float[] v = new float[h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = i + 1;
        }
        return Tensor.of(v, 1, 1, h, w);
    }

    @Test
    void identityGridReproducesInput() {
        Tensor x = PoolSoftmaxTest.random(5, 2, 3, 4, 6);
        for (boolean ac : new boolean[] {true, false}) {
            float[] g = new float[2 * 4 * 6 * 2];
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 6; j++) {
                        int q = ((b * 4 + i) * 6 + j) * 2;
                        g[q] = ac ? 2f * j / 5 - 1 : (2f * j + 1) / 6 - 1;
                        g[q + 1] = ac ? 2f * i / 3 - 1 : (2f * i + 1) / 4 - 1;
                    }
                }
            }
            for (Padding p : Padding.values()) {
                Tensor y = GridSample.sample(x, Tensor.of(g, 2, 4, 6, 2), p, ac);
                assertArrayEquals(x.data(), y.data(), 1e-5f, p + " ac=" + ac);
            }
        }
    }

    @Test
    void coordinatesExactlyOnTheBorder() {
        Tensor x = image(2, 3); // [[1, 2, 3], [4, 5, 6]]
        // align_corners true: (1, 1) is the centre of the last pixel, (-1, -1) of the first.
        Tensor g = grid2(1, 2, 1, 1, -1, -1);
        assertArrayEquals(new float[] {6, 1}, GridSample.sample(x, g, Padding.ZEROS, true).data(), 1e-6f);
        // align_corners false: (-1, -1) is the first pixel's outer corner, a quarter inside the image.
        assertArrayEquals(new float[] {1.5f, 0.25f}, GridSample.sample(x, g, Padding.ZEROS, false).data(), 1e-6f);
        assertArrayEquals(new float[] {6, 1}, GridSample.sample(x, g, Padding.BORDER, false).data(), 1e-6f);
        assertArrayEquals(new float[] {6, 1}, GridSample.sample(x, g, Padding.REFLECTION, false).data(), 1e-6f);
    }

    @Test
    void outOfRangeGivesZerosOrEdgeOrMirror() {
        Tensor x = image(1, 4); // [1, 2, 3, 4]
        Tensor far = grid2(1, 3, 5, 0, -7, 0, 0, 9);
        // align_corners true maps every y to row 0 of a 1-row image, so only x can fall outside
        assertArrayEquals(new float[] {0, 0, 2.5f}, GridSample.sample(x, far, Padding.ZEROS, true).data(), 1e-6f);
        assertArrayEquals(new float[] {0, 0, 0}, GridSample.sample(x, far, Padding.ZEROS, false).data());
        // border: x clipped to the first or last pixel; y (height 1) clipped to row 0
        assertArrayEquals(new float[] {4, 1, 2.5f}, GridSample.sample(x, far, Padding.BORDER, true).data(), 1e-6f);
        // reflection, align_corners false, width 4: x = 1.5 maps to 4.5, reflected about 3.5 to 2.5
        Tensor g = grid2(1, 1, 1.5f, 0);
        assertArrayEquals(new float[] {3.5f}, GridSample.sample(x, g, Padding.REFLECTION, false).data(), 1e-6f);
        // reflection, align_corners true: x = 2 maps to 4.5, reflected about 3 to 1.5
        assertArrayEquals(new float[] {2.5f}, GridSample.sample(x, grid2(1, 1, 2, 0), Padding.REFLECTION, true).data(), 1e-6f);
        // non-finite coordinates sample nothing instead of failing
        Tensor nan = grid2(1, 2, Float.NaN, 0, Float.POSITIVE_INFINITY, 0);
        assertArrayEquals(new float[] {0, 0}, GridSample.sample(x, nan, Padding.ZEROS, true).data());
    }

    @Test
    void singlePixelInput() {
        Tensor x = Tensor.of(new float[] {7}, 1, 1, 1, 1);
        Tensor g = grid2(1, 3, 0, 0, 1, 1, 0.5f, 0);
        // align_corners true: every coordinate maps to pixel 0
        assertArrayEquals(new float[] {7, 7, 7}, GridSample.sample(x, g, Padding.ZEROS, true).data());
        // align_corners false: x maps to x / 2, so 1 is half outside in both axes
        assertArrayEquals(new float[] {7, 7 * 0.25f, 7 * 0.75f}, GridSample.sample(x, g, Padding.ZEROS, false).data(), 1e-6f);
        assertArrayEquals(new float[] {7, 7, 7}, GridSample.sample(x, g, Padding.BORDER, false).data());
        assertArrayEquals(new float[] {7, 7, 7}, GridSample.sample(x, g, Padding.REFLECTION, false).data());
    }

    @Test
    void threeDOutOfRangeDepthIsZero() {
        Tensor x = Tensor.filled(1f, 1, 1, 3, 2, 2);
        Tensor g = Tensor.of(new float[] {0, 0, 3, 0, 0, 0, 0, 0, 1}, 1, 1, 1, 3, 3);
        assertArrayEquals(new float[] {0, 1, 1}, GridSample.sample(x, g, Padding.ZEROS, true).data(), 1e-6f);
        // align_corners false: z = 1 is half a frame beyond the last one
        assertArrayEquals(new float[] {0, 1, 0.5f}, GridSample.sample(x, g, Padding.ZEROS, false).data(), 1e-6f);
    }

    @Test
    void depthOneAtZeroIsBilinearSamplingRepeatedPerFrame() {
        int c = 5;
        int h = 7;
        int w = 9;
        int frames = 3;
        Tensor img = PoolSoftmaxTest.random(6, 2, c, h, w);
        Tensor grid3 = Tensor.zeros(2, frames, 4, 6, 3);
        Tensor grid2 = Tensor.zeros(2 * frames, 4, 6, 2);
        Random r = new Random(7);
        for (int p = 0; p < 2 * frames * 24; p++) {
            float gx = (float) (r.nextDouble() * 2.4 - 1.2);
            float gy = (float) (r.nextDouble() * 2.4 - 1.2);
            grid3.data()[p * 3] = gx;
            grid3.data()[p * 3 + 1] = gy;
            grid2.data()[p * 2] = gx;
            grid2.data()[p * 2 + 1] = gy;
        }
        Tensor out3 = GridSample.sample(img.reshape(2, c, 1, h, w), grid3, Padding.ZEROS, true);
        // the 2-D reference: each frame samples the same image
        Tensor imgs = Tensor.zeros(2 * frames, c, h, w);
        for (int b = 0; b < 2; b++) {
            for (int f = 0; f < frames; f++) {
                System.arraycopy(img.data(), b * c * h * w, imgs.data(), (b * frames + f) * c * h * w, c * h * w);
            }
        }
        Tensor out2 = GridSample.sample(imgs, grid2, Padding.ZEROS, true);
        for (int b = 0; b < 2; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int f = 0; f < frames; f++) {
                    for (int p = 0; p < 24; p++) {
                        assertEquals(out2.data()[((b * frames + f) * c + ch) * 24 + p],
                                out3.data()[((b * c + ch) * frames + f) * 24 + p], 1e-6f);
                    }
                }
            }
        }
    }

    /** Random inputs and grids, including depth 1 and z far from 0, against a direct transcription of PyTorch. */
    @Test
    void matchesNaiveReferenceEverywhere() {
        Random r = new Random(11);
        int[][] shapes = {{2, 3, 1, 5, 6}, {1, 2, 3, 4, 5}, {1, 2, 1, 1, 1}, {1, 3, 2, 1, 4}};
        for (int[] s : shapes) {
            Tensor x = PoolSoftmaxTest.random(s[2] * 31 + s[4], s);
            Tensor g = Tensor.zeros(s[0], 2, 3, 4, 3);
            for (int i = 0; i < g.numel(); i++) {
                g.data()[i] = (float) (r.nextDouble() * 4 - 2);
            }
            for (Padding p : Padding.values()) {
                for (boolean ac : new boolean[] {true, false}) {
                    Tensor y = GridSample.sample(x, g, p, ac);
                    Tensor ref = NaiveGridSample.trilinear(x, g, p, ac);
                    assertArrayEquals(ref.data(), y.data(), 1e-5f, p + " ac=" + ac + " " + x.shapeString());
                }
            }
            Tensor x2 = x.reshape(s[0], s[1] * s[2], s[3], s[4]);
            Tensor g2 = Tensor.zeros(s[0], 3, 5, 2);
            for (int i = 0; i < g2.numel(); i++) {
                g2.data()[i] = (float) (r.nextDouble() * 4 - 2);
            }
            for (Padding p : Padding.values()) {
                for (boolean ac : new boolean[] {true, false}) {
                    assertArrayEquals(NaiveGridSample.bilinear(x2, g2, p, ac).data(),
                            GridSample.sample(x2, g2, p, ac).data(), 1e-5f, p + " ac=" + ac);
                }
            }
        }
    }

    @Test
    void planIsReusableAcrossChannelCounts() {
        Tensor g = PoolSoftmaxTest.random(12, 2, 3, 5, 6, 3);
        GridSample.Plan plan = GridSample.plan(g, 1, 7, 8, Padding.BORDER, false);
        for (int c : new int[] {1, 3, 600}) {
            Tensor x = PoolSoftmaxTest.random(c, 2, c, 1, 7, 8);
            assertArrayEquals(GridSample.sample(x, g, Padding.BORDER, false).data(), plan.apply(x).data());
        }
        Tensor c600 = PoolSoftmaxTest.random(600, 2, 600, 1, 7, 8);
        Tensor ref = NaiveGridSample.trilinear(c600, g, Padding.BORDER, false);
        assertArrayEquals(ref.data(), plan.apply(c600).data(), 1e-5f);
        assertThrows(IllegalArgumentException.class, () -> plan.apply(Tensor.zeros(2, 1, 1, 7, 9)));
        assertThrows(IllegalArgumentException.class, () -> plan.apply(Tensor.zeros(1, 1, 1, 7, 8)));
        assertThrows(IllegalArgumentException.class, () -> plan.apply(Tensor.zeros(2, 1, 2, 7, 8)));
    }

    @Test
    void rejectsMismatchedGrids() {
        Tensor x = Tensor.zeros(1, 1, 2, 2);
        assertThrows(IllegalArgumentException.class,
                () -> GridSample.sample(x, Tensor.zeros(1, 2, 2, 3), Padding.ZEROS, true));
        assertThrows(IllegalArgumentException.class,
                () -> GridSample.sample(x, Tensor.zeros(2, 2, 2, 2), Padding.ZEROS, true));
        assertThrows(IllegalArgumentException.class,
                () -> GridSample.sample(Tensor.zeros(1, 2), Tensor.zeros(1, 2), Padding.ZEROS, true));
        assertThrows(IllegalArgumentException.class, () -> Padding.parse("wrap"));
    }
}
