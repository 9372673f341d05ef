#!/usr/bin/env bash
# How the files here were made (2026-12-02, third session, 07:25-08:00 UTC, nothing else running).
# "before" = main at 640b37c, "after" = fbc4aa6 (+ the 16-tile guard for nodeprofile-vox-{direct,winograd,auto}
# and the model-* runs); each benchmarks.jar shaded one library version.
# ConvAlgoBench alone (before the bench warmed the other kernel):
#   java -jar benchmarks.jar ConvAlgoBench -p shape=c45to45at256,c512to512at16,c256to256at32 -f 2 -wi 3 -i 5 -rf json -rff algo-alone-{before,after}.json
# ConvAlgoBench as committed (the other kernel run for 1 s first), both library versions:
#   same command -> algo-after-other-{before,after}.json
# ModelBench, nemo and vox, before/after alternated, two rounds:
#   java -jar benchmarks.jar ModelBench -p config=nemo,vox -f 1 -rf json -rff model-{before2,after2}-{1,2}.json
# NodeProfile, vox streamed, 20 calls after 15 s:
#   java [-Dmotionkernels.conv=direct|winograd|auto] --add-modules jdk.incubator.vector -Xmx8g -cp benchmarks.jar \
#        io.motionkernels.bench.NodeProfile vox 1 20 15
