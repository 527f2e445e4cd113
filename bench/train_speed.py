"""Training speed of ``helpers.train`` against scikit-learn and PyTorch CPU, in one run.

    python bench/train_speed.py                      # everything, 1 thread
    python bench/train_speed.py --quick --peers none # a few seconds: the smoke test runs this
    python bench/train_speed.py --dtype float32 --peers torch --threads 2

For each network (64-64-10 and 64-256-256-10, ReLU, softmax cross-entropy on the
digits), batch size (32, 256) and dtype (float32, float64) it trains the same
network from the same initial weights with plain SGD (no momentum, no weight decay)
for the same epochs and learning rate in ``helpers.train`` and in each installed
peer, then reports samples/second (N_train * epochs / median time), accuracy on the
held-out examples (validation + test split), the speed ratio helpers/peer, the
FLOP/s reached and its fraction of the GEMM bound: numpy's own FLOP/s on exactly
the matrix products one training step needs, measured in the same run. Then one
full SGD update (batch 1) of 64-256-256-10. helpers.train runs with
``epoch_loss="running"`` so that it does the same work as the peers' loops (no extra
pass over the training set per epoch). See bench/README.md for the method and targets.
"""
from __future__ import annotations

import argparse
import statistics
import sys

import _common

if __name__ == "__main__":
    # BLAS reads its thread count when it loads: set it before numpy (and torch) are imported.
    _common.set_thread_env(_common.threads_from_argv(sys.argv[1:]))

import numpy as np  # noqa: E402

import helpers  # noqa: E402
from _trainers import SEED, TRAINERS, available_peers  # noqa: E402

NETWORKS = {"64-64-10": [64, 64, 10], "64-256-256-10": [64, 256, 256, 10]}
BATCH_SIZES = (32, 256)
LEARNING_RATE = {1: 0.01, 32: 0.1, 256: 0.4}   # per batch size, the same for every library
DTYPES = {"float32": np.float32, "float64": np.float64}
STEP_NETWORK = "64-256-256-10"                  # the batch-1 (pure SGD) comparison
OPTIM_ROWS = {"momentum": 0.05, "adam": 0.003}  # optimiser -> lr, on 64-64-10 at batch 32

# targets from the issue: (network, batch) -> minimum helpers/peer speed ratio per peer
SPEED_TARGETS = {("64-64-10", 32): {"sklearn": 3.0, "torch": 3.0},
                 ("64-256-256-10", 256): {"sklearn": 1.5, "torch": 1.0}}
GEMM_TARGET = (("64-256-256-10", 256), 0.60)   # helpers' fraction of the GEMM bound
STEP_TARGET = 3.0                              # torch step time / helpers step time at batch 1
ACCURACY_TOLERANCE = 0.01                      # "same accuracy": within 1 point


# -- data, FLOPs, GEMM bound ---------------------------------------------------------------------
def load_data():
    """``X_train, y_train, X_held, y_held``: the held-out part is validation + test (nothing is tuned)."""
    X, y = helpers.load_digits()
    X_train, y_train, X_val, y_val, X_test, y_test = helpers.train_val_test_split(X, y, seed=SEED)
    return X_train, y_train, np.concatenate([X_val, X_test]), np.concatenate([y_val, y_test])


def train_flops_per_sample(sizes):
    """FLOPs of one example's forward + backward: 3 products per layer (Z, dW, dX) minus the first dX."""
    layers = list(zip(sizes[:-1], sizes[1:]))
    return sum(6 * d_in * d_out for d_in, d_out in layers) - 2 * layers[0][0] * layers[0][1]


def step_gemm_shapes(sizes, batch):
    """The ``(m, k, n)`` products of one training step at ``batch``: Z = A W^T, dW = dZ^T A, dA = dZ W."""
    shapes = []
    for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        shapes.append((batch, d_in, d_out))          # forward
        shapes.append((d_out, batch, d_in))          # weight gradient
        if i > 0:
            shapes.append((batch, d_out, d_in))      # gradient to the previous layer
    return shapes


# -- measuring -----------------------------------------------------------------------------------
def measure(libs, data, sizes, dtype, batch, lr, epochs, repeats, warmup, n_train, clock, optimizer="sgd"):
    """``{lib: (samples_per_s, accuracy)}`` for one configuration.

    The libraries' timed runs are interleaved (helpers, sklearn, torch, helpers, ...) so that a
    burst of load from other processes hits them alike; each gets the median of its runs.
    """
    init = helpers.MLP(sizes, seed=SEED, dtype=dtype).params
    trainers = {lib: TRAINERS[lib](data, sizes, dtype, batch, lr, epochs, init, optimizer) for lib in libs}
    times = {lib: [] for lib in libs}
    for lib in libs:
        for _ in range(warmup):
            trainers[lib][0]()
    for _ in range(repeats):
        for lib in libs:
            seconds, _ = _common.median_time(trainers[lib][0], repeats=1, warmup=0, clock=clock)
            times[lib].append(seconds)
    return {lib: (n_train * epochs / statistics.median(times[lib]), trainers[lib][1]()) for lib in libs}


def torch_gemm_flops_per_s(shapes, dtype, clock, passes=20):
    """PyTorch's FLOP/s on the products ``shapes`` (``torch.mm`` into preallocated outputs)."""
    import torch

    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    gen = torch.Generator().manual_seed(SEED)
    ops = [(torch.randn(m, k, generator=gen, dtype=tdtype), torch.randn(k, n, generator=gen, dtype=tdtype),
            torch.empty(m, n, dtype=tdtype)) for m, k, n in shapes]

    def run():
        for _ in range(passes):
            for a, b, out in ops:
                torch.mm(a, b, out=out)

    seconds, _ = _common.median_time(run, repeats=5, warmup=1, clock=clock)
    return passes * sum(2 * m * k * n for m, k, n in shapes) / seconds



def fmt_rate(x):
    return f"{x:,.0f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="1 epoch, 1 timed run, no warm-up: a smoke test, not a measurement")
    parser.add_argument("--peers", choices=["none", "sklearn", "torch", "all"], default="all")
    parser.add_argument("--dtype", choices=["float32", "float64", "both"], default="both")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for every library (default 1: 2 threads on a shared 2-core "
                             "machine give erratic figures)")
    parser.add_argument("--clock", choices=sorted(_common.CLOCKS), default="wall",
                        help="wall time (default) or the process's CPU time, steadier on a busy machine")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per row (median taken)")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.epochs < 1 or args.repeats < 1:
        parser.error("--threads, --epochs and --repeats must be >= 1")
    epochs, repeats, warmup = (1, 1, 0) if args.quick else (args.epochs, args.repeats, 1)
    gemm_kwargs = {"repeats": 1, "min_time": 0.002} if args.quick else {"repeats": 5, "min_time": 0.05}
    gemm_kwargs["clock"] = args.clock

    peers = available_peers(args.peers)
    libs = ["helpers"] + [p for p, why in peers.items() if why is None]
    _keep, thread_notes = _common.limit_threads(args.threads)  # after the peers are imported
    dtypes = list(DTYPES) if args.dtype == "both" else [args.dtype]
    data = load_data()
    n_train = data[0].shape[0]

    print(f"# helpers.train vs peers -- {_common.machine_summary()}")
    print(f"# numpy {np.__version__}; threads = {args.threads}: " + "; ".join(thread_notes))
    for name, why in peers.items():
        if why is not None:
            print(f"# {name}: {why}")
    print(f"# digits: {n_train} training / {data[2].shape[0]} held-out (validation + test) examples; "
          f"epochs = {epochs}; "
          f"lr = {LEARNING_RATE[32]} at batch 32, {LEARNING_RATE[256]} at batch 256; "
          f"median of {repeats} run(s) after {warmup} warm-up; {args.clock} clock")
    peak = {d: _common.gemm_flops_per_s([(512, 512, 512)], DTYPES[d], **gemm_kwargs) for d in dtypes}
    print("# numpy GEMM peak (512x512x512): "
          + ", ".join(f"{d} {peak[d] / 1e9:.1f} GFLOP/s" for d in dtypes))
    if "torch" in libs:   # PyTorch ships its own BLAS: its products may beat numpy's bound
        (net_name, batch), _ = GEMM_TARGET
        shapes = step_gemm_shapes(NETWORKS[net_name], batch)
        print(f"# GEMM on the products of one {net_name} batch-{batch} step: " + ", ".join(
            f"{d} numpy {_common.gemm_flops_per_s(shapes, DTYPES[d], **gemm_kwargs) / 1e9:.1f} / torch "
            f"{torch_gemm_flops_per_s(shapes, DTYPES[d], gemm_kwargs['clock']) / 1e9:.1f} GFLOP/s"
            for d in dtypes))
    if args.quick:
        print("# --quick: 1 epoch, 1 run -- a smoke test, the figures are not measurements")
    print()

    header = ["network", "batch", "dtype", "library", "samples/s", "helpers/peer",
              "held-out acc", "GFLOP/s", "% GEMM bound"]
    rows, results, bounds = [], {}, {}
    for net_name, sizes in NETWORKS.items():
        for batch in BATCH_SIZES:
            flops = train_flops_per_sample(sizes)
            for d in dtypes:
                dtype = DTYPES[d]
                bound = _common.gemm_flops_per_s(step_gemm_shapes(sizes, batch), dtype, **gemm_kwargs)
                res = measure(libs, data, sizes, dtype, batch, LEARNING_RATE[batch], epochs,
                              repeats, warmup, n_train, args.clock)
                results[(net_name, batch, d)] = res
                bounds[(net_name, batch, d)] = bound
                base = res["helpers"][0]
                for lib in libs:
                    rate, acc = res[lib]
                    ratio = "-" if lib == "helpers" else f"{base / rate:.2f}x"
                    rows.append([net_name, str(batch), d, lib, fmt_rate(rate), ratio, f"{acc:.3f}",
                                 f"{rate * flops / 1e9:.2f}", f"{100 * rate * flops / bound:.0f} %"])
                for p, why in peers.items():
                    if why is not None:
                        rows.append([net_name, str(batch), d, p, "not installed", "-", "-", "-", "-"])
    print(_common.format_table(header, rows, align="<><<>>>>>"))

    # one SGD update (batch 1) of the big network, through the same train() code path
    sizes = NETWORKS[STEP_NETWORK]
    n_step = 200 if args.quick else n_train
    step_data = (data[0][:n_step], data[1][:n_step], data[2], data[3])
    step_rows, steps = [], {}
    for d in dtypes:
        dtype = DTYPES[d]
        bound = _common.gemm_flops_per_s(step_gemm_shapes(sizes, 1), dtype, **gemm_kwargs)
        res = measure(libs, step_data, sizes, dtype, 1, LEARNING_RATE[1], 1, repeats, warmup, n_step,
                      args.clock)
        steps[d] = {lib: 1e6 / rate for lib, (rate, _) in res.items()}   # microseconds per update
        for lib in libs:
            us = steps[d][lib]
            ratio = "-" if lib == "helpers" else f"{us / steps[d]['helpers']:.2f}x"
            step_rows.append([STEP_NETWORK, d, lib, f"{us:.1f}", ratio,
                              f"{100 * train_flops_per_sample(sizes) / (us * 1e-6) / bound:.0f} %"])
    print()
    print(f"# one SGD update at batch 1 ({n_step} updates = 1 epoch of train(batch_size=1), "
          f"lr = {LEARNING_RATE[1]})")
    print(_common.format_table(["network", "dtype", "library", "us/update", "peer/helpers",
                                "% GEMM bound"], step_rows, align="<<<>>>"))

    print()
    print(optimizer_table(libs, peers, data, dtypes, epochs, repeats, warmup, n_train, args.clock))

    print()
    print(report_targets(results, bounds, steps, dtypes, libs, peers, args.quick))
    return 0


def optimizer_table(libs, peers, data, dtypes, epochs, repeats, warmup, n_train, clock):
    """Momentum (beta 0.9) and Adam on 64-64-10 at batch 32: the same data and start in every
    library (helpers.Momentum/Adam vs torch.optim.SGD(momentum)/Adam and sklearn's sgd+momentum/adam)."""
    rows = []
    for opt, lr in OPTIM_ROWS.items():
        for d in dtypes:
            res = measure(libs, data, NETWORKS["64-64-10"], DTYPES[d], 32, lr, epochs, repeats, warmup,
                          n_train, clock, optimizer=opt)
            base = res["helpers"][0]
            for lib in libs:
                rate, acc = res[lib]
                rows.append([opt, f"{lr:g}", d, lib, fmt_rate(rate),
                             "-" if lib == "helpers" else f"{base / rate:.2f}x", f"{acc:.3f}"])
            rows += [[opt, f"{lr:g}", d, p, "not installed", "-", "-"] for p, why in peers.items() if why]
    head = "# momentum (beta 0.9) and Adam (0.9, 0.999): 64-64-10, batch 32"
    return head + "\n" + _common.format_table(["optimizer", "lr", "dtype", "library", "samples/s",
                                                "helpers/peer", "held-out acc"], rows, align="<<<<>>>")


def report_targets(results, bounds, steps, dtypes, libs, peers, quick):
    """The issue's targets, each marked met / MISSED (or 'n/a' when its peer is missing)."""
    lines = ["# targets (same dtype; accuracy within 1 point)" + (" -- --quick: ignore" if quick else "")]

    def mark(ok):
        return "met" if ok else "MISSED"

    for d in dtypes:
        for (net_name, batch), needs in SPEED_TARGETS.items():
            res = results[(net_name, batch, d)]
            for peer, need in needs.items():
                if peer not in libs:
                    lines.append(f"  n/a     {net_name} b{batch} {d}: helpers >= {need}x {peer} "
                                 f"({peer} {peers.get(peer) or 'not run (--peers)'})")
                    continue
                ratio = res["helpers"][0] / res[peer][0]
                gap = abs(res["helpers"][1] - res[peer][1])
                ok = ratio >= need and gap <= ACCURACY_TOLERANCE
                lines.append(f"  {mark(ok):7} {net_name} b{batch} {d}: helpers {ratio:.2f}x {peer} "
                             f"(need {need}x), accuracy gap {100 * gap:.1f} points")
        (net_name, batch), need = GEMM_TARGET
        rate = results[(net_name, batch, d)]["helpers"][0]
        frac = rate * train_flops_per_sample(NETWORKS[net_name]) / bounds[(net_name, batch, d)]
        lines.append(f"  {mark(frac >= need):7} {net_name} b{batch} {d}: helpers reaches "
                     f"{100 * frac:.1f} % of the GEMM bound (need {100 * need:.0f} %)")
        if "torch" in libs:
            ratio = steps[d]["torch"] / steps[d]["helpers"]
            lines.append(f"  {mark(ratio >= STEP_TARGET):7} batch-1 update of {STEP_NETWORK} {d}: "
                         f"helpers {ratio:.2f}x faster than torch (need {STEP_TARGET}x)")
        else:
            lines.append(f"  n/a     batch-1 update of {STEP_NETWORK} {d}: "
                         f"torch {peers.get('torch') or 'not run (--peers)'}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
