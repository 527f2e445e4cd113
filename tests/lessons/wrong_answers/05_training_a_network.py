"""Plausible wrong answers for lesson 05_training_a_network.

Each entry's source replaces the whole answer cell (same grade_id); each must lose
that exercise's points and only that exercise's points.
"""

WRONG = {
    "accuracy": [
        ("counts instead of the fraction", '''\
def accuracy(y_pred, y_true):
    return float(np.sum(y_pred == y_true))
''', 'count_not_fraction'),
        ("a percentage instead of a fraction", '''\
def accuracy(y_pred, y_true):
    return float(np.mean(y_pred == y_true) * 100)
''', 'percent'),
        ("the error rate (!= instead of ==)", '''\
def accuracy(y_pred, y_true):
    return float(np.mean(y_pred != y_true))
''', 'error_rate'),
        ("integer division", '''\
def accuracy(y_pred, y_true):
    return np.sum(y_pred == y_true) // len(y_true)
''', 'integer_division'),
    ],
    "evaluate": [
        ("argmax over the wrong axis", '''\
def evaluate(model, X, y):
    logits = model.forward(X)
    loss, _ = helpers.softmax_cross_entropy(logits, y)
    return loss, float(np.mean(logits.argmax(axis=0) == y))
''', 'broadcast'),
        ("returns (acc, loss) in the wrong order", '''\
def evaluate(model, X, y):
    logits = model.forward(X)
    loss, _ = helpers.softmax_cross_entropy(logits, y)
    return float(np.mean(logits.argmax(axis=1) == y)), loss
''', 'swapped_pair'),
        ("forgets to unpack softmax_cross_entropy's (loss, grad)", '''\
def evaluate(model, X, y):
    logits = model.forward(X)
    loss = helpers.softmax_cross_entropy(logits, y)
    return loss, float(np.mean(logits.argmax(axis=1) == y))
''', 'loss_tuple'),
        ("sum of the losses instead of the mean", '''\
def evaluate(model, X, y):
    logits = model.forward(X)
    loss, _ = helpers.softmax_cross_entropy(logits, y)
    return loss * len(X), float(np.mean(logits.argmax(axis=1) == y))
''', 'factor_N'),
        ("accuracy as a percentage", '''\
def evaluate(model, X, y):
    logits = model.forward(X)
    loss, _ = helpers.softmax_cross_entropy(logits, y)
    return loss, 100 * float(np.mean(logits.argmax(axis=1) == y))
''', 'percent'),
    ],
    "confusion_matrix": [
        ("transposed (rows = predicted class)", '''\
def confusion_matrix(y_true, y_pred, num_classes):
    M = np.zeros((num_classes, num_classes), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        M[p, t] += 1
    return M
''', 'transpose'),
        ("fancy-index += does not count repeated pairs", '''\
def confusion_matrix(y_true, y_pred, num_classes):
    M = np.zeros((num_classes, num_classes), dtype=np.int64)
    M[y_true, y_pred] += 1
    return M
''', 'repeated_pairs'),
        ("size from the largest label instead of num_classes", '''\
def confusion_matrix(y_true, y_pred, num_classes):
    c = int(max(np.max(y_true), np.max(y_pred))) + 1
    M = np.zeros((c, c), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        M[t, p] += 1
    return M
''', 'num_classes'),
        ("normalises each row to fractions", '''\
def confusion_matrix(y_true, y_pred, num_classes):
    M = np.zeros((num_classes, num_classes))
    for t, p in zip(y_true, y_pred):
        M[t, p] += 1
    return M / np.maximum(M.sum(axis=1, keepdims=True), 1)
''', 'fractions'),
    ],
    "build_and_train": [
        ("forgets to train", '''\
def build_and_train(X_train, y_train, X_val, y_val):
    model = MLP([64, 64, 10], seed=0)
    return model
''', 'low_accuracy'),
        ("learning rate far too small", '''\
def build_and_train(X_train, y_train, X_val, y_val):
    model = MLP([64, 64, 10], seed=0)
    train(model, X_train, y_train, lr=1e-4, batch_size=32, epochs=5, seed=0)
    return model
''', 'low_accuracy'),
        ("learning rate far too large", '''\
def build_and_train(X_train, y_train, X_val, y_val):
    model = MLP([64, 64, 10], seed=0)
    train(model, X_train, y_train, lr=50.0, batch_size=32, epochs=10, seed=0)
    return model
''', 'low_accuracy'),
        ("a single full-batch update", '''\
def build_and_train(X_train, y_train, X_val, y_val):
    model = MLP([64, 64, 10], seed=0)
    train(model, X_train, y_train, lr=0.1, batch_size=len(X_train), epochs=1, seed=0)
    return model
''', 'low_accuracy'),
        ("returns the History instead of the model", '''\
def build_and_train(X_train, y_train, X_val, y_val):
    model = MLP([64, 64, 10], seed=0)
    return train(model, X_train, y_train, lr=0.2, batch_size=32, epochs=15, seed=0)
''', 'not_a_model'),
    ],
}

# Mistakes real students made, found in public Q&A threads and blog posts (source in the comment above each),
# adapted to this lesson's signatures without fixing the bug; each names the diagnosis it must receive.
WRONG_PUBLIC = {
    "evaluate": [
        # source: https://venkat-rajgopal.github.io/machine-learning/a-moment-to-understand-argmax()
        ("np.argmax(logits) without axis (one index of the flattened array)", '''\
def evaluate(model, X, y):
    logits = model.forward(X)
    loss, _ = helpers.softmax_cross_entropy(logits, y)
    return float(loss), float(np.mean(np.argmax(logits) == y))
''', "argmax_no_axis"),
    ],
    "confusion_matrix": [
        # source: https://utyatnishna.ru/info/222092/how-to-write-a-confusion-matrix-in-python (conf_arr = [[0, 0], [0, 0]])
        ("a hard-coded 2 x 2 matrix (works for two classes only)", '''\
def confusion_matrix(y_true, y_pred, num_classes):
    conf_arr = [[0, 0], [0, 0]]
    for t, p in zip(y_true, y_pred):
        conf_arr[int(t)][int(p)] += 1
    return np.array(conf_arr)
''', "num_classes"),
        # source: https://0809zheng.github.io/2020/09/11/bincount.html (np.bincount counts only up to the largest value)
        ("np.bincount(C * y_true + y_pred) without minlength", '''\
def confusion_matrix(y_true, y_pred, num_classes):
    return np.bincount(num_classes * np.asarray(y_true) + np.asarray(y_pred)).reshape(num_classes, num_classes)
''', "reshape"),
        # source: https://prof.lexailabs.com/practice/confusion-matrix ("infer it as one more than the largest label")
        ("infers the size from the labels, ignoring num_classes", '''\
def confusion_matrix(y_true, y_pred, num_classes):
    C = int(max(np.max(y_true), np.max(y_pred))) + 1
    M = np.zeros((C, C), dtype=np.int64)
    np.add.at(M, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return M
''', "num_classes"),
    ],
}
