package io.motionkernels.checkpoint;

import io.motionkernels.Backend;
import io.motionkernels.TestFiles;
import io.motionkernels.FommModel;
import io.motionkernels.model.FommConfig;
import io.motionkernels.model.FommKeypoints;
import io.motionkernels.model.FommTestModels;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A FOMM checkpoint as the training Logger writes it (legacy torch.save: generator, kp_detector,
 * discriminator, three optimizer states, epoch; BN counters as LongStorage; the antialias
 * buffers) loads into the same model as its tensors given directly.
 */
class FommCheckpointTest {
    @TempDir
    Path tmp;

    private Path legacy(StateDict sd, boolean breakKernel) throws IOException {
        PickleWriter w = new PickleWriter().proto(2).emptyDict().mark();
        List<String> keys = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (String net : new String[] {"generator", "kp_detector"}) {
            w.str(net).global("collections", "OrderedDict").emptyTuple().reduce().mark();
            for (Map.Entry<String, Tensor> e : sd.tensors().entrySet()) {
                if (!e.getKey().startsWith(net + ".")) {
                    continue;
                }
                String key = "s" + keys.size();
                Tensor t = e.getValue();
                int[] shape = t.shape();
                int[] stride = new int[shape.length];
                for (int i = shape.length - 1, s = 1; i >= 0; s *= shape[i], i--) {
                    stride[i] = s;
                }
                boolean counter = e.getKey().endsWith(".num_batches_tracked");
                ByteBuffer b = ByteBuffer.allocate(t.numel() * (counter ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < t.numel(); i++) {
                    float v = t.data()[i];
                    if (breakKernel && e.getKey().equals("generator.dense_motion_network.down.weight") && i == 12) {
                        v *= 1.01f; // the centre tap of channel 0
                    }
                    if (counter) {
                        b.putLong(1000);
                    } else {
                        b.putFloat(v);
                    }
                }
                if (counter) {
                    shape = new int[0];
                    stride = new int[0];
                }
                w.str(e.getKey().substring(net.length() + 1))
                        .tensor(counter ? "LongStorage" : "FloatStorage", key, counter ? 1 : t.numel(), true, 0, shape, stride);
                keys.add(key);
                data.add(b.array());
                sizes.add(counter ? 8 : 4);
            }
            w.setItems();
        }
        // the parts inference does not read: a discriminator, Adam states, the epoch
        w.str("discriminator").global("collections", "OrderedDict").emptyTuple().reduce().mark()
                .str("discs.1.conv.weight").tensor("FloatStorage", "d0", 2, true, 0, new int[] {2}, new int[] {1})
                .setItems();
        for (String opt : new String[] {"optimizer_generator", "optimizer_kp_detector", "optimizer_discriminator"}) {
            w.str(opt).emptyDict().mark().str("state").emptyDict().str("param_groups").raw(']').setItems();
        }
        w.str("epoch").integer(99).setItems().stop();
        keys.add("d0");
        data.add(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).array());
        sizes.add(4);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(true));
        f.writeBytes(w.bytes());
        int[] sz = sizes.stream().mapToInt(Integer::intValue).toArray();
        f.writeBytes(PickleWriter.legacyStorages(ByteOrder.LITTLE_ENDIAN, keys.toArray(new String[0]),
                data.toArray(new byte[0][]), sz));
        Path p = tmp.resolve(breakKernel ? "broken-cpk.pth.tar" : "small-cpk.pth.tar");
        Files.write(p, f.toByteArray());
        return p;
    }

    @Test
    void legacyFommCheckpointsLoadIntoTheModel() throws IOException {
        FommConfig c = FommTestModels.small();
        StateDict sd = FommTestModels.stateDict(c, 13);
        Path file = legacy(sd, false);
        assertEquals(Checkpoints.Format.TORCH_LEGACY, Checkpoints.detect(file));
        Random r = new Random(5);
        Tensor img = Tensor.zeros(1, 3, 64, 64);
        for (int i = 0; i < img.numel(); i++) {
            img.data()[i] = r.nextFloat();
        }
        FommKeypoints direct;
        try (FommModel m = FommModel.create(c, sd, Backend.CPU)) {
            direct = m.detect(img);
        }
        try (FommModel m = FommModel.create(c, Checkpoints.load(file), Backend.CPU)) {
            FommKeypoints loaded = m.detect(img);
            assertArrayEquals(direct.value().data(), loaded.value().data());
            assertArrayEquals(direct.jacobian().data(), loaded.jacobian().data());
            try (FommModel.Transfer t = m.transfer(img, FommConfig.Normalization.ABSOLUTE)) {
                assertEquals(3 * 64 * 64, t.next(img.reshape(1, 3, 1, 64, 64)).numel());
            }
        }
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> FommModel.create(c, Checkpoints.load(legacy(sd, true)), Backend.CPU));
        assertTrue(e.getMessage().contains("generator.dense_motion_network.down.weight"), e.getMessage());
    }

    /**
     * Files torch.save itself wrote, laid out as FOMM's Logger.save_cpk writes the published ones
     * (make_fomm_cases.py checkpoint); their cases in cases/fomm check the outputs.
     */
    @Test
    void filesWrittenByTorchSaveAreRead() {
        Path legacy = TestFiles.extraCases().resolve("fomm/fomm-small-cpk.pth.tar");
        Checkpoints.Description d = Checkpoints.describe(legacy);
        assertEquals(Checkpoints.Format.TORCH_LEGACY, d.format());
        assertEquals(List.of("discriminator", "epoch", "generator", "kp_detector", "optimizer_discriminator",
                "optimizer_generator", "optimizer_kp_detector"), d.topLevel().stream().sorted().toList());
        assertEquals(99L, d.epoch());
        Path zip = TestFiles.extraCases().resolve("fomm/fomm-small-cpk-zip.pth");
        assertEquals(Checkpoints.Format.TORCH_ZIP, Checkpoints.detect(zip));
        StateDict a = Checkpoints.load(legacy);
        StateDict b = Checkpoints.load(zip);
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (String k : a.tensors().keySet()) {
            assertArrayEquals(a.tensors().get(k).data(), b.tensors().get(k).data(), k);
        }
        // the anti-aliasing buffers are stored, and hold the formula's Gaussian
        float[] formula = io.motionkernels.cpu.FommKernels.antialiasKernel(0.5);
        float[] stored = a.tensors().get("kp_detector.down.weight").data();
        for (int i = 0; i < formula.length; i++) {
            assertEquals(formula[i], stored[i], 1e-7f, "tap " + i);
        }
    }

    /** A file without an anti-aliasing buffer is reported as missing it, not as holding a wrong one. */
    @Test
    void aMissingAntialiasBufferIsReportedMissing() {
        FommConfig c = FommTestModels.small();
        StateDict sd = FommTestModels.stateDict(c, 13);
        java.util.Map<String, Tensor> t = new java.util.LinkedHashMap<>(sd.tensors());
        t.remove("generator.dense_motion_network.down.weight");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> FommModel.create(c, new StateDict("test.pth", t), Backend.CPU).close());
        assertTrue(e.getMessage().contains("missing") && e.getMessage().contains("dense_motion_network.down.weight"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("not the antialias Gaussian"), e.getMessage());
    }
}
