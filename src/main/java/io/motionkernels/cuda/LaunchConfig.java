package io.motionkernels.cuda;

/**
 * A 1-D kernel launch: {@code gridX} blocks of {@code blockX} threads. Pure arithmetic, so that
 * the edge cases (sizes that are not multiples of the block, one-pixel maps, counts beyond the
 * grid limit) are tested without a GPU. An empty configuration (no work) is skipped by the launcher:
 * CUDA rejects a grid of 0 blocks.
 */
public record LaunchConfig(int gridX, int blockX, int sharedBytes) {
    /** Threads per block of the element-wise (grid-stride) kernels. */
    public static final int ELEMENTWISE_BLOCK = 256;
    /**
     * Most blocks an element-wise launch gets: the grid-stride loop covers any remainder, and
     * 2^20 blocks of 256 threads is far more than enough to fill any current GPU.
     */
    public static final int MAX_ELEMENTWISE_GRID = 1 << 20;
    /** Largest block of the per-map reductions; a map smaller than that gets fewer warps. */
    public static final int MAX_MAP_BLOCK = 256;
    public static final int WARP = 32;
    /** CUDA's limit on gridDim.x. */
    public static final long MAX_GRID_X = Integer.MAX_VALUE;

    public static final LaunchConfig EMPTY = new LaunchConfig(0, 0, 0);

    public LaunchConfig {
        if (gridX < 0 || blockX < 0 || sharedBytes < 0 || (gridX == 0) != (blockX == 0)) {
            throw new IllegalArgumentException("bad launch configuration: grid " + gridX + ", block " + blockX);
        }
        if (blockX > 1024) {
            throw new IllegalArgumentException("block of " + blockX + " threads exceeds CUDA's 1024");
        }
    }

    /** True when there is nothing to launch. */
    public boolean isEmpty() {
        return gridX == 0;
    }

    /** Threads launched in all. */
    public long threads() {
        return (long) gridX * blockX;
    }

    /** Element-wise kernel over {@code n} items. */
    public static LaunchConfig elementwise(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative work size " + n);
        }
        if (n == 0) {
            return EMPTY;
        }
        long blocks = ceilDiv(n, ELEMENTWISE_BLOCK);
        return new LaunchConfig((int) Math.min(blocks, MAX_ELEMENTWISE_GRID), ELEMENTWISE_BLOCK, 0);
    }

    /**
     * One block per map of {@code mapSize} items: the block is the map size rounded up to whole
     * warps (the block reductions need full warps), between one warp and {@link #MAX_MAP_BLOCK}.
     */
    public static LaunchConfig perMap(long maps, long mapSize) {
        if (maps < 0 || mapSize < 0) {
            throw new IllegalArgumentException("negative map count or size: " + maps + " x " + mapSize);
        }
        if (maps > MAX_GRID_X) {
            throw new IllegalArgumentException(maps + " maps exceed CUDA's grid limit of " + MAX_GRID_X + " blocks");
        }
        if (mapSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a map of " + mapSize + " values is larger than the kernels' int indexing");
        }
        if (maps == 0 || mapSize == 0) {
            return EMPTY;
        }
        long block = Math.min(MAX_MAP_BLOCK, ceilDiv(mapSize, WARP) * WARP);
        return new LaunchConfig((int) maps, (int) block, 0);
    }

    /** The launch configuration for {@code kernel} over {@code work} items or maps. */
    public static LaunchConfig of(Kernel kernel, long work, long mapSize) {
        return kernel.shape() == Kernel.Shape.PER_MAP ? perMap(work, mapSize) : elementwise(work);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
