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

# Mistakes real students made, found in public Q&A threads and course forums (the source of each is in the
# comment above it), adapted to this lesson's signatures without fixing the bug. Each names the diagnosis
# it must receive. They are graded several to a submission (one per exercise) in test_grading.py.
WRONG_PUBLIC = {
    "dense_forward": [
        # source: https://community.deeplearning.ai/t/graded-function-backward-propagation/110003
        ("column convention Z = np.dot(W, X) + b (shapes not aligned)", '''def dense_forward(X, W, b):
    return np.dot(W, X) + b
''', "matmul_shapes"),
        # source: https://community.deeplearning.ai/t/course-1-week-2-exercise-5-propagate/119220/2
        ("elementwise * instead of a matrix product", '''def dense_forward(X, W, b):
    return X * W + b
''', "broadcast"),
    ],
    "relu": [
        # source: https://ios-ruby-on-rails.developreference.com/article/19400866/Implement+Relu+derivative+in+python+numpy
        ("per-row Python if (works on 1-D input only)", '''def relu(z):
    def single(zi):
        if zi > 0:
            return zi
        return 0.0
    return np.array([single(zi) for zi in z])
''', "if_on_array"),
        # source: https://ios-ruby-on-rails.developreference.com/article/19400866/Implement+Relu+derivative+in+python+numpy
        ("masks the argument in place (x[x <= 0] = 0)", '''def relu(z):
    z[z <= 0] = 0
    return z
''', "in_place"),
        # source: https://hackmd.io/@ashishcode21/rybAI2UkT
        ("np.where(x > 0, 1, 0): the derivative, as ints", '''def relu(z):
    return np.where(z > 0, 1, 0)
''', "relu_derivative"),
    ],
    "sigmoid": [
        # source: https://stackoverflow.com/questions/47044541/how-to-avoid-an-overflow-in-numpy-exp/47044738
        ("1./(1.+np.exp(-x)) with float literals (still overflows)", '''def sigmoid(z):
    return 1. / (1. + np.exp(-z))
''', "overflow"),
        # source: https://stackoverflow.com/questions/40726490/overflow-error-in-pythons-numpy-exp-function
        ("np.float128 to make room for exp(1234) (answer on the thread)", '''def sigmoid(z):
    z = np.asarray(z, dtype=np.float128)
    return 1 / (1 + np.exp(-z))
''', "dtype"),
        # source: https://boldena.com/article/0d98f07f-fd9e-44e6-8ebb-72c4de56321b/overflow-error-in-pythons-numpy-exp-function
        ("piecewise formula inside np.where (both branches evaluated)", '''def sigmoid(z):
    return np.where(z <= 0, 1 / (1 + np.exp(-z)), 1 - 1 / (1 + np.exp(z)))
''', "overflow"),
    ],
    "softmax": [
        # source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 (mirror of the Stack Overflow
        # question "How to implement the Softmax function in Python", the asker's version)
        ("global max and global sum (right for 1-D scores only)", '''def softmax(z):
    e_x = np.exp(z - np.max(z))
    return e_x / e_x.sum()
''', "wrong_axis"),
        # source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 (same thread, accepted answer's axis=0)
        ("e_x / e_x.sum(axis=0): columns are normalised", '''def softmax(z):
    e_x = np.exp(z - np.max(z))
    return e_x / e_x.sum(axis=0)
''', "wrong_axis"),
        # source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 ("Softmax Regression in NumPy": softmax_2)
        ("np.exp(y / np.sum(np.exp(y), axis=1)): misplaced parenthesis", '''def softmax(z):
    return np.exp(z / np.sum(np.exp(z), axis=1))
''', "broadcast"),
        # source: https://forums.fast.ai/t/cross-entropy-error-log-1-1-inf/1441
        ("list comprehension over np.exp(val) (no shift)", '''def softmax(z):
    out = []
    for row in z:
        denom = sum([np.exp(val) for val in row])
        out.append([np.exp(val) / denom for val in row])
    return np.array(out)
''', "overflow"),
        # source: https://splunktool.com/in-python-calculate-the-softmax-of-an-array-columnwise-using-numpy
        ("loops over the columns (column-wise softmax)", '''def softmax(z):
    result = np.zeros(z.shape)
    M, N = z.shape
    for n in range(N):
        S = np.sum(np.exp(z[:, n]))
        result[:, n] = np.exp(z[:, n]) / S
    return result
''', "wrong_axis"),
    ],
    "mlp_forward": [
        # source: https://ios-ruby-on-rails.developreference.com/article/19400866/Implement+Relu+derivative+in+python+numpy
        ("Python max(0, z) instead of np.maximum", '''def mlp_forward(X, params):
    hidden = max(0, X @ params["W1"].T + params["b1"])
    return hidden @ params["W2"].T + params["b2"]
''', "if_on_array"),
        # source: https://community.deeplearning.ai/t/graded-function-backward-propagation/110003
        ("column convention np.dot(W1, X) (shapes not aligned)", '''def mlp_forward(X, params):
    hidden = np.maximum(np.dot(params["W1"], X) + params["b1"], 0)
    return np.dot(params["W2"], hidden) + params["b2"]
''', "matmul_shapes"),
    ],
}
