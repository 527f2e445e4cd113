"""Plausible wrong answers for lesson 01_forward_propagation.

Each entry replaces the whole answer cell of the exercise (same function name and
signature); tests/lessons/test_grading.py grades every one with nbgrader and asserts
that it loses that exercise's points while every other exercise keeps full marks.
"""

WRONG = {
    "dense_forward": [
        ("W not transposed (X @ W)", '''def dense_forward(X, W, b):
    return X @ W + b
''', 'matmul_shapes'),
        ("forgot the bias", '''def dense_forward(X, W, b):
    return X @ W.T
''', 'no_bias'),
        ("transposed result (W @ X.T)", '''def dense_forward(X, W, b):
    return W @ X.T + b.reshape(-1, 1)
''', 'transpose'),
        ("float32 silently upcast to float64", '''def dense_forward(X, W, b):
    X = np.asarray(X, dtype=float)
    return X @ W.T + b
''', 'dtype'),
    ],
    "relu": [
        ("absolute value instead of max(z, 0)", '''def relu(z):
    return np.abs(z)
''', 'abs_not_relu'),
        ("modifies z in place", '''def relu(z):
    z[z < 0] = 0
    return z
''', 'in_place'),
        ("returns the derivative (z > 0)", '''def relu(z):
    return (z > 0).astype(z.dtype)
''', 'relu_derivative'),
        ("float32 silently upcast to float64", '''def relu(z):
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
''', 'dtype'),
    ],
    "sigmoid": [
        ("naive formula (overflows for large negative z)", '''def sigmoid(z):
    return 1 / (1 + np.exp(-z))
''', 'overflow'),
        ("np.where over two unstable branches", '''def sigmoid(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
''', 'overflow'),
        ("branches swapped (computes sigmoid(-z))", '''def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e, 1) / (1 + e)
''', 'sigmoid_of_minus_z'),
        ("clipped to +-500 (overflows in float32)", '''def sigmoid(z):
    z = np.clip(z, -500, 500)
    return 1 / (1 + np.exp(-z))
''', 'overflow'),
    ],
    "softmax": [
        ("naive exp (overflows for large logits)", '''def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
''', 'overflow'),
        ("normalised over the wrong axis (columns)", '''def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
''', 'wrong_axis'),
        ("global maximum instead of each row's", '''def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=1, keepdims=True)
''', 'invalid_value'),
        ("row max without keepdims", '''def softmax(z):
    e = np.exp(z - z.max(axis=1))
    return e / e.sum(axis=1)
''', 'broadcast'),
    ],
    "mlp_forward": [
        ("no ReLU on the hidden layer", '''def mlp_forward(X, params):
    hidden = X @ params["W1"].T + params["b1"]
    return hidden @ params["W2"].T + params["b2"]
''', 'no_hidden_relu'),
        ("ReLU on the output logits too", '''def mlp_forward(X, params):
    hidden = np.maximum(X @ params["W1"].T + params["b1"], 0)
    return np.maximum(hidden @ params["W2"].T + params["b2"], 0)
''', 'relu_on_output'),
        ("returns softmax probabilities instead of logits", '''def mlp_forward(X, params):
    hidden = np.maximum(X @ params["W1"].T + params["b1"], 0)
    logits = hidden @ params["W2"].T + params["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''', 'probs_not_logits'),
        ("forgot the output bias b2", '''def mlp_forward(X, params):
    hidden = np.maximum(X @ params["W1"].T + params["b1"], 0)
    return hidden @ params["W2"].T
''', 'no_bias'),
    ],
}
