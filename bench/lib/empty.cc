// Keeps pipecut_bench_lib non-empty before any shared bench code exists.
