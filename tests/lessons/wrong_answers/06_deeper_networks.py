"""Plausible wrong answers for lesson 06_deeper_networks.

Each entry's source replaces the whole answer cell (same grade_id); each must lose
that exercise's points and only that exercise's points.
"""

WRONG = {
    "L_layer_forward": [
        ("ReLU after the last layer too", '''\
def L_layer_forward(X, params):
    L = len(params) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = dense_forward(A, W, b)
        caches.append((A, W, Z))
        A = relu(Z)
    return A, caches
'''),
        ("caches in the wrong order (newest first)", '''\
def L_layer_forward(X, params):
    L = len(params) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = dense_forward(A, W, b)
        caches.insert(0, (A, W, Z))
        A = relu(Z) if l < L else Z
    return A, caches
'''),
        ("caches the layer's output instead of its input", '''\
def L_layer_forward(X, params):
    L = len(params) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = dense_forward(A, W, b)
        A = relu(Z) if l < L else Z
        caches.append((A, W, Z))
    return A, caches
'''),
        ("the loop stops one layer early", '''\
def L_layer_forward(X, params):
    L = len(params) // 2
    A, caches = X, []
    for l in range(1, L):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = dense_forward(A, W, b)
        caches.append((A, W, Z))
        A = relu(Z)
    return A, caches
'''),
    ],
    "L_layer_backward": [
        ("forgets ReLU's derivative", '''\
def L_layer_backward(dlogits, caches):
    grads, dZ = {}, dlogits
    for l in range(len(caches), 0, -1):
        A_prev, W, Z = caches[l - 1]
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, (A_prev, W))
        dZ = dA_prev
    return grads
'''),
        ("masks with this layer's Z instead of the layer below's", '''\
def L_layer_backward(dlogits, caches):
    grads, dZ = {}, dlogits
    for l in range(len(caches), 0, -1):
        A_prev, W, Z = caches[l - 1]
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, (A_prev, W))
        if l > 1:
            dZ = dA_prev * (Z > 0)
    return grads
'''),
        ("ReLU mask Z >= 0 (lets the gradient through at Z == 0)", '''\
def L_layer_backward(dlogits, caches):
    grads, dZ = {}, dlogits
    for l in range(len(caches), 0, -1):
        A_prev, W, Z = caches[l - 1]
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, (A_prev, W))
        if l > 1:
            dZ = dA_prev * (caches[l - 2][2] >= 0)
    return grads
''', "relu_kink"),
        ("passes the gradient down only one layer", '''\
def L_layer_backward(dlogits, caches):
    grads = {}
    L = len(caches)
    dA_prev, grads[f"W{L}"], grads[f"b{L}"] = dense_backward(dlogits, caches[L - 1][:2])
    for l in range(L - 1, 0, -1):
        A_prev, W, Z = caches[l - 1]
        dZ = dA_prev * (Z > 0)
        _, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, (A_prev, W))
    return grads
'''),
        ("gradients stored under the wrong layer number", '''\
def L_layer_backward(dlogits, caches):
    grads, dZ = {}, dlogits
    L = len(caches)
    for l in range(L, 0, -1):
        A_prev, W, Z = caches[l - 1]
        dA_prev, grads[f"W{L - l + 1}"], grads[f"b{L - l + 1}"] = dense_backward(dZ, (A_prev, W))
        if l > 1:
            dZ = dA_prev * (caches[l - 2][2] > 0)
    return grads
'''),
    ],
    "init_params": [
        ("He with fan_out instead of fan_in", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        std = {"he": np.sqrt(2 / fan_out), "xavier": np.sqrt(2 / (fan_in + fan_out)), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_out, fan_in)) * std
        params[f"b{l}"] = np.zeros(fan_out)
    return params
'''),
        ("the variance used as the standard deviation", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        var = {"he": 2 / fan_in, "xavier": 2 / (fan_in + fan_out), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_out, fan_in)) * var
        params[f"b{l}"] = np.zeros(fan_out)
    return params
'''),
        ("W drawn with shape (fan_in, fan_out)", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        std = {"he": np.sqrt(2 / fan_in), "xavier": np.sqrt(2 / (fan_in + fan_out)), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_in, fan_out)) * std
        params[f"b{l}"] = np.zeros(fan_out)
    return params
'''),
        ("Xavier as 1 / fan_in", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        std = {"he": np.sqrt(2 / fan_in), "xavier": np.sqrt(1 / fan_in), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_out, fan_in)) * std
        params[f"b{l}"] = np.zeros(fan_out)
    return params
'''),
    ],
    "momentum_update": [
        ("steps with the old velocity, then updates it", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k, p in params.items():
        p -= lr * velocity[k]
        velocity[k] = beta * velocity[k] + grads[k]
'''),
        ("velocity not kept between calls", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k, p in params.items():
        v = velocity[k]
        v = beta * v + grads[k]
        p -= lr * v
'''),
        ("dampened velocity: (1 - beta) * g", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k, p in params.items():
        velocity[k] = beta * velocity[k] + (1 - beta) * grads[k]
        p -= lr * velocity[k]
'''),
        ("new arrays instead of an in-place update", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k in params:
        velocity[k] = beta * velocity[k] + grads[k]
        params[k] = params[k] - lr * velocity[k]
'''),
    ],
    "adam_update": [
        ("no bias correction", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        p -= lr * m[k] / (np.sqrt(v[k]) + eps)
'''),
        ("bias correction with beta ** (t + 1)", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        m_hat = m[k] / (1 - beta1 ** (t + 1))
        v_hat = v[k] / (1 - beta2 ** (t + 1))
        p -= lr * m_hat / (np.sqrt(v_hat) + eps)
'''),
        ("eps inside the square root", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        p -= lr * (m[k] / (1 - beta1 ** t)) / np.sqrt(v[k] / (1 - beta2 ** t) + eps)
'''),
        ("stores the bias-corrected means in m and v", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = (beta1 * m[k] + (1 - beta1) * grads[k]) / (1 - beta1 ** t)
        v[k] = (beta2 * v[k] + (1 - beta2) * grads[k] ** 2) / (1 - beta2 ** t)
        p -= lr * m[k] / (np.sqrt(v[k]) + eps)
'''),
    ],
    "add_weight_decay": [
        ("penalty in the loss but not in the gradient", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p ** 2) for k, p in params.items() if k.startswith("W"))
    return loss + penalty, dict(grads)
'''),
        ("decays the biases too", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p ** 2) for k, p in params.items() if k.startswith("W"))
    return loss + penalty, {k: g + lam * params[k] for k, g in grads.items()}
'''),
        ("gradient 2 * lam * W", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p ** 2) for k, p in params.items() if k.startswith("W"))
    return loss + penalty, {k: g + 2 * lam * params[k] if k.startswith("W") else g for k, g in grads.items()}
'''),
        ("changes grads in place", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p ** 2) for k, p in params.items() if k.startswith("W"))
    for k, g in grads.items():
        if k.startswith("W"):
            g += lam * params[k]
    return loss + penalty, grads
'''),
    ],
}
