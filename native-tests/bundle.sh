#!/usr/bin/env bash
# Builds bundle/gpu-check.tar.xz (ignored by git): what native-tests/gpu-check.sh needs on a GPU
# machine that has no Java, no Maven and no network, beside the checkout, which travels with it.
# Run here, on the build machine (JDK 17, Maven, nvcc at /usr/local/bin/nvcc), from anywhere.
#   jre/           jlink runtime, built uncompressed (the tarball's xz packs it smaller than
#                  jlink's own compression): the modules of native-tests/jre-modules.txt
#   classes/       target/classes without what the checkout's src/main/resources already holds
#                  (the 12.6 MB demo weights, the configurations): gpu-check.sh puts that folder
#                  on the class path; kernels.fatbin is built, so it is here
#   test-classes/  the compiled test sources' classes (the harness mains), no test resources: the
#                  reference cases are read from the checkout's src/test/resources
#   lib/           the runtime dependencies with their linux-x86_64 natives, less the natives
#                  nothing here loads
# The device call carries the checkout and the bundle together, 64 MiB at most: this script fails
# when the two would be over 60 MiB.
#
#   native-tests/bundle.sh                   # -> bundle/gpu-check.tar.xz
#   native-tests/bundle.sh --stage DIR       # only lay out the bundle's tree in DIR: no Maven
#        (target/classes and target/test-classes must exist), the dependency jars from
#        $BUNDLE_JARS (a ':'-separated list), no tarball; for the tests (GpuCheckBundleTest)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LIMIT=$((60 * 1048576))
STAGE_ONLY=""
if [ "${1:-}" = --stage ]; then
    [ -n "${2:-}" ] || { echo "bundle.sh: --stage needs a folder" >&2; exit 2; }
    STAGE_ONLY=$2
fi
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
MODULES=$(grep -v '^#' "$ROOT/native-tests/jre-modules.txt" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')

if [ -n "$STAGE_ONLY" ]; then
    STAGE=$STAGE_ONLY
    [ -d "$ROOT/target/classes" ] && [ -d "$ROOT/target/test-classes" ] \
        || { echo "bundle.sh: no target/classes or target/test-classes; compile first" >&2; exit 2; }
    [ -n "${BUNDLE_JARS:-}" ] || { echo "bundle.sh: --stage needs BUNDLE_JARS" >&2; exit 2; }
else
    NVCC=/usr/local/bin/nvcc
    if [ ! -x "$NVCC" ]; then
        echo "bundle.sh: no nvcc at $NVCC: the classes would have no kernels; build on a machine with the CUDA toolkit" >&2
        exit 1
    fi
    STAGE=$ROOT/bundle/stage
    # Compiles kernels/ into the fatbin (cuda-kernels profile), the main and the test classes.
    mvn -B -q ${MVN_ARGS:-} test-compile
    [ -f "$ROOT/target/classes/io/motionkernels/cuda/kernels.fatbin" ] \
        || { echo "bundle.sh: target/classes has no kernels.fatbin" >&2; exit 1; }
    DEPS=$(mktemp -d)
    trap 'rm -rf "$DEPS"' EXIT
    mvn -B -q ${MVN_ARGS:-} dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$DEPS"
    BUNDLE_JARS=$(ls "$DEPS"/*.jar | tr '\n' ':')
fi
rm -rf "$STAGE"
mkdir -p "$STAGE/lib" "$STAGE/classes" "$STAGE/test-classes"

# Dependencies: the runtime ones (copy-dependencies' runtime scope; in --stage mode the test class
# path's jars less the test-only ones: JUnit's, Jazzer's), less the optional media ones: no stage
# reads video or photos' EXIF (FFmpeg's natives alone are ~150 MiB unpacked).
IFS=: read -r -a JARS <<< "$BUNDLE_JARS"
for j in "${JARS[@]}"; do
    case "$(basename "$j")" in
        junit-*|opentest4j-*|apiguardian-*|jazzer*|surefire*|*-tests.jar) ;;
        ffmpeg-*|metadata-extractor-*|xmpcore-*) ;;
        *.jar) cp "$j" "$STAGE/lib/" ;;
    esac
done
for need in jcuda-12 jcuda-natives javacpp-1 'javacpp-.*linux-x86_64' 'cuda-.*[0-9].jar' 'cuda-.*linux-x86_64' snakeyaml picocli; do
    ls "$STAGE/lib" | grep -q -e "^$need" || { echo "bundle.sh: no dependency jar matching $need" >&2; exit 1; }
done
# The natives nothing here loads: JCuda's NVPTX compiler, NVRTC and runtime bindings, and
# JavaCPP's NPP/cuFFT/... bindings (cuDNN's needs the cudart and cublas ones: they stay).
zip -q -d "$STAGE"/lib/jcuda-natives-*-linux-x86_64.jar 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' 'lib/libJCudaRuntime*'
zip -q -d "$STAGE"/lib/cuda-*-linux-x86_64.jar 'org/bytedeco/cuda/linux-x86_64/libjninpp*' \
    'org/bytedeco/cuda/linux-x86_64/libjninv*' 'org/bytedeco/cuda/linux-x86_64/libjnicufft*' \
    'org/bytedeco/cuda/linux-x86_64/libjnicufile*' 'org/bytedeco/cuda/linux-x86_64/libjnicupti*' \
    'org/bytedeco/cuda/linux-x86_64/libjnicurand*' 'org/bytedeco/cuda/linux-x86_64/libjnicusolver*' \
    'org/bytedeco/cuda/linux-x86_64/libjnicusparse*' 'org/bytedeco/cuda/linux-x86_64/libjninccl*' \
    >/dev/null 2>&1 || true

# Main classes without the resources the checkout has (its src/main/resources goes on the class path).
(cd "$ROOT/target/classes" && find . -type f) | while IFS= read -r f; do
    [ -e "$ROOT/src/main/resources/$f" ] && continue
    mkdir -p "$STAGE/classes/$(dirname "$f")"
    cp "$ROOT/target/classes/$f" "$STAGE/classes/$f"
done
# Test classes only: the reference cases are read from the checkout.
(cd "$ROOT/target/test-classes" && find . -type f -name '*.class') | while IFS= read -r f; do
    mkdir -p "$STAGE/test-classes/$(dirname "$f")"
    cp "$ROOT/target/test-classes/$f" "$STAGE/test-classes/$f"
done

# No AWT or sound natives: SnakeYAML needs java.desktop for java.beans only, and no stage draws.
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --strip-native-debug-symbols=exclude-debuginfo-files \
    --no-header-files --no-man-pages \
    --exclude-files='**/libawt_xawt.so,**/libawt_headless.so,**/libfontmanager.so,**/libjsound.so,**/libsplashscreen.so,**/liblcms.so,**/libjavajpeg.so,**/libmlib_image.so' \
    --output "$STAGE/jre" 2> >(grep -v 'Using incubator modules' >&2)
# The JVM's own symbol table (dynamic symbols stay): about 1 MiB of the packed bundle.
if command -v strip >/dev/null; then
    strip --strip-unneeded "$STAGE/jre/lib/server/libjvm.so"
fi

if [ -n "$STAGE_ONLY" ]; then
    exit 0
fi
mkdir -p "$ROOT/bundle"
rm -f "$ROOT/bundle/gpu-check.tar.xz"
tar -C "$STAGE" -cf - . | xz -9 -T0 > "$ROOT/bundle/gpu-check.tar.xz"
rm -rf "$STAGE"
SIZE=$(stat -c %s "$ROOT/bundle/gpu-check.tar.xz")
# What else a device call carries: the tracked files and the untracked ones git does not ignore.
CHECKOUT=$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
echo "bundle/gpu-check.tar.xz: $((SIZE / 1024)) KiB; with the checkout ($((CHECKOUT / 1024)) KiB): $(((SIZE + CHECKOUT) / 1024)) KiB of the 64 MiB a device call carries"
if [ $((SIZE + CHECKOUT)) -ge "$LIMIT" ]; then
    echo "bundle.sh: bundle + checkout is over 60 MiB; the device call carries 64 MiB at most" >&2
    exit 1
fi
