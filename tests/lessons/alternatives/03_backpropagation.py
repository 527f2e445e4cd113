"""Correct but unusual answers for lesson 03: each must score full marks, visibly and at grading."""

ALTERNATIVES = {
    "sigmoid_grad": [
        ("0.25 * (1 - tanh(z / 2) ** 2)", '''def sigmoid_grad(z):
    t = np.tanh(z / 2)
    return 0.25 * (1 - t * t)
'''),
    ],
    "dense_backward": [
        ("np.einsum for dX, dW and db", '''def dense_backward(dZ, cache):
    X, W = cache
    return np.einsum("no,oi->ni", dZ, W), np.einsum("no,ni->oi", dZ, X), np.einsum("no->o", dZ)
'''),
    ],
    "two_layer_backward": [
        ("np.einsum and np.where for the ReLU mask", '''def two_layer_backward(X, y, params):
    Z1, cache1 = dense_forward(X, params["W1"], params["b1"])
    A1 = relu(Z1)
    logits, cache2 = dense_forward(A1, params["W2"], params["b2"])
    _, dZ2 = softmax_cross_entropy(logits, y)
    dW2, db2 = np.einsum("nc,nh->ch", dZ2, A1), dZ2.sum(axis=0)
    dZ1 = np.where(Z1 > 0, dZ2 @ params["W2"], 0)
    dW1, db1 = np.einsum("nh,nd->hd", dZ1, X), dZ1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
'''),
    ],
    "numerical_gradient": [
        # source: http://wang.works/portfolio/code/grad_check.html (eval_numerical_gradient with np.nditer)
        ("np.nditer with multi_index, in place", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad[ix] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad
'''),
        # source: https://tikayere.github.io/mathematics-for-programmers/part7/ch234-gradient-checking
        ("fresh copies x_plus / x_minus per entry (x never touched)", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape, dtype=float)
    for idx in np.ndindex(x.shape):
        x_plus = x.copy()
        x_plus[idx] += h
        x_minus = x.copy()
        x_minus[idx] -= h
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad
'''),
    ],
}
