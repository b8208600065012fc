"""Judging a generator: the MNIST classifier's scores (conditional accuracy, Fréchet distance),
diversity (precision, recall, per-digit Fréchet distance), and the report of the evaluation step."""
