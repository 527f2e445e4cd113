"""Plausible wrong answers for lesson 03_backpropagation; each must lose its exercise's points.

``WRONG[grade_id]`` is a list of ``(mistake, source)``; the source replaces the whole answer cell
(same function name and signature). The lesson harness in ``tests/lessons/`` substitutes each one
into the solution notebook and grades it with nbgrader.
"""

WRONG = {
    "sigmoid_grad": [
        ("naive sigmoid overflows at z = -1e4 (RuntimeWarning)", '''
def sigmoid_grad(z):
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s)
''', 'overflow'),
        ("textbook formula exp(-z)/(1+exp(-z))^2 gives inf/inf = nan for large -z", '''
def sigmoid_grad(z):
    e = np.exp(-z)
    return e / (1 + e) ** 2
''', 'overflow'),
        ("applies s(1-s) to z instead of to sigmoid(z)", '''
def sigmoid_grad(z):
    return z * (1 - z)
''', 'grad_of_input'),
        ("returns the sigmoid itself, not its derivative", '''
def sigmoid_grad(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)
''', 'sigmoid_not_grad'),
        ("casts to float64: float32 input comes back as float64", '''
def sigmoid_grad(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2
''', 'dtype'),
    ],
    "dense_backward": [
        ("transposed dW (X.T @ dZ)", '''
def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W, X.T @ dZ, dZ.sum(axis=0)
''', 'transpose'),
        ("mean instead of sum for db (an extra 1/N)", '''
def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W, dZ.T @ X, dZ.mean(axis=0)
''', 'factor_1_over_N'),
        ("dX = dZ @ W.T", '''
def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)
''', 'matmul_shapes'),
        ("db summed over the wrong axis", '''
def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W, dZ.T @ X, dZ.sum(axis=1)
''', 'wrong_shape'),
        ("dW averaged over the batch (an extra 1/N)", '''
def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W, dZ.T @ X / X.shape[0], dZ.sum(axis=0)
''', 'factor_1_over_N'),
        ("returns (dW, dX, db) in the wrong order", '''
def dense_backward(dZ, cache):
    X, W = cache
    return dZ.T @ X, dZ @ W, dZ.sum(axis=0)
''', 'wrong_shape'),
    ],
    "softmax_cross_entropy_grad": [
        ("missing 1/N", '''
def softmax_cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    onehot = np.zeros_like(p)
    onehot[np.arange(N), y] = 1
    return p - onehot
''', 'factor_N'),
        ("p - y with integer labels, no one-hot", '''
def softmax_cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return (p - y[:, None]) / N
''', 'labels_not_onehot'),
        ("naive softmax overflows at large logits", '''
def softmax_cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    onehot = np.zeros_like(p)
    onehot[np.arange(N), y] = 1
    return (p - onehot) / N
''', 'overflow'),
        ("wrong sign: (onehot - p) / N", '''
def softmax_cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    onehot = np.zeros_like(p)
    onehot[np.arange(N), y] = 1
    return (onehot - p) / N
''', 'sign'),
        ("softmax normalised over the batch axis", '''
def softmax_cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    onehot = np.zeros_like(p)
    onehot[np.arange(N), y] = 1
    return (p - onehot) / N
''', 'wrong_axis'),
    ],
    "two_layer_backward": [
        ("forgets the ReLU mask", '''
def two_layer_backward(X, y, params):
    Z1, cache1 = dense_forward(X, params["W1"], params["b1"])
    A1 = relu(Z1)
    logits, cache2 = dense_forward(A1, params["W2"], params["b2"])
    _, dZ2 = softmax_cross_entropy(logits, y)
    dA1, dW2, db2 = helpers.dense_backward(dZ2, cache2)
    _, dW1, db1 = helpers.dense_backward(dA1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
''', 'hidden_layer'),
        ("masks the ReLU by the sign of the gradient instead of Z1", '''
def two_layer_backward(X, y, params):
    Z1, cache1 = dense_forward(X, params["W1"], params["b1"])
    A1 = relu(Z1)
    logits, cache2 = dense_forward(A1, params["W2"], params["b2"])
    _, dZ2 = softmax_cross_entropy(logits, y)
    dA1, dW2, db2 = helpers.dense_backward(dZ2, cache2)
    dZ1 = dA1 * (dA1 > 0)
    _, dW1, db1 = helpers.dense_backward(dZ1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
''', 'hidden_layer'),
        ("dW2 from X instead of the hidden activation A1", '''
def two_layer_backward(X, y, params):
    Z1, cache1 = dense_forward(X, params["W1"], params["b1"])
    A1 = relu(Z1)
    logits, cache2 = dense_forward(A1, params["W2"], params["b2"])
    _, dZ2 = softmax_cross_entropy(logits, y)
    dA1 = dZ2 @ params["W2"]
    dW2, db2 = dZ2.T @ X, dZ2.sum(axis=0)
    dZ1 = dA1 * (Z1 > 0)
    _, dW1, db1 = helpers.dense_backward(dZ1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
''', 'wrong_shape'),
        ("missing 1/N: dlogits = P - Y", '''
def two_layer_backward(X, y, params):
    Z1, cache1 = dense_forward(X, params["W1"], params["b1"])
    A1 = relu(Z1)
    logits, cache2 = dense_forward(A1, params["W2"], params["b2"])
    dZ2 = softmax(logits)
    dZ2[np.arange(len(y)), y] -= 1
    dA1, dW2, db2 = helpers.dense_backward(dZ2, cache2)
    dZ1 = dA1 * (Z1 > 0)
    _, dW1, db1 = helpers.dense_backward(dZ1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
''', 'factor_N'),
        ("passes the gradient down through W2.T", '''
def two_layer_backward(X, y, params):
    Z1, cache1 = dense_forward(X, params["W1"], params["b1"])
    A1 = relu(Z1)
    logits, cache2 = dense_forward(A1, params["W2"], params["b2"])
    _, dZ2 = softmax_cross_entropy(logits, y)
    _, dW2, db2 = helpers.dense_backward(dZ2, cache2)
    dZ1 = (dZ2 @ params["W2"].T) * (Z1 > 0)
    _, dW1, db1 = helpers.dense_backward(dZ1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
''', 'matmul_shapes'),
        ("naive softmax inside: overflows for large inputs", '''
def two_layer_backward(X, y, params):
    Z1, cache1 = dense_forward(X, params["W1"], params["b1"])
    A1 = relu(Z1)
    logits, cache2 = dense_forward(A1, params["W2"], params["b2"])
    e = np.exp(logits)
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(len(y)), y] -= 1
    dZ2 /= len(y)
    dA1, dW2, db2 = helpers.dense_backward(dZ2, cache2)
    dZ1 = dA1 * (Z1 > 0)
    _, dW1, db1 = helpers.dense_backward(dZ1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
''', 'overflow'),
    ],
    "numerical_gradient": [
        ("one-sided difference (f(x + h) - f(x)) / h", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    f0 = f(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        grad[idx] = (f(x) - f0) / h
        x[idx] = old
    return grad
''', 'one_sided'),
        ("forgets to restore x", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        f_plus = f(x)
        x[idx] -= 2 * h
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
''', 'x_not_restored'),
        ("divides by h instead of 2h", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / h
    return grad
''', 'h_vs_2h'),
        ("ignores the h argument (always 1e-5)", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + 1e-5
        f_plus = f(x)
        x[idx] = old - 1e-5
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / 2e-5
    return grad
''', 'fixed_h'),
        ("loops over range(len(x)): only works for 1-D x", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(len(x)):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''', 'rows_not_entries'),
    ],
}

# Mistakes real students made, found in public Q&A threads and course forums (source in the comment above each),
# adapted to this lesson's signatures without fixing the bug; each names the diagnosis it must receive.
WRONG_PUBLIC = {
    "sigmoid_grad": [
        # source: https://stackoverflow.com/questions/47044541/how-to-avoid-an-overflow-in-numpy-exp/47044738
        ("dactivation(x) = activation(x) * (1 - activation(x)) with the naive activation", '''
def sigmoid_grad(z):
    def activation(x):
        return 1 / (1 + np.exp(-x))
    return activation(z) * (1 - activation(z))
'''.lstrip(), "overflow"),
        # source: https://community.deeplearning.ai/t/c1w3a1-backward-propagation-valueerror-operands-could-not-be-broadcast-together-with-shapes-7-9-9-7/31965
        ("1 - s**2 (the tanh derivative of the course's tanh network)", '''
def sigmoid_grad(z):
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1.0, e) / (1.0 + e)
    return 1 - s ** 2
'''.lstrip(), "tanh_derivative"),
    ],
    "dense_backward": [
        # source: https://community.deeplearning.ai/t/course-1-week-2-exercise-5-propagate/119220/2
        ("dW with elementwise * instead of a matrix product", '''
def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W, dZ.T * X, dZ.sum(axis=0)
'''.lstrip(), "broadcast"),
        # source: https://community.deeplearning.ai/t/course-1-week-3-a1-excercise-6-dw2-operands-could-not-be-broadcast/152009
        ("dW = dZ * X.T (elementwise, as in the forum post)", '''
def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W, dZ * X.T, dZ.sum(axis=0)
'''.lstrip(), "broadcast"),
        # source: https://community.deeplearning.ai/t/course-1-week-2-exercise-5-propagate/119220/2 (columns convention)
        ("dW = np.dot(dZ, X.T) from the columns-are-examples convention", '''
def dense_backward(dZ, cache):
    X, W = cache
    return np.dot(dZ, W), np.dot(dZ, X.T), np.sum(dZ, axis=0)
'''.lstrip(), "matmul_shapes"),
        # source: https://community.deeplearning.ai/t/c1w3a1-backward-propagation-valueerror-operands-could-not-be-broadcast-together-with-shapes-7-9-9-7/31965
        ("db = np.sum(dZ, axis=1, keepdims=True) from the columns convention", '''
def dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W, dZ.T @ X, np.sum(dZ, axis=1, keepdims=True)
'''.lstrip(), "wrong_shape"),
        # source: https://community.deeplearning.ai/t/course-1-week-2-exercise-5-propagate/119220/2 (dw = 1/m X (A - Y)^T)
        ("dW = 1/m dZ.T X (the mean is already in dZ)", '''
def dense_backward(dZ, cache):
    X, W = cache
    m = X.shape[0]
    return dZ @ W, (1 / m) * dZ.T @ X, dZ.sum(axis=0)
'''.lstrip(), "factor_1_over_N"),
    ],
    "softmax_cross_entropy_grad": [
        # source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 (mirror of the Stack Overflow question
        # "How to implement the Softmax function in Python", the asker's version)
        ("softmax with the global sum e_x / e_x.sum()", '''
def softmax_cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e_x = np.exp(logits - np.max(logits))
    p = e_x / e_x.sum()
    onehot = np.zeros_like(p)
    onehot[np.arange(N), y] = 1
    return (p - onehot) / N
'''.lstrip(), "softmax_global_sum"),
    ],
    "two_layer_backward": [
        # source: https://community.deeplearning.ai/t/w3-a1-dimensional-analysis-shapes-not-aligned/290850
        ("np.dot for the ReLU mask (a matrix product instead of elementwise)", '''
def two_layer_backward(X, y, params):
    Z1, cache1 = dense_forward(X, params["W1"], params["b1"])
    A1 = relu(Z1)
    logits, cache2 = dense_forward(A1, params["W2"], params["b2"])
    _, dZ2 = softmax_cross_entropy(logits, y)
    dA1, dW2, db2 = helpers.dense_backward(dZ2, cache2)
    dZ1 = np.dot(dA1, (Z1 > 0))
    _, dW1, db1 = helpers.dense_backward(dZ1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
'''.lstrip(), "matmul_shapes"),
        # source: https://community.deeplearning.ai/t/c1w3a1-backward-propagation-valueerror-operands-could-not-be-broadcast-together-with-shapes-7-9-9-7/31965
        ("the tanh derivative 1 - A1**2 in a ReLU network", '''
def two_layer_backward(X, y, params):
    Z1, cache1 = dense_forward(X, params["W1"], params["b1"])
    A1 = relu(Z1)
    logits, cache2 = dense_forward(A1, params["W2"], params["b2"])
    _, dZ2 = softmax_cross_entropy(logits, y)
    dA1, dW2, db2 = helpers.dense_backward(dZ2, cache2)
    dZ1 = dA1 * (1 - np.power(A1, 2))
    _, dW1, db1 = helpers.dense_backward(dZ1, cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
'''.lstrip(), "hidden_layer"),
    ],
    "numerical_gradient": [
        # source: https://www.eetcode.com/deepml/313
        ("copies per index, but range(len(params)) nudges whole rows", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in range(len(x)):
        params_plus = x.copy()
        params_minus = x.copy()
        params_plus[i] += h
        params_minus[i] -= h
        grad[i] = (f(params_plus) - f(params_minus)) / (2 * h)
    return grad
'''.lstrip(), "rows_not_entries"),
        # source: https://www.eetcode.com/deepml/313 (its own default step h = 1e-7)
        ("a step of its own (h = 1e-7) instead of the argument", '''
def numerical_gradient(f, x, h=1e-5):
    step = 1e-7
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + step
        f_plus = f(x)
        x[idx] = old - step
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * step)
    return grad
'''.lstrip(), "fixed_h"),
    ],
}
