// Just enough of CUDA to run kernels/*.cu on the CPU, for checking what they compute where no
// GPU is available. NOT a performance or race-condition model: blocks run one after another. For
// kernels that synchronise (launch_cooperative) the threads of a block are fibers (ucontext) run
// by a scheduler, so __syncthreads and warp shuffles behave as on the GPU: a thread waiting at
// __syncthreads goes on once every live thread of the block is there, one waiting in a shuffle
// once every live thread of its warp is there.
#pragma once
#include <ucontext.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __shared__ static

struct dim3 { unsigned x = 0, y = 0, z = 0; };
inline dim3 threadIdx, blockIdx, blockDim, gridDim;

using std::min;
using std::max;

namespace emu {
enum State { RUNNABLE, AT_WARP, AT_BLOCK, DONE };
struct Fiber {
    ucontext_t ctx;
    std::vector<char> stack;
    State state = RUNNABLE;
};
inline ucontext_t scheduler;
inline std::vector<Fiber> fibers;
inline int current = -1;
inline double warp_slots[1024];
inline std::function<void()> body;

inline void wait(State s) {
    fibers[current].state = s;
    swapcontext(&fibers[current].ctx, &scheduler);
}

inline void fiber_main() {
    body();
    fibers[current].state = DONE;  // uc_link returns to the scheduler
}
}  // namespace emu

inline void __syncthreads() { emu::wait(emu::AT_BLOCK); }

template <typename T>
inline T __shfl_down_sync(unsigned, T v, int offset) {
    const int t = threadIdx.x, lane = t & 31;
    emu::warp_slots[t] = (double)v;
    emu::wait(emu::AT_WARP);
    T r = lane + offset < 32 ? (T)emu::warp_slots[t + offset] : v;
    emu::wait(emu::AT_WARP);  // nobody overwrites a slot before its warp has read it
    return r;
}

namespace emu {
// Kernels without barriers: every (block, thread) in turn.
template <class F, class... A>
void launch(int grid, int block, F kernel, A... args) {
    gridDim.x = grid;
    blockDim.x = block;
    for (int b = 0; b < grid; b++) {
        blockIdx.x = b;
        for (int t = 0; t < block; t++) {
            threadIdx.x = t;
            kernel(args...);
        }
    }
}

// Kernels with __syncthreads / shuffles: the block's threads as fibers, released barrier by barrier.
template <class F, class... A>
void launch_cooperative(int grid, int block, F kernel, A... args) {
    gridDim.x = grid;
    blockDim.x = block;
    body = [&] { kernel(args...); };
    fibers.assign(block, Fiber());
    for (auto& f : fibers) f.stack.resize(1 << 16);
    for (int b = 0; b < grid; b++) {
        blockIdx.x = b;
        for (int t = 0; t < block; t++) {
            Fiber& f = fibers[t];
            f.state = RUNNABLE;
            getcontext(&f.ctx);
            f.ctx.uc_stack.ss_sp = f.stack.data();
            f.ctx.uc_stack.ss_size = f.stack.size();
            f.ctx.uc_link = &scheduler;
            makecontext(&f.ctx, fiber_main, 0);
        }
        for (;;) {
            bool ran = false;
            for (int t = 0; t < block; t++) {
                if (fibers[t].state != RUNNABLE) continue;
                current = t;
                threadIdx.x = t;
                swapcontext(&scheduler, &fibers[t].ctx);
                ran = true;
            }
            int done = 0, at_block = 0;
            for (auto& f : fibers) done += f.state == DONE, at_block += f.state == AT_BLOCK;
            if (done == block) break;
            bool released = false;
            for (int w = 0; w * 32 < block; w++) {
                int live = 0, waiting = 0;
                for (int t = w * 32; t < w * 32 + 32; t++) live += fibers[t].state != DONE, waiting += fibers[t].state == AT_WARP;
                if (live > 0 && waiting == live) {
                    for (int t = w * 32; t < w * 32 + 32; t++) fibers[t].state = RUNNABLE;
                    released = true;
                }
            }
            if (!released && at_block == block - done) {
                for (auto& f : fibers) if (f.state == AT_BLOCK) f.state = RUNNABLE;
                released = true;
            }
            if (!released && !ran) {
                fprintf(stderr, "emulator: deadlock in block %d (threads wait at different barriers)\n", b);
                abort();
            }
        }
    }
}
}  // namespace emu
