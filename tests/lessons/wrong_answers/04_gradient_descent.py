"""Plausible wrong answers for lesson 04_gradient_descent.

Each entry's source replaces the whole answer cell (same grade_id); each must lose
that exercise's points and only that exercise's points.
"""

WRONG = {
    "gradient_descent": [
        ("adds the gradient (+ instead of -)", '''\
def gradient_descent(grad_fn, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(steps):
        theta = theta + lr * grad_fn(theta)
        path.append(theta)
    return np.array(path)
''', 'uphill'),
        ("forgets the learning rate", '''\
def gradient_descent(grad_fn, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(steps):
        theta = theta - grad_fn(theta)
        path.append(theta)
    return np.array(path)
''', 'no_lr'),
        ("path without the starting point", '''\
def gradient_descent(grad_fn, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = []
    for _ in range(steps):
        theta = theta - lr * grad_fn(theta)
        path.append(theta)
    return np.array(path)
''', 'path_without_start'),
        ("in-place update stores the same array in every row", '''\
def gradient_descent(grad_fn, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(steps):
        theta -= lr * grad_fn(theta)
        path.append(theta)
    return np.array(path)
''', 'same_array_rows'),
        ("changes theta0 in place", '''\
def gradient_descent(grad_fn, theta0, lr, steps):
    path = [theta0.copy()]
    for _ in range(steps):
        theta0 -= lr * grad_fn(theta0)
        path.append(theta0.copy())
    return np.array(path)
''', 'in_place'),
    ],
    "sgd_update": [
        ("adds the gradient (+ instead of -)", '''\
def sgd_update(params, grads, lr):
    for name, p in params.items():
        p += lr * grads[name]
''', 'uphill'),
        ("forgets the learning rate", '''\
def sgd_update(params, grads, lr):
    for name, p in params.items():
        p -= grads[name]
''', 'no_lr'),
        ("returns new arrays instead of updating in place", '''\
def sgd_update(params, grads, lr):
    return {name: p - lr * grads[name] for name, p in params.items()}
''', 'not_in_place'),
        ("rebinds the dict entries to new arrays", '''\
def sgd_update(params, grads, lr):
    for name in params:
        params[name] = params[name] - lr * grads[name]
''', 'new_array'),
        ("scales the caller's gradients in place", '''\
def sgd_update(params, grads, lr):
    for name, p in params.items():
        g = grads[name]
        g *= lr
        p -= g
''', 'grads_changed'),
    ],
    "iterate_minibatches": [
        ("drops the last partial batch", '''\
def iterate_minibatches(n, batch_size, rng, shuffle=True):
    order = rng.permutation(n) if shuffle else np.arange(n)
    for i in range(n // batch_size):
        yield order[i * batch_size:(i + 1) * batch_size]
''', 'last_batch_dropped'),
        ("never shuffles", '''\
def iterate_minibatches(n, batch_size, rng, shuffle=True):
    order = np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]
''', 'not_shuffled'),
        ("reshuffles for every batch (duplicates, missing indices)", '''\
def iterate_minibatches(n, batch_size, rng, shuffle=True):
    for start in range(0, n, batch_size):
        order = rng.permutation(n) if shuffle else np.arange(n)
        yield order[start:start + batch_size]
''', 'duplicates'),
        ("samples each batch with replacement", '''\
def iterate_minibatches(n, batch_size, rng, shuffle=True):
    if not shuffle:
        for start in range(0, n, batch_size):
            yield np.arange(start, min(start + batch_size, n))
        return
    for start in range(0, n, batch_size):
        yield rng.integers(0, n, size=min(batch_size, n - start))
''', 'duplicates'),
        ("one batch too many (an empty last batch)", '''\
def iterate_minibatches(n, batch_size, rng, shuffle=True):
    order = rng.permutation(n) if shuffle else np.arange(n)
    for i in range(n // batch_size + 1):
        yield order[i * batch_size:(i + 1) * batch_size]
''', 'empty_last_batch'),
    ],
    "minibatch_train": [
        ("drops the last partial batch (wrong number of updates per epoch)", '''\
def minibatch_train(model, X, y, lr, batch_size, epochs, seed=0, loss="mse"):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for i in range(len(X) // batch_size):
            idx = order[i * batch_size:(i + 1) * batch_size]
            value, grads = model.loss_and_grads(X[idx], y[idx], loss=loss)
            helpers.sgd_update(model.params, grads, lr)
            losses.append(value)
    return losses
''', 'update_count'),
        ("uses the full batch at every step", '''\
def minibatch_train(model, X, y, lr, batch_size, epochs, seed=0, loss="mse"):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        for idx in helpers.iterate_minibatches(len(X), batch_size, rng):
            value, grads = model.loss_and_grads(X, y, loss=loss)
            helpers.sgd_update(model.params, grads, lr)
            losses.append(value)
    return losses
''', 'first_update'),
        ("does not shuffle", '''\
def minibatch_train(model, X, y, lr, batch_size, epochs, seed=0, loss="mse"):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        for idx in helpers.iterate_minibatches(len(X), batch_size, rng, shuffle=False):
            value, grads = model.loss_and_grads(X[idx], y[idx], loss=loss)
            helpers.sgd_update(model.params, grads, lr)
            losses.append(value)
    return losses
''', 'first_update'),
        ("a new rng every epoch (the same order every epoch)", '''\
def minibatch_train(model, X, y, lr, batch_size, epochs, seed=0, loss="mse"):
    losses = []
    for _ in range(epochs):
        rng = np.random.default_rng(seed)
        for idx in helpers.iterate_minibatches(len(X), batch_size, rng):
            value, grads = model.loss_and_grads(X[idx], y[idx], loss=loss)
            helpers.sgd_update(model.params, grads, lr)
            losses.append(value)
    return losses
''', 'rng_per_epoch'),
        ("records only one loss per epoch", '''\
def minibatch_train(model, X, y, lr, batch_size, epochs, seed=0, loss="mse"):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        for idx in helpers.iterate_minibatches(len(X), batch_size, rng):
            value, grads = model.loss_and_grads(X[idx], y[idx], loss=loss)
            helpers.sgd_update(model.params, grads, lr)
        losses.append(value)
    return losses
''', 'update_count'),
    ],
}

# Mistakes real students made, found in public Q&A threads, tutorials and practice sites (source in the comment
# above each), adapted to this lesson's signatures without fixing the bug; each names its diagnosis.
WRONG_PUBLIC = {
    "sgd_update": [
        # source: https://prof.lexailabs.com/practice/build-nn-06-sgd-step ("the rebind trap")
        ("p = p - lr * g rebinds the loop variable", '''\
def sgd_update(params, grads, lr):
    for name, p in params.items():
        p = p - lr * grads[name]
'''),
        # source: https://www.datainterview.com/coding/sgd-update-step?library=numpy
        ("returns w_new = weights - lr * grads, leaves the weights alone", '''\
def sgd_update(params, grads, lr):
    new = {}
    for name in params:
        new[name] = params[name] - lr * grads[name]
    return new
'''),
        # source: https://solvewithpython.com/neural-net-template/building-a-neural-network-template-in-python-the-training-loop-and-stochastic-gradient-descent
        ("two nested index loops (fails on a 1-D bias)", '''\
def sgd_update(params, grads, lr):
    for name, p in params.items():
        g = grads[name]
        for i in range(len(p)):
            for j in range(len(p[i])):
                p[i][j] -= lr * g[i][j]
'''),
    ],
    "iterate_minibatches": [
        # source: https://cfs.mostlyvoid.xyz/search?offset=1&q=mini+batch+gradient+descent+python+code&spellcheck=0
        # (the quoted Stack Overflow answer: range(0, n - batchsize + 1, batchsize))
        ("range(0, n - batch_size + 1, batch_size) drops the last batch", '''\
def iterate_minibatches(n, batch_size, rng, shuffle=True):
    indices = rng.permutation(n) if shuffle else np.arange(n)
    for start_idx in range(0, n - batch_size + 1, batch_size):
        yield indices[start_idx:start_idx + batch_size]
'''),
        # source: https://cfs.mostlyvoid.xyz/search?offset=1&q=mini+batch+gradient+descent+python+code&spellcheck=0
        # (the same answer shuffles with the global np.random.shuffle)
        ("np.random.shuffle: the global generator, not rng", '''\
def iterate_minibatches(n, batch_size, rng, shuffle=True):
    indices = np.arange(n)
    if shuffle:
        np.random.shuffle(indices)
    for start in range(0, n, batch_size):
        yield indices[start:start + batch_size]
'''),
    ],
    "minibatch_train": [
        # source: https://cfs.mostlyvoid.xyz/search?offset=1&q=mini+batch+gradient+descent+python+code&spellcheck=0
        # (its training loop shuffles with the global np.random, so the run cannot be repeated)
        ("shuffles with the global np.random instead of the seeded rng", '''\
def minibatch_train(model, X, y, lr, batch_size, epochs, seed=0, loss="mse"):
    losses = []
    for _ in range(epochs):
        order = np.random.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            value, grads = model.loss_and_grads(X[idx], y[idx], loss=loss)
            helpers.sgd_update(model.params, grads, lr)
            losses.append(value)
    return losses
'''),
        # source: https://cfs.mostlyvoid.xyz/search?offset=1&q=mini+batch+gradient+descent+python+code&spellcheck=0
        # (its step f_train(x_batch, y_batch) takes no loss argument)
        ("calls model.loss_and_grads(Xb, yb) without passing loss= on", '''\
def minibatch_train(model, X, y, lr, batch_size, epochs, seed=0, loss="mse"):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        for idx in helpers.iterate_minibatches(len(X), batch_size, rng):
            value, grads = model.loss_and_grads(X[idx], y[idx])
            helpers.sgd_update(model.params, grads, lr)
            losses.append(value)
    return losses
'''),
    ],
}
WRONG_PUBLIC["sgd_update"] = [e + (d,) for e, d in zip(WRONG_PUBLIC["sgd_update"], ["not_in_place", "not_in_place", "index_dims"])]
WRONG_PUBLIC["iterate_minibatches"] = [e + (d,) for e, d in zip(WRONG_PUBLIC["iterate_minibatches"], ["last_batch_dropped", "not_reproducible"])]
WRONG_PUBLIC["minibatch_train"] = [e + (d,) for e, d in zip(WRONG_PUBLIC["minibatch_train"], ["first_update", "loss_not_passed"])]
