"""Correct but unusual answers for lesson 06: each must score full marks, visibly and at grading."""

ALTERNATIVES = {
    "L_layer_forward": [
        ("a while loop over the layers, caches as lists", '''\
def L_layer_forward(X, params):
    L, l, A, caches = len(params) // 2, 1, X, []
    while l <= L:
        Z = dense_forward(A, params["W%d" % l], params["b%d" % l])
        caches.append((A, params["W%d" % l], Z))
        A = Z if l == L else relu(Z)
        l += 1
    return A, caches
'''),
    ],
    "L_layer_backward": [
        ("the mask as np.where(Z > 0, dA, 0), layers counted from 0", '''\
def L_layer_backward(dlogits, caches):
    grads, dZ = {}, dlogits
    for i in reversed(range(len(caches))):
        A_prev, W, _ = caches[i]
        dA, grads["W" + str(i + 1)], grads["b" + str(i + 1)] = dense_backward(dZ, (A_prev, W))
        if i > 0:
            dZ = np.where(caches[i - 1][2] > 0, dA, 0.0)
    return grads
'''),
    ],
    "momentum_update": [
        ("stores a new velocity array, then steps in place", '''\
def momentum_update(params, grads, velocity, lr, beta=0.9):
    for k in params:
        velocity[k] = beta * velocity[k] + grads[k]
        params[k] -= lr * velocity[k]
'''),
    ],
    "adam_update": [
        ("running means updated in place, g * g", '''\
def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    for k in params:
        g = grads[k]
        m[k] *= beta1
        m[k] += (1 - beta1) * g
        v[k] *= beta2
        v[k] += (1 - beta2) * g * g
        params[k] -= lr * (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps)
'''),
    ],
    "add_weight_decay": [
        ("the penalty from np.linalg.norm, a loop building the dict", '''\
def add_weight_decay(loss, grads, params, lam):
    new_loss, new_grads = float(loss), {}
    for k, g in grads.items():
        if k.startswith("W"):
            new_loss += lam / 2 * np.linalg.norm(params[k]) ** 2
            new_grads[k] = g + lam * params[k]
        else:
            new_grads[k] = np.array(g)
    return new_loss, new_grads
'''),
    ],
}
