# Built by `npm run build:native` (scripts/build-native.mjs), never at install time: the package installs
# and runs without it (the wasm kernels stay in use). Needs g++, make, python3 and oneDNN 2.x headers and
# library (Debian: apt-get install -y g++ make python3 libdnnl-dev).
{
  "targets": [
    {
      "target_name": "sgd_factors_onednn",
      "sources": ["onednn_conv.cc"],
      "cflags_cc": ["-O2", "-std=c++17", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl", "-fopenmp"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
