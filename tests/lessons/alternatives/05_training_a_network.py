"""Correct but unusual answers for lesson 05: each must score full marks, visibly and at grading."""

ALTERNATIVES = {
    "accuracy": [
        # source: https://www.jianshu.com/p/3649fef6bceb (flat_accuracy: np.sum(pred == labels) / len(labels))
        ("np.sum(pred == labels) / len(labels)", '''def accuracy(y_pred, y_true):
    return np.sum(np.asarray(y_pred) == np.asarray(y_true)) / len(y_true)
'''),
    ],
    "evaluate": [
        ("helpers.accuracy on the argmax", '''def evaluate(model, X, y):
    logits = model.forward(X)
    return helpers.softmax_cross_entropy(logits, y)[0], helpers.accuracy(np.argmax(logits, axis=1), y)
'''),
    ],
    "confusion_matrix": [
        # source: https://0809zheng.github.io/2020/09/11/bincount.html (confusion matrix with np.bincount)
        ("np.bincount(C * y_true + y_pred, minlength=C * C)", '''def confusion_matrix(y_true, y_pred, num_classes):
    idx = num_classes * np.asarray(y_true) + np.asarray(y_pred)
    return np.bincount(idx, minlength=num_classes ** 2).reshape(num_classes, num_classes)
'''),
        # source: https://it.cha138.com/wen1/show-6584973.html (m = [[0] * n_classes for i in range(n_classes)])
        ("a list of lists counted in a loop", '''def confusion_matrix(y_true, y_pred, num_classes):
    m = [[0] * num_classes for _ in range(num_classes)]
    for t, p in zip(y_true, y_pred):
        m[int(t)][int(p)] += 1
    return np.array(m)
'''),
    ],
}
