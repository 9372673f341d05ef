package io.motionkernels;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The module exports the API and nothing of the engine, the devices or the command line. */
class ModuleDescriptorTest {
    @Test
    void exportsOnlyTheApi() {
        ModuleDescriptor d = ModuleFinder.of(Path.of("target/classes")).find("io.motionkernels").orElseThrow()
                .descriptor();
        Set<String> exported = new TreeSet<>();
        d.exports().forEach(e -> {
            assertTrue(e.targets().isEmpty(), "qualified export " + e);
            exported.add(e.source());
        });
        assertEquals(new TreeSet<>(Set.of("io.motionkernels", "io.motionkernels.tensor", "io.motionkernels.model",
                "io.motionkernels.checkpoint", "io.motionkernels.media", "io.motionkernels.conformance")), exported);
        for (String internal : new String[] {"io.motionkernels.engine", "io.motionkernels.cpu", "io.motionkernels.cuda",
                "io.motionkernels.cli", "io.motionkernels.monkeynet"}) {
            assertTrue(d.packages().contains(internal), internal + " is part of the module");
        }
        // CUDA and the command line stay optional for a module-path application too
        d.requires().stream().filter(r -> Set.of("jcuda", "org.bytedeco.cuda", "org.bytedeco.javacpp", "info.picocli")
                .contains(r.name())).forEach(r -> assertTrue(r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC),
                r.name() + " is required statically"));
    }
}
