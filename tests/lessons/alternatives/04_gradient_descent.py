"""Correct but unusual answers for lesson 04: each must score full marks, visibly and at grading."""

ALTERNATIVES = {
    "gradient_descent": [
        ("in-place updates, a copy appended each step", '''def gradient_descent(grad_fn, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta.copy()]
    for _ in range(steps):
        theta -= lr * np.asarray(grad_fn(theta), dtype=float)
        path.append(theta.copy())
    return np.vstack(path)
'''),
    ],
    "sgd_update": [
        # source: https://prof.lexailabs.com/practice/build-nn-06-sgd-step (np.subtract(p, lr*g, out=p))
        ("np.subtract(p, lr * g, out=p)", '''def sgd_update(params, grads, lr):
    for name in params:
        np.subtract(params[name], lr * grads[name], out=params[name])
'''),
    ],
    "iterate_minibatches": [
        # source: https://interactivechaos.com/es/manual/tutorial-de-deep-learning/ejemplo-de-generacion-de-mini-batches
        ("returns a list of batches (a list comprehension) instead of yielding", '''def iterate_minibatches(n, batch_size, rng, shuffle=True):
    order = rng.permutation(n) if shuffle else np.arange(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]
'''),
    ],
    "minibatch_train": [
        ("slices rng.permutation itself instead of calling iterate_minibatches", '''def minibatch_train(model, X, y, lr, batch_size, epochs, seed=0, loss="mse"):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            value, grads = model.loss_and_grads(X[idx], y[idx], loss=loss)
            for name in model.params:
                model.params[name] -= lr * grads[name]
            losses.append(float(value))
    return losses
'''),
    ],
}
