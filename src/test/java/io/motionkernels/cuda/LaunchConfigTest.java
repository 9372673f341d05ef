package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LaunchConfigTest {
    @Test
    void elementwiseCoversEveryItemWithWholeBlocks() {
        for (long n : new long[] {1, 2, 31, 255, 256, 257, 511, 4096, 64 * 64 * 10 + 3}) {
            LaunchConfig c = LaunchConfig.elementwise(n);
            assertEquals(256, c.blockX());
            assertTrue(c.threads() >= n, "n=" + n);
            assertTrue(c.threads() - n < 256, "one block too many for n=" + n);
        }
    }

    @Test
    void elementwiseCapsTheGridAndLeavesTheRestToTheStrideLoop() {
        long n = 10_000_000_000L; // beyond int
        LaunchConfig c = LaunchConfig.elementwise(n);
        assertEquals(LaunchConfig.MAX_ELEMENTWISE_GRID, c.gridX());
        assertTrue(c.threads() < n);
        assertEquals(LaunchConfig.MAX_ELEMENTWISE_GRID, LaunchConfig.elementwise(256L * LaunchConfig.MAX_ELEMENTWISE_GRID + 1).gridX());
        assertEquals(LaunchConfig.MAX_ELEMENTWISE_GRID, LaunchConfig.elementwise(256L * LaunchConfig.MAX_ELEMENTWISE_GRID).gridX());
        assertEquals(LaunchConfig.MAX_ELEMENTWISE_GRID - 1,
                LaunchConfig.elementwise(256L * (LaunchConfig.MAX_ELEMENTWISE_GRID - 1)).gridX());
    }

    @Test
    void noWorkIsAnEmptyLaunchNotAZeroGrid() {
        assertTrue(LaunchConfig.elementwise(0).isEmpty());
        assertTrue(LaunchConfig.perMap(0, 100).isEmpty());
        assertTrue(LaunchConfig.perMap(10, 0).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.elementwise(-1));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(0, 256, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 2048, 0));
    }

    @Test
    void perMapUsesWholeWarpsUpToTheCap() {
        assertEquals(new LaunchConfig(7, 32, 0), LaunchConfig.perMap(7, 1)); // a one-pixel map still gets a full warp
        assertEquals(32, LaunchConfig.perMap(1, 32).blockX());
        assertEquals(64, LaunchConfig.perMap(1, 33).blockX());
        assertEquals(224, LaunchConfig.perMap(1, 200).blockX());
        assertEquals(256, LaunchConfig.perMap(1, 64 * 64).blockX());
        assertEquals(256, LaunchConfig.perMap(1, 257).blockX());
        assertEquals(40, LaunchConfig.perMap(40, 4096).gridX());
        for (long size = 1; size < 600; size++) {
            int b = LaunchConfig.perMap(3, size).blockX();
            assertEquals(0, b % 32, "size " + size);
            assertTrue(b >= 32 && b <= 256);
        }
    }

    @Test
    void perMapRefusesWhatTheKernelsCannotIndex() {
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.perMap(1L << 31, 10));
        assertEquals(Integer.MAX_VALUE, LaunchConfig.perMap(Integer.MAX_VALUE, 10).gridX());
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.perMap(1, 1L << 31));
    }

    @Test
    void ofFollowsTheKernelsShape() {
        assertEquals(LaunchConfig.perMap(12, 4096), LaunchConfig.of(Kernel.GAUSSIAN2KP, 12, 4096));
        assertEquals(LaunchConfig.elementwise(12), LaunchConfig.of(Kernel.GRID_SAMPLE_2D, 12, 4096));
    }
}
