#!/bin/bash
set -u
cd /work/main
O=/tmp/idle
J="java --add-modules jdk.incubator.vector -jar"
A="-f 1 -wi 3 -w 2s -i 5 -r 2s -foe true"
ld() { echo "$1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $O/load.txt; }
for r in 1 2; do
  for v in old cur; do
    ld "$v-nemo-$r"
    $J /tmp/$v-bench.jar '^io.motionkernels.bench.ModelBench.(stream|batch)$' -p config=nemo $A -rf json -rff $O/$v-nemo-$r.json > $O/$v-nemo-$r.log 2>&1
  done
done
ld torch-nemo
OMP_WAIT_POLICY=ACTIVE /usr/bin/python3 bench/pytorch/bench_torch.py --threads 2 --configs nemo,vox --out $O/torch.json > $O/torch.log 2>&1
for v in old cur; do
  ld "$v-vox"
  $J /tmp/$v-bench.jar '^io.motionkernels.bench.ModelBench.(stream|batch)$' -p config=vox $A -rf json -rff $O/$v-vox.json > $O/$v-vox.log 2>&1
done
ld fomm-java
$J /tmp/cur-bench.jar '^io.motionkernels.bench.FommBench' -rf json -rff $O/jmh-fomm.json > $O/fomm.log 2>&1
ld fomm-torch
OMP_WAIT_POLICY=ACTIVE /usr/bin/python3 bench/pytorch/bench_fomm.py /tmp/fomm --threads 2 --budget 30 --out $O/torch-fomm.json > $O/torch-fomm.log 2>&1
ld end
echo finished > $O/done
