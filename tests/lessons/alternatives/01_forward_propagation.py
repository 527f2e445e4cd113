"""Correct but unusual answers for lesson 01: each must score full marks, visibly and at grading."""

ALTERNATIVES = {
    "dense_forward": [
        ("np.einsum", '''def dense_forward(X, W, b):
    return np.einsum("nd,od->no", X, W) + b
'''),
    ],
    "relu": [
        # source: https://hackmd.io/@ashishcode21/rybAI2UkT (np.where on a condition)
        ("np.where(z > 0, z, 0)", '''def relu(z):
    return np.where(z > 0, z, 0)
'''),
        ("z * (z > 0)", '''def relu(z):
    return z * (z > 0)
'''),
    ],
    "sigmoid": [
        ("the tanh identity 0.5 * (1 + tanh(z / 2))", '''def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))
'''),
        # source: https://stackoverflow.com/questions/47044541/how-to-avoid-an-overflow-in-numpy-exp/47044738
        # (exp(-x) for x > 0, exp(x) for x < 0, computed only where each is safe)
        ("masked assignment: each formula only where it is safe", '''def sigmoid(z):
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out
'''),
    ],
    "softmax": [
        ("exp(z - logsumexp) with np.logaddexp.reduce", '''def softmax(z):
    return np.exp(z - np.logaddexp.reduce(z, axis=1, keepdims=True))
'''),
    ],
    "mlp_forward": [
        ("np.dot and np.clip(..., 0, None)", '''def mlp_forward(X, params):
    hidden = np.clip(np.dot(X, params["W1"].T) + params["b1"], 0, None)
    return np.dot(hidden, params["W2"].T) + params["b2"]
'''),
    ],
}
