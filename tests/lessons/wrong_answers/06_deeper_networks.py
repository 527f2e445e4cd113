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
''', "relu_on_output"),
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
''', "caches_reversed"),
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
''', "cache_output"),
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
''', "loop_short"),
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
''', "no_relu_mask"),
        ("masks with this layer's Z instead of the layer below's", '''\
def L_layer_backward(dlogits, caches):
    grads, dZ = {}, dlogits
    for l in range(len(caches), 0, -1):
        A_prev, W, Z = caches[l - 1]
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, (A_prev, W))
        if l > 1:
            dZ = dA_prev * (Z > 0)
    return grads
''', "backward_wrong_layer"),
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
        ("turns the cached Z into the ReLU mask in place", '''\
def L_layer_backward(dlogits, caches):
    grads, dZ = {}, dlogits
    for l in range(len(caches), 0, -1):
        A_prev, W, Z = caches[l - 1]
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, (A_prev, W))
        if l > 1:
            mask = caches[l - 2][2]
            mask[mask <= 0] = 0
            mask[mask > 0] = 1
            dZ = dA_prev * mask
    return grads
''', "in_place"),
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
''', "backward_wrong_layer"),
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
''', "grads_wrong_layer"),
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
''', "he_fan_out"),
        ("the variance used as the standard deviation", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        var = {"he": 2 / fan_in, "xavier": 2 / (fan_in + fan_out), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_out, fan_in)) * var
        params[f"b{l}"] = np.zeros(fan_out)
    return params
''', "variance_as_std"),
        ("W drawn with shape (fan_in, fan_out)", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        std = {"he": np.sqrt(2 / fan_in), "xavier": np.sqrt(2 / (fan_in + fan_out)), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_in, fan_out)) * std
        params[f"b{l}"] = np.zeros(fan_out)
    return params
''', "init_shape"),
        ("Xavier as 1 / fan_in", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        std = {"he": np.sqrt(2 / fan_in), "xavier": np.sqrt(1 / fan_in), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_out, fan_in)) * std
        params[f"b{l}"] = np.zeros(fan_out)
    return params
''', "init_scale"),
    ],
    "momentum_update": [
        ("steps with the old velocity, then updates it", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k, p in params.items():
        p -= lr * velocity[k]
        velocity[k] = beta * velocity[k] + grads[k]
''', "momentum_old_velocity"),
        ("velocity not kept between calls", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k, p in params.items():
        v = velocity[k]
        v = beta * v + grads[k]
        p -= lr * v
''', "velocity_not_stored"),
        ("dampened velocity: (1 - beta) * g", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k, p in params.items():
        velocity[k] = beta * velocity[k] + (1 - beta) * grads[k]
        p -= lr * velocity[k]
''', "velocity_ema"),
        ("new arrays instead of an in-place update", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k in params:
        velocity[k] = beta * velocity[k] + grads[k]
        params[k] = params[k] - lr * velocity[k]
''', "not_in_place"),
    ],
    "adam_update": [
        ("no bias correction", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        p -= lr * m[k] / (np.sqrt(v[k]) + eps)
''', "adam_no_bias_correction"),
        ("bias correction with beta ** (t + 1)", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        m_hat = m[k] / (1 - beta1 ** (t + 1))
        v_hat = v[k] / (1 - beta2 ** (t + 1))
        p -= lr * m_hat / (np.sqrt(v_hat) + eps)
''', "adam_t_plus_1"),
        ("eps inside the square root", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        p -= lr * (m[k] / (1 - beta1 ** t)) / np.sqrt(v[k] / (1 - beta2 ** t) + eps)
''', "adam_eps_inside"),
        ("bias correction with 1 - beta (no power t)", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        p -= lr * (m[k] / (1 - beta1)) / (np.sqrt(v[k] / (1 - beta2)) + eps)
''', "adam_bias_no_t"),
        ("bias correction with 1 + beta ** t", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        p -= lr * (m[k] / (1 + beta1 ** t)) / (np.sqrt(v[k] / (1 + beta2 ** t)) + eps)
''', "adam_bias_plus"),
        ("divides by v_hat instead of its square root", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        p -= lr * (m[k] / (1 - beta1 ** t)) / (v[k] / (1 - beta2 ** t) + eps)
''', "adam_no_sqrt"),
        ("stores the bias-corrected means in m and v", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k, p in params.items():
        m[k] = (beta1 * m[k] + (1 - beta1) * grads[k]) / (1 - beta1 ** t)
        v[k] = (beta2 * v[k] + (1 - beta2) * grads[k] ** 2) / (1 - beta2 ** t)
        p -= lr * m[k] / (np.sqrt(v[k]) + eps)
''', "adam_corrected_stored"),
    ],
    "add_weight_decay": [
        ("the penalty as the square of the sum, (sum W)**2", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p) ** 2 for k, p in params.items() if k.startswith("W"))
    return loss + penalty, {k: g + lam * params[k] if k.startswith("W") else g.copy() for k, g in grads.items()}
''', "decay_square_of_sum"),
        ("penalty in the loss but not in the gradient", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p ** 2) for k, p in params.items() if k.startswith("W"))
    return loss + penalty, dict(grads)
''', "decay_not_in_gradient"),
        ("decays the biases too", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p ** 2) for k, p in params.items() if k.startswith("W"))
    return loss + penalty, {k: g + lam * params[k] for k, g in grads.items()}
''', "decay_biases"),
        ("gradient 2 * lam * W", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p ** 2) for k, p in params.items() if k.startswith("W"))
    return loss + penalty, {k: g + 2 * lam * params[k] if k.startswith("W") else g for k, g in grads.items()}
''', "decay_gradient_2lam"),
        ("changes grads in place", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p ** 2) for k, p in params.items() if k.startswith("W"))
    for k, g in grads.items():
        if k.startswith("W"):
            g += lam * params[k]
    return loss + penalty, grads
''', "in_place"),
    ],
}

# Mistakes people made with these exercises, found in course forums, issue trackers and student repositories
# (source in the comment above each), adapted to this lesson's signatures without fixing the bug; each names the
# diagnosis it must receive.
WRONG_PUBLIC = {
    "L_layer_forward": [
        # source: https://github.com/enggen/Deep-Learning-Coursera/issues/9 (parameters['W' + str(1)] in the loop)
        ("every layer uses W1 and b1 (str(1) instead of str(l))", '''\
def L_layer_forward(X, params):
    L = len(params) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        W, b = params["W" + str(1)], params["b" + str(1)]
        Z = dense_forward(A, W, b)
        caches.append((A, W, Z))
        A = relu(Z) if l < L else Z
    return A, caches
''', "forward_wrong_layer"),
        # source: https://github.com/enggen/Deep-Learning-Coursera/issues/9 (LINEAR -> SIGMOID for the last layer)
        ("a sigmoid on the last layer (the binary course's AL)", '''\
def L_layer_forward(X, params):
    L = len(params) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = dense_forward(A, W, b)
        caches.append((A, W, Z))
        A = relu(Z) if l < L else 1 / (1 + np.exp(-Z))
    return A, caches
''', "sigmoid_on_output"),
    ],
    "L_layer_backward": [
        # source: https://github.com/fanghao6666/neural-networks-and-deep-learning/pull/7 (grads["dA" + str(L)] in the loop)
        ("every hidden layer reads the top layer's dA", '''\
def L_layer_backward(dlogits, caches):
    grads = {}
    L = len(caches)
    A_prev, W, Z = caches[L - 1]
    dA_top, grads[f"W{L}"], grads[f"b{L}"] = dense_backward(dlogits, (A_prev, W))
    for l in range(L - 1, 0, -1):
        A_prev, W, Z = caches[l - 1]
        dZ = dA_top * (Z > 0)
        _, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, (A_prev, W))
    return grads
''', "backward_wrong_layer"),
        # source: https://github.com/AlbertHG/Coursera-Deep-Learning-deeplearning.ai/issues/5 (caches[L - 2 - l])
        ("the cache of the mirrored layer (caches[L - l])", '''\
def L_layer_backward(dlogits, caches):
    grads, dZ = {}, dlogits
    L = len(caches)
    for l in range(L, 0, -1):
        A_prev, W, Z = caches[L - l]
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, (A_prev, W))
        if l > 1:
            dZ = dA_prev * (caches[l - 2][2] > 0)
    return grads
''', "backward_wrong_layer"),
        # source: https://github.com/Kulbear/deep-learning-coursera/issues/27 (dAL passed to every layer in the loop)
        ("dlogits passed to every layer", '''\
def L_layer_backward(dlogits, caches):
    grads = {}
    for l in range(len(caches), 0, -1):
        A_prev, W, Z = caches[l - 1]
        _, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dlogits, (A_prev, W))
    return grads
''', "backward_wrong_layer"),
    ],
    "init_params": [
        # source: https://github.com/ageron/handson-ml/issues/353 (2 / np.sqrt(n_inputs) written for He)
        ("He as 2 / sqrt(fan_in)", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        std = {"he": 2 / np.sqrt(fan_in), "xavier": np.sqrt(2 / (fan_in + fan_out)), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_out, fan_in)) * std
        params[f"b{l}"] = np.zeros(fan_out)
    return params
''', "init_scale"),
        # source: https://github.com/mnielsen/neural-networks-and-deep-learning/issues/30 (np.sqrt(1/n_out))
        ("scale sqrt(1 / fan_out)", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        std = {"he": np.sqrt(1 / fan_out), "xavier": np.sqrt(1 / fan_out), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_out, fan_in)) * std
        params[f"b{l}"] = np.zeros(fan_out)
    return params
''', "init_scale"),
        # source: https://github.com/bighuang624/Andrew-Ng-Deep-Learning-notes/issues/25 (np.sqrt(1/n) for ReLU layers)
        ("He as sqrt(1 / fan_in)", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        std = {"he": np.sqrt(1 / fan_in), "xavier": np.sqrt(2 / (fan_in + fan_out)), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_out, fan_in)) * std
        params[f"b{l}"] = np.zeros(fan_out)
    return params
''', "init_scale"),
        # source: https://github.com/andersy005/deep-learning-specialization-coursera/pull/7 (2 / layer_dims[l-1] was 0)
        ("integer division in the scale (2 // fan_in)", '''\
def init_params(layer_sizes, method, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        std = {"he": np.sqrt(2 // fan_in), "xavier": np.sqrt(2 // (fan_in + fan_out)), "zeros": 0.0}[method]
        params[f"W{l}"] = rng.standard_normal((fan_out, fan_in)) * std
        params[f"b{l}"] = np.zeros(fan_out)
    return params
''', "init_zero_weights"),
    ],
    "momentum_update": [
        # source: https://vivek-s.com/Programming/Deep+Learning/Momentum (Andrew Ng's V = beta V + (1 - beta) dtheta)
        ("velocity as an exponential average (1 - beta) * g", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k, p in params.items():
        velocity[k] = beta * velocity[k] + (1 - beta) * grads[k]
        p -= lr * velocity[k]
''', "velocity_ema"),
        # source: https://davinci-net.com/home/corners/numeric/optimization/gradient-descent/algorithms/momentum.html
        # (nu = beta nu - alpha grad; theta += nu)
        ("velocity v = beta * v - lr * g, then p += v", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k, p in params.items():
        velocity[k] = beta * velocity[k] - lr * grads[k]
        p += velocity[k]
''', "velocity_scaled_by_lr"),
    ],
    "adam_update": [
        # source: https://proxieslive.com/tag/adam/ ("Bias correction in Adam": lr * sqrt(1 - beta2^t) / (1 - beta1^t))
        ("the 'efficient' form lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    for k, p in params.items():
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
        p -= lr_t * m[k] / (np.sqrt(v[k]) + eps)
''', "adam_eps_scaled"),
        # source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 (the CS231n "simplified" Adam:
        # x += - learning_rate * m / (np.sqrt(v) + eps), no bias correction)
        ("the simplified update without m_hat and v_hat", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k in params:
        dx = grads[k]
        m[k] = beta1 * m[k] + (1 - beta1) * dx
        v[k] = beta2 * v[k] + (1 - beta2) * (dx ** 2)
        params[k] += - lr * m[k] / (np.sqrt(v[k]) + eps)
''', "adam_no_bias_correction"),
    ],
    "add_weight_decay": [
        # source: https://github.com/thtrieu/qclass_dl/issues/3 (l2_loss(b) added to l2_loss(W))
        ("the biases in the penalty and the gradient", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = 0.5 * lam * sum(np.sum(p ** 2) for p in params.values())
    return loss + penalty, {k: g + lam * params[k] for k, g in grads.items()}
''', "decay_biases"),
        # source: https://github.com/d2l-ai/d2l-zh/pull/517 ((w**2).sum() / 20: the penalty divided by the sample count)
        ("the penalty divided by 20 (the number of examples) instead of 2", '''\
def add_weight_decay(loss, grads, params, lam):
    penalty = lam * sum(np.sum(p ** 2) for k, p in params.items() if k.startswith("W")) / 20
    return loss + penalty, {k: g + lam * params[k] if k.startswith("W") else g.copy() for k, g in grads.items()}
''', "decay_penalty_factor"),
    ],
}
