package io.motionkernels.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.engine.OpsHarness.Result;
import io.motionkernels.engine.OpsHarness.Status;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The op harness on the CPU: the whole table passes against a second CPU device (the harness
 * runs, every case builds and plans), the table reaches every operation and path it claims to,
 * and a device that is wrong in a known way fails exactly the matching cases.
 */
class OpsHarnessTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private Map<String, Result> run(List<OpCase> cases, Device underTest) {
        Map<String, Result> byName = new LinkedHashMap<>();
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            for (Result r : OpsHarness.run(cases, new CpuDevice(), underTest, "test", out)) {
                byName.put(r.opCase().name(), r);
            }
        }
        return byName;
    }

    private static List<OpCase> families(String... names) {
        return OpsHarness.select(OpTable.all(), Set.of(names));
    }

    private String failures(Map<String, Result> results, Predicate<Result> bad) {
        return results.values().stream().filter(bad).map(r -> OpsHarness.line(r, 0)).collect(Collectors.joining("\n"));
    }

    @Test
    void everyCaseOfTheTablePassesOnASecondCpuDevice() {
        Map<String, Result> results = run(OpTable.all(), new CpuDevice());
        assertEquals(OpTable.all().size(), results.size(), "case names are unique");
        assertEquals("", failures(results, r -> !r.passed()));
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("ops harness (test vs cpu): " + results.size() + " passed, 0 failed"), text);
    }

    @Test
    void theTableCoversEveryOperationAndItsPaths() {
        Set<Class<?>> ops = new HashSet<>();
        Set<String> paths = new HashSet<>();
        for (OpCase c : OpTable.all()) {
            OpCase.Built b = c.build();
            assertEquals(1, b.graph().nodes().size(), c.name());
            Graph.Op op = b.graph().nodes().get(0).op();
            ops.add(op.getClass());
            String family = c.family();
            if (op instanceof Ops.Conv v) {
                paths.add(family + (v.residual() != null ? " residual" : ""));
                paths.add(family + " up" + v.up());
                paths.add(family + (v.yChannels() > v.spec().cout() ? " slice" : " whole"));
                paths.add(family + (v.yOffset() > 0 ? " offset" : ""));
                paths.add(family + " groups" + (v.spec().groups() > 1) + " k" + v.spec().k());
            } else if (op instanceof Ops.CopyStrided v) {
                paths.add(family + (v.src().offset() > 0 && v.dst().offset() > 0 ? " offsets" : ""));
            } else if (op instanceof Ops.ChannelAffine v) {
                paths.add(family + " scale " + (v.scale() != null) + " shift " + (v.shift() != null) + " slice "
                        + (v.outChannels() > v.c()));
            } else if (op instanceof Ops.Gaussian2kp v) {
                paths.add(family + " " + v.variance().kind() + " clip " + (v.clipVariance() != null));
            } else if (op instanceof Ops.KpHeatmapEmbed v) {
                paths.add(family + " " + v.variance().kind() + " norm " + (v.normConst() != null) + " difference "
                        + v.difference() + " background " + v.background());
                paths.add(family + " features>1 " + (v.slotFeatures() > 1));
            } else if (op instanceof Ops.KpDifferenceEmbed v) {
                paths.add(family + " features>2 " + (v.slotFeatures() > 2));
            } else if (op instanceof Ops.DenseMotionFlow v) {
                paths.add(family + (v.pred() == null ? " identity"
                        : " mask " + v.useMask() + " correction " + v.useCorrection()));
            } else if (op instanceof Ops.GridSampleDepth1 v) {
                paths.add(family + " " + v.padding() + " " + v.alignCorners());
            }
        }
        for (Class<?> record : Ops.class.getDeclaredClasses()) {
            if (record.isRecord() && Graph.Op.class.isAssignableFrom(record)) {
                assertTrue(ops.contains(record), "no case for Ops." + record.getSimpleName());
            }
        }
        List<String> wanted = List.of("conv residual", "conv up2", "conv slice", "conv offset", "conv groupstrue k1",
                "conv groupstrue k3", "copy_strided offsets", "channel_affine scale true shift true slice false",
                "channel_affine scale false shift false slice true", "channel_affine scale true shift true slice true",
                "gaussian2kp MATRIX clip true", "gaussian2kp MATRIX clip false", "gaussian2kp SINGLE clip true",
                "gaussian2kp CONSTANT clip true", "kp_heatmap_embed features>1 true", "kp_difference_embed features>2 true",
                "dense_motion_flow identity", "dense_motion_flow mask true correction true",
                "dense_motion_flow mask true correction false", "dense_motion_flow mask false correction true");
        for (String w : wanted) {
            assertTrue(paths.contains(w), "no case for " + w);
        }
        for (String kind : new String[] {"MATRIX", "SINGLE", "CONSTANT"}) {
            for (boolean norm : new boolean[] {false, true}) {
                for (boolean diff : new boolean[] {false, true}) {
                    for (boolean bg : new boolean[] {false, true}) {
                        String p = "kp_heatmap_embed " + kind + " norm " + norm + " difference " + diff + " background " + bg;
                        assertTrue(paths.contains(p), "no case for " + p);
                    }
                }
            }
        }
        for (Padding p : Padding.values()) {
            assertTrue(paths.contains("grid_sample_depth1 " + p + " false"), "no case for " + p + " ac0");
            assertTrue(paths.contains("grid_sample_depth1 " + p + " true"), "no case for " + p + " ac1");
        }
    }

    @Test
    void aSlightlyWrongSamplerFailsExactlyItsCases() {
        Device wrong = new DelegatingDevice(new CpuDevice()) {
            @Override
            public void gridSampleDepth1(View in, View grid, int n, int c, int h, int w, int od, int ho, int wo,
                                         Padding padding, boolean alignCorners, View out) {
                super.gridSampleDepth1(in, grid, n, c, h, w, od, ho, wo, padding, alignCorners, out);
                float[] host = new float[Math.toIntExact(out.floats())];
                download(out, host);
                host[host.length / 2] += 1e-3f;
                upload(host, out);
            }
        };
        Map<String, Result> results = run(families("grid_sample_depth1", "channel_affine", "channels_first_to_last"), wrong);
        for (Result r : results.values()) {
            boolean sampler = r.opCase().family().equals("grid_sample_depth1");
            assertEquals(sampler ? Status.FAIL : Status.PASS, r.status(), OpsHarness.line(r, 0));
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("FAIL  grid_sample_depth1/zeros ac1 c3 256x256"), text);
    }

    @Test
    void aConvolutionOffByOneInTenThousandFails() {
        Device wrong = new DelegatingDevice(new CpuDevice()) {
            @Override
            public void conv(Conv conv, View x, int n, int h, int w, int up, View residual, View y, int yChannels,
                             int yOffset, View workspace) {
                super.conv(conv, x, n, h, w, up, residual, y, yChannels, yOffset, workspace);
                float[] host = new float[Math.toIntExact(y.floats())];
                download(y, host);
                for (int i = 0; i < host.length; i++) {
                    host[i] *= 1 + 1e-4f;
                }
                upload(host, y);
            }
        };
        Map<String, Result> results = run(families("conv/k3 5->7", "conv/k1 grouped 6->9", "conv/k3 4->4 residual"), wrong);
        assertEquals(3, results.size());
        assertEquals("", failures(results, r -> r.status() != Status.FAIL));
    }

    @Test
    void aValueLeftUnwrittenFailsThroughThePoison() {
        Device wrong = new DelegatingDevice(new CpuDevice()) {
            @Override
            public void channelsFirstToLast(View in, int b, long inner, int c, View out) {
                // everything but the last value: the right result into scratch, all but one copied over
                try (Buffer scratch = allocate(out.floats())) {
                    super.channelsFirstToLast(in, b, inner, c, scratch.view());
                    float[] host = new float[Math.toIntExact(out.floats()) - 1];
                    download(scratch.view(), host);
                    upload(host, out);
                }
            }
        };
        Map<String, Result> results = run(families("channels_first_to_last/b3", "channels_first_to_last/b1 inner 1 "),
                wrong);
        assertEquals(2, results.size());
        for (Result r : results.values()) {
            assertEquals(Status.FAIL, r.status(), OpsHarness.line(r, 0));
            assertTrue(r.detail().contains("NaN at " + (OpCaseSize.floats(r) - 1)), r.detail());
        }
    }

    @Test
    void aWriteOutsideTheSliceFails() {
        Device wrong = new DelegatingDevice(new CpuDevice()) {
            @Override
            public void channelAffine(View in, View scale, View shift, int b, int c, long inner, Activation act,
                                      int outChannels, int outOffset, View out) {
                super.channelAffine(in, scale, shift, b, c, inner, act, outChannels, outOffset, out);
                if (outOffset > 0) {
                    fill(out.slice(0, 1), 0f); // channel 0: not this operation's to write
                }
            }
        };
        Map<String, Result> results = run(families("channel_affine"), wrong);
        for (Result r : results.values()) {
            boolean offset = r.opCase().name().matches(".*into \\[[1-9].*");
            assertEquals(offset ? Status.FAIL : Status.PASS, r.status(), OpsHarness.line(r, 0));
            if (offset) {
                assertTrue(r.detail().contains("outside the part the operation writes"), r.detail());
            }
        }
        assertTrue(results.values().stream().filter(r -> r.status() == Status.FAIL).count() >= 3);
    }

    @Test
    void anExceptionFailsOnlyItsCaseAndTheRestRun() {
        Device wrong = new DelegatingDevice(new CpuDevice()) {
            @Override
            public void softmaxPixels(View x, long rows, int n, double temperature, View out) {
                throw new IllegalStateException("CUDA_ERROR_ILLEGAL_ADDRESS (simulated)");
            }
        };
        Map<String, Result> results = run(families("softmax_pixels", "gaussian2kp"), wrong);
        for (Result r : results.values()) {
            boolean softmax = r.opCase().family().equals("softmax_pixels");
            assertEquals(softmax ? Status.ERROR : Status.PASS, r.status(), OpsHarness.line(r, 0));
            if (softmax) {
                assertTrue(r.detail().contains("ILLEGAL_ADDRESS (simulated)"), r.detail());
            }
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("4 failed (4 of them errors)"), text);
    }

    @Test
    void theComparisonHoldsBothBounds() {
        OpCase c = new OpCase("test/compare", OpCase.Tolerance.FEW_FLOPS, s -> {
        });
        float[] ref = new float[1_000_000];
        Arrays.fill(ref, 1f);
        float[] got = ref.clone();
        assertEquals(Status.PASS,
                OpsHarness.compare(c, List.of("out"), Map.of(), new float[][] {ref}, new float[][] {got}, 0).status());
        got[17] += 5e-4f; // relative L2 5e-7, within 1e-6; max abs 5e-4, above 1e-5
        Result r = OpsHarness.compare(c, List.of("out"), Map.of(), new float[][] {ref}, new float[][] {got}, 0);
        assertEquals(Status.FAIL, r.status());
        assertTrue(r.relL2() <= 1e-6 && r.detail().contains("at 17"), r.detail());
        Result shorter = OpsHarness.compare(c, List.of("out"), Map.of(), new float[][] {ref},
                new float[][] {new float[3]}, 0);
        assertEquals(Status.FAIL, shorter.status());
        float[] nan = ref.clone();
        nan[3] = Float.NaN;
        Result badReference = OpsHarness.compare(c, List.of("out"), Map.of(), new float[][] {nan},
                new float[][] {ref}, 0);
        assertEquals(Status.FAIL, badReference.status());
        assertTrue(badReference.detail().contains("reference"), badReference.detail());
    }

    @Test
    void aPartlyWrittenOutputIsJudgedOnItsWrittenPart() {
        OpCase c = new OpCase("test/slice", OpCase.Tolerance.FEW_FLOPS, s -> {
        });
        float[] before = new float[10_000];
        Arrays.fill(before, 1f);
        float[] ref = before.clone();
        ref[5] = 0.01f; // the operation writes two small values into a large prefilled buffer
        ref[6] = 0.02f;
        Map<String, float[]> initial = Map.of("out", before);
        float[] got = ref.clone();
        assertEquals(Status.PASS, OpsHarness.compare(c, List.of("out"), initial, new float[][] {ref},
                new float[][] {got}, 0).status());
        got[6] = 0.0200002f; // 1e-5 relative to the written part: diluted by the rest it would be 2e-9
        Result off = OpsHarness.compare(c, List.of("out"), initial, new float[][] {ref}, new float[][] {got}, 0);
        assertEquals(Status.FAIL, off.status(), off.detail());
        float[] outside = ref.clone();
        outside[9000] = Math.nextUp(1f);
        Result clobbered = OpsHarness.compare(c, List.of("out"), initial, new float[][] {ref},
                new float[][] {outside}, 0);
        assertEquals(Status.FAIL, clobbered.status());
        assertTrue(clobbered.detail().contains("outside the part") && clobbered.detail().contains("at 9000"),
                clobbered.detail());
        float[] unwritten = ref.clone();
        unwritten[5] = 1f;
        assertEquals(Status.FAIL, OpsHarness.compare(c, List.of("out"), initial, new float[][] {ref},
                new float[][] {unwritten}, 0).status());
    }

    @Test
    void caseSelectionByPrefix() {
        List<OpCase> all = OpTable.all();
        List<OpCase> conv = OpsHarness.select(all, Set.of("conv"));
        assertFalse(conv.isEmpty());
        assertTrue(conv.stream().allMatch(c -> c.family().equals("conv")));
        assertEquals(all.size(), OpsHarness.select(all, Set.of()).size());
        assertTrue(OpsHarness.select(all, Set.of("no_such_family")).isEmpty());
    }

    /** The size of a case's only output (built again: the table is deterministic). */
    private static final class OpCaseSize {
        static long floats(Result r) {
            return r.opCase().build().graph().value("out").floats();
        }
    }
}
