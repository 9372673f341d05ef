#!/usr/bin/env bash
# Builds bundle/native-tests.tgz (ignored by git): everything native-tests/run.sh needs on a GPU
# machine that has no Java and no network. Run here, on the build machine, from anywhere.
#   jre/           jlink runtime (java.base, java.logging, jdk.unsupported, java.management, java.desktop)
#   app/           motion-kernels jar (plain, with kernels.fatbin inside)
#   lib/           runtime dependencies incl. the linux-x86_64 natives (mvn dependency:copy-dependencies)
#   test-classes/  the GPU harnesses: io.motionkernels.engine.OpsHarness (with its OpTable) and ModelVerify
#   golden/        the golden op cases (ops/) and the model cases (shapes/, nemo/)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NVCC=/usr/local/bin/nvcc
if [ ! -x "$NVCC" ]; then
    echo "bundle.sh: no nvcc at $NVCC: the jar would have no kernels; build on a machine with the CUDA toolkit" >&2
    exit 1
fi
# The shipped copy of the goldens (src/test/resources/golden/README.md) unless told otherwise.
GOLDEN=${GOLDEN_DIR:-$ROOT/src/test/resources/golden}
STAGE=$ROOT/bundle/stage
rm -rf "$STAGE" "$ROOT/bundle/native-tests.tgz"
mkdir -p "$STAGE/app" "$STAGE/lib" "$STAGE/golden"

# Compiles kernels/ into the fatbin (cuda-kernels profile), main and test classes, and the jar.
mvn -B -q package -DskipTests
JAR=$(ls "$ROOT"/target/motion-kernels-*.jar | grep -v -e sources -e javadoc | head -1)
unzip -l "$JAR" | grep 'io/motionkernels/cuda/kernels.fatbin' >/dev/null || { echo "bundle.sh: $JAR has no kernels.fatbin" >&2; exit 1; }
cp "$JAR" "$STAGE/app/"
mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$STAGE/lib"
# The same natives the runnable jar leaves out (pom.xml's shade filters): JCuda's NVPTX compiler,
# NVRTC and runtime bindings, and JavaCPP's NPP/cuFFT/... JNI libraries, about 10 MiB compressed.
zip -q -d "$STAGE"/lib/jcuda-natives-*-linux-x86_64.jar 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' 'lib/libJCudaRuntime*'
zip -q -d "$STAGE"/lib/cuda-*-linux-x86_64.jar 'org/bytedeco/cuda/linux-x86_64/libjninpp*' \
    'org/bytedeco/cuda/linux-x86_64/libjninv*' 'org/bytedeco/cuda/linux-x86_64/libjnicufft*' \
    'org/bytedeco/cuda/linux-x86_64/libjnicufile*' 'org/bytedeco/cuda/linux-x86_64/libjnicupti*' \
    'org/bytedeco/cuda/linux-x86_64/libjnicurand*' 'org/bytedeco/cuda/linux-x86_64/libjnicusolver*' \
    'org/bytedeco/cuda/linux-x86_64/libjnicusparse*' 'org/bytedeco/cuda/linux-x86_64/libjninccl*'
# Without the test resources' reference cases (golden/ with the demo weights, cases/: 35 MiB); the
# cases the harnesses need are copied into golden/ below.
(cd "$ROOT/target" && tar cf - --exclude=test-classes/golden --exclude=test-classes/golden-fomm --exclude=test-classes/cases test-classes) \
    | (cd "$STAGE" && tar xf -)
if [ -d "$GOLDEN/ops" ]; then
    cp -r "$GOLDEN/ops" "$STAGE/golden/ops"
else
    echo "bundle.sh: warning: no golden cases at $GOLDEN/ops; the harness will only compare against the CPU" >&2
fi
for d in shapes nemo; do
    if [ -d "$GOLDEN/$d" ]; then cp -r "$GOLDEN/$d" "$STAGE/golden/$d"; else echo "bundle.sh: warning: no $GOLDEN/$d" >&2; fi
done
# Not golden/checkpoints: its 12 MiB of trained weights would take the bundle to 62 of the 64 MiB
# the device machine takes. The model harness runs shapes-expected when a golden folder has it.
cp "$ROOT/native-tests/run.sh" "$STAGE/run.sh"

JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported,java.management,java.desktop \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$STAGE/jre"

tar -C "$STAGE" -czf "$ROOT/bundle/native-tests.tgz" .
rm -rf "$STAGE"
SIZE=$(stat -c %s "$ROOT/bundle/native-tests.tgz")
echo "bundle/native-tests.tgz: $((SIZE / 1048576)) MiB"
if [ "$SIZE" -ge $((64 * 1048576)) ]; then
    echo "bundle.sh: the bundle is over 64 MiB, more than the device machine takes" >&2
    exit 1
fi
