#!/usr/bin/env python3
"""hnswlib (or faiss) on the same vectors as PillarVectorBench, for a QPS-at-equal-recall comparison.

Run the Swift benchmark first: it writes <data>/<distribution>-<n>x<dims>-{base,queries,gt}.npy, and
this script reads exactly those files (vectors and exact top-10), so both sides answer the same queries
against the same ground truth. Queries run one at a time on one thread, as in the Swift benchmark.

    python3 -m venv /tmp/hnsw-venv && /tmp/hnsw-venv/bin/pip install numpy hnswlib   # or faiss-cpu
    /tmp/hnsw-venv/bin/python scripts/bench-vector-index.py [--n 100000] [--dims 384] \
        [--distribution gaussian|clustered] [--noise 1.0] [--ef 16,32,64,128,256,512] [--build-threads 1] \
        [--library hnswlib|faiss] [--cache FILE]
"""
import argparse
import os
import resource
import time

import numpy as np


def rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def load(args):
    name = f"clustered{args.noise}" if args.distribution == "clustered" else args.distribution
    stem = f"{args.data}/{name}-{args.n}x{args.dims}"
    try:
        base = np.load(stem + "-base.npy")
        queries = np.load(stem + "-queries.npy")
        truth = np.load(stem + "-gt.npy")
    except FileNotFoundError as missing:
        raise SystemExit(f"{missing.filename} is missing: run PillarVectorBench with the same "
                         "--n/--dims/--distribution/--noise first")
    assert base.dtype == np.float32 and base.shape == (args.n, args.dims), base.shape
    return base, queries, truth


class HnswlibIndex:
    def __init__(self, args, base):
        import hnswlib
        self.index = hnswlib.Index(space="ip", dim=args.dims)  # distance = 1 - dot, same order as our score
        self.name = "hnswlib"
        self.loaded = args.cache and os.path.exists(args.cache)
        if self.loaded:
            self.index.load_index(args.cache)
            return
        self.index.init_index(max_elements=len(base), M=args.m, ef_construction=args.ef_construction, random_seed=42)
        self.index.add_items(base, np.arange(len(base)), num_threads=args.build_threads)
        if args.cache:
            self.index.save_index(args.cache)

    def prepare(self, ef):
        self.index.set_ef(ef)

    def search_prepared(self, query):
        return self.index.knn_query(query, k=10, num_threads=1)[0][0]

    def search_batch(self, queries):
        return self.index.knn_query(queries, k=10, num_threads=1)[0]


class FaissIndex:
    def __init__(self, args, base):
        import faiss
        faiss.omp_set_num_threads(args.build_threads)
        self.faiss = faiss
        self.index = faiss.IndexHNSWFlat(args.dims, args.m, faiss.METRIC_INNER_PRODUCT)
        self.index.hnsw.efConstruction = args.ef_construction
        self.index.add(base)
        faiss.omp_set_num_threads(1)
        self.name = f"faiss {faiss.__version__}"
        self.loaded = False

    def prepare(self, ef):
        self.index.hnsw.efSearch = ef

    def search_prepared(self, query):
        return self.index.search(query, 10)[1][0]

    def search_batch(self, queries):
        return self.index.search(queries, 10)[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dims", type=int, default=384)
    parser.add_argument("--distribution", choices=["gaussian", "clustered"], default="gaussian")
    parser.add_argument("--noise", type=float, default=1.0, help="clustered only, as given to PillarVectorBench")
    parser.add_argument("--data", default="/tmp/pillar-vector-bench")
    parser.add_argument("--ef", default="16,32,64,128,256,512")
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--build-threads", type=int, default=1, help="1 matches the Swift index, whose inserts are exclusive")
    parser.add_argument("--library", choices=["hnswlib", "faiss"], default="hnswlib")
    parser.add_argument("--cache", help="hnswlib only: load the index from this file if it exists, else build and save it there")
    args = parser.parse_args()

    base, queries, truth = load(args)
    rss_with_data = rss_bytes()
    start, cpu_start = time.perf_counter(), time.thread_time()
    index = (HnswlibIndex if args.library == "hnswlib" else FaissIndex)(args, base)
    build, build_cpu = time.perf_counter() - start, time.thread_time() - cpu_start
    rss_after = rss_bytes()
    if index.loaded:
        print(f"{index.name}: loaded {args.cache} in {build:.1f} s")
    else:
        print(f"{index.name}: build {args.n} x {args.dims}, M={args.m}, efConstruction={args.ef_construction}, "
              f"{args.build_threads} thread(s): {build:.1f} s wall, {build_cpu:.1f} s CPU of this thread "
              f"({args.n / build_cpu:.0f} inserts/s of CPU; with --build-threads 1 the build runs on this thread)")
    print(f"memory: RSS growth during build {(rss_after - rss_with_data) / 2**20:.1f} MiB "
          f"(peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB)")

    # Two timings per ef: one query per Python call (what a server calling the library pays, including
    # ~10 us of Python overhead per call), and the whole query set in one call on one thread (the
    # library's own speed, the fair figure to set against the Swift benchmark's QPS).
    rows = [queries[i:i + 1] for i in range(len(queries))]
    print("\n| efSearch | recall@10 | QPS (1 thread, CPU time, batch call) | QPS (1 thread, CPU time, one call per query) |")
    print("| ---: | ---: | ---: | ---: |")
    for ef in (int(e) for e in args.ef.split(",")):
        index.prepare(ef)
        index.search_batch(queries[:100])  # warm-up
        results = index.search_batch(queries)
        found = sum(len(set(map(int, hits)) & set(map(int, truth[i]))) for i, hits in enumerate(results))
        batch_qps = timed_qps(lambda: index.search_batch(queries), len(rows))
        single_qps = timed_qps(lambda: [index.search_prepared(row) for row in rows], len(rows))
        print(f"| {ef} | {found / (len(rows) * 10):.4f} | {batch_qps:.0f} | {single_qps:.0f} |")


def timed_qps(run, count):
    """Best of at least 3 runs of `run` (count queries each) and 2 s, timed on this thread's CPU clock: on
    a shared machine other processes take the core now and then, which the wall clock would count."""
    elapsed, passes, best = 0.0, 0, float("inf")
    while passes < 3 or elapsed < 2:
        start = time.thread_time()
        run()
        took = time.thread_time() - start
        elapsed += took
        best = min(best, took)
        passes += 1
    return count / best


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
