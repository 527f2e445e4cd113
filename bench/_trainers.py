"""One trainer per library for train_speed.py: helpers.train, sklearn's MLPClassifier, PyTorch.

Each ``*_trainer(data, sizes, dtype, batch, lr, epochs, init, optimizer="sgd")`` returns
``(run, accuracy)``: ``run()`` resets the weights to ``init`` (helpers' ``params`` dict,
``W: (D_out, D_in)``) and trains with ``optimizer``: ``"sgd"`` (plain), ``"momentum"`` (heavy ball,
beta 0.9, fresh velocity every run) or ``"adam"`` (0.9, 0.999, eps 1e-8, fresh state every run); ``accuracy()`` scores the held-out examples. ``data`` is
``(X_train, y_train, X_held, y_held)``. Import this module only after the BLAS thread count is
set (see _common.py): it imports numpy.
"""
from __future__ import annotations

import warnings

import numpy as np

import helpers

__all__ = ["SEED", "OPTIMIZERS", "TRAINERS", "available_peers", "helpers_trainer", "sklearn_trainer", "torch_trainer"]

SEED = 0   # MLP initialisation, helpers.train's and PyTorch's shuffles, sklearn's random_state
OPTIMIZERS = ("sgd", "momentum", "adam")
BETA, BETAS, EPS = 0.9, (0.9, 0.999), 1e-8


# -- one trainer per library: each returns (run, accuracy) ---------------------------------------
# ``run()`` resets the weights to the shared initial ones and trains; ``accuracy()`` scores the
# held-out examples. All libraries start from helpers.MLP's initial weights (He init, zero biases).

def helpers_trainer(data, sizes, dtype, batch, lr, epochs, init, optimizer="sgd"):
    X_train, y_train, X_test, y_test = data
    X_train, X_test = X_train.astype(dtype), X_test.astype(dtype)
    model = helpers.MLP(sizes, seed=SEED, dtype=dtype)

    def run():
        for key, value in init.items():
            model.params[key][...] = value
        # "running": the epoch loss is the mean of the mini-batch losses, as the peers report it
        opt = {"sgd": None, "momentum": lambda: helpers.Momentum(BETA),
               "adam": lambda: helpers.Adam(*BETAS, eps=EPS)}[optimizer]
        helpers.train(model, X_train, y_train, lr=lr, batch_size=batch, epochs=epochs, seed=SEED,
                      epoch_loss="running", optimizer=None if opt is None else opt())

    def accuracy():
        return helpers.accuracy(model.predict(X_test), y_test)

    return run, accuracy


def sklearn_trainer(data, sizes, dtype, batch, lr, epochs, init, optimizer="sgd"):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X_train, y_train, X_test, y_test = data
    X_train, X_test = X_train.astype(dtype), X_test.astype(dtype)   # float32 in -> float32 inside
    n_layers = len(sizes) - 1
    clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu",
                        solver="adam" if optimizer == "adam" else "sgd", beta_1=BETAS[0], beta_2=BETAS[1],
                        epsilon=EPS, batch_size=batch, learning_rate="constant", learning_rate_init=lr,
                        momentum=BETA if optimizer == "momentum" else 0.0, nesterovs_momentum=False,
                        alpha=0.0, max_iter=1,
                        shuffle=True, tol=0.0, n_iter_no_change=10**9, random_state=SEED,
                        warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)   # 1 epoch: builds sklearn's internals; weights replaced below
    clf.set_params(max_iter=epochs)

    def run():
        # sklearn stores W as (D_in, D_out): the transpose of helpers' (D_out, D_in)
        clf.coefs_ = [np.ascontiguousarray(init[f"W{i}"].T) for i in range(1, n_layers + 1)]
        clf.intercepts_ = [init[f"b{i}"].copy() for i in range(1, n_layers + 1)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is reached on purpose
            clf.fit(X_train, y_train)

    def accuracy():
        return helpers.accuracy(clf.predict(X_test), y_test)

    return run, accuracy


def torch_trainer(data, sizes, dtype, batch, lr, epochs, init, optimizer="sgd"):
    import torch
    from torch import nn

    X_train, y_train, X_test, y_test = data
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    X = torch.from_numpy(X_train.astype(dtype))
    y = torch.from_numpy(y_train.astype(np.int64))
    X_te = torch.from_numpy(X_test.astype(dtype))
    layers = []
    for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        layers.append(nn.Linear(d_in, d_out, dtype=tdtype))
        if i < len(sizes) - 1:
            layers.append(nn.ReLU())
    net = nn.Sequential(*layers)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    loss_fn = nn.CrossEntropyLoss()
    n = X.shape[0]

    def run():
        with torch.no_grad():
            for i, lin in enumerate(linears, start=1):
                lin.weight.copy_(torch.from_numpy(init[f"W{i}"]))   # same (D_out, D_in) layout
                lin.bias.copy_(torch.from_numpy(init[f"b{i}"]))
        if optimizer == "adam":
            opt = torch.optim.Adam(net.parameters(), lr=lr, betas=BETAS, eps=EPS)
        else:   # heavy ball v = beta v + g, p -= lr v: the same rule as helpers.Momentum
            opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=BETA if optimizer == "momentum" else 0.0)
        rng = np.random.default_rng(SEED)          # the same batch order as helpers.train
        for _ in range(epochs):
            order = torch.from_numpy(rng.permutation(n))
            Xs, ys = X[order], y[order]
            for start in range(0, n, batch):
                opt.zero_grad()
                loss = loss_fn(net(Xs[start:start + batch]), ys[start:start + batch])
                loss.backward()
                opt.step()

    def accuracy():
        with torch.inference_mode():
            return helpers.accuracy(net(X_te).argmax(dim=1).numpy(), y_test)

    return run, accuracy


TRAINERS = {"helpers": helpers_trainer, "sklearn": sklearn_trainer, "torch": torch_trainer}


def available_peers(choice):
    """``{name: None (usable) or "why not"}`` for the peers asked for."""
    wanted = {"none": [], "all": ["sklearn", "torch"]}.get(choice, [choice])
    peers = {}
    for name in wanted:
        module = {"sklearn": "sklearn.neural_network", "torch": "torch"}[name]
        try:
            __import__(module)
        except ImportError as exc:
            peers[name] = f"not installed ({exc.name or module}); pip install -r requirements-bench.txt"
        else:
            peers[name] = None
    return peers
