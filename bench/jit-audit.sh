#!/usr/bin/env bash
# Which of our methods C2 compiled with a Vector API intrinsic that failed to inline (each such
# vector op then runs as Java code that allocates a box per vector: the cause of ConvWinograd's
# 43 MB a call before fbc4aa6, see bench/RESULTS.md). Runs NodeProfile for each configuration on
# one core with -Xbatch (compilations one at a time, so that every inlining report follows its
# compilation's header) and lists, per compiled method, the intrinsics that failed, with the
# reason C2 gives (-XX:+PrintIntrinsics: "missing constant" means the species or operator was not
# a compile-time constant there; reasons are paired with failures by their order within one
# compilation, which is how C2 prints them). Compile order differs from a normal run's, so a clean
# report is evidence, not proof; NodeProfile's "KB allocated/frame" column shows what a normal run
# boxes.
#
#   bench/jit-audit.sh [CONFIG ...]      # default: nemo vox; needs bench/target/benchmarks.jar
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bench/target/benchmarks.jar
[ -f "$jar" ] || { echo "bench/jit-audit.sh: $jar missing: run mvn -B install -DskipTests && mvn -B -f bench/pom.xml package" >&2; exit 1; }
[ $# -gt 0 ] || set -- nemo vox
mkdir -p bench/target/jit-audit
for cfg in "$@"; do
  log=bench/target/jit-audit/$cfg.log
  java -XX:ActiveProcessorCount=1 -Xbatch -XX:+UnlockDiagnosticVMOptions -XX:+PrintCompilation \
       -XX:+PrintInlining -XX:+PrintIntrinsics --add-modules jdk.incubator.vector -Xmx8g -cp "$jar" \
       io.motionkernels.bench.NodeProfile "$cfg" 1 5 5 > "$log" 2>&1
  echo "== $cfg (full log: $log)"
  awk '
    # per compilation: its header, the reasons PrintIntrinsics gives while parsing, then the
    # failures in the inlining report, in the same order
    function flush(   k) {
      if (hdr ~ /^io\.motionkernels\./)
        for (k = 1; k <= nf; k++) print "  " hdr ": " fail[k] (k <= nr ? "  (" reason[k] ")" : "")
      hdr = ""; nf = 0; nr = 0
    }
    /^ +[0-9]+ +[0-9]+ / {
      if ($0 ~ /made not entrant|made zombie/) next
      flush()
      if ($0 ~ /^ +[0-9]+ +[0-9]+ +[%sbn! ]*4 +[a-zA-Z]/) { hdr = $0; sub(/^ +[0-9]+ +[0-9]+ +[%sbn! ]*4 +/, "", hdr) }
      next
    }
    /^ *\*\* / { r = $0; sub(/^ *\*\* */, "", r); reason[++nr] = r; next }
    /failed to inline \(intrinsic\)/ { op = $0; sub(/^ *@ *[0-9]+ +/, "", op); sub(/ +failed to inline.*/, "", op); fail[++nf] = op; next }
    END { flush() }' "$log" | sed 's/ ([0-9]* bytes)//g' | sort | uniq -c | sed 's/^ *\([0-9]*\) /  \1x /' \
    | awk '{ print; n++ } END { if (n == 0) print "  no failed Vector API intrinsic in our C2 compilations" }'
done
