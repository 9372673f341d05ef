// The one translation unit nvcc compiles into kernels.fatbin (sm_80 and sm_90 machine code plus
// compute_90 PTX): every kernel file, so that one cuModuleLoadData loads them all.
// The list of extern "C" kernels is io.motionkernels.cuda.Kernel; a unit test checks that both agree.
#include "keypoints.cu"
#include "softmax.cu"
#include "grid_sample.cu"
#include "interpolate.cu"
#include "pool.cu"
#include "elementwise.cu"
#include "fomm.cu"
