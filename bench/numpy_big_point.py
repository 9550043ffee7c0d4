"""The job `big_point` in bench/run.py measures symderiv against, done with NumPy alone:
load the point, the value and gradient of ||max(X, 0)||_F^2 there, count the entries on
the kink (x = 0), write the JSON (value, gradient, the Clarke set {gradient}, the count)."""
import json
import sys

import numpy as np

X = np.load(sys.argv[1])
P = np.maximum(X, 0)
value = int((P * P).sum()) if X.dtype.kind in "iu" else float((P * P).sum())
G = (2 * P).tolist()
on_kink = int((X == 0).sum())
with open(sys.argv[2], "w") as fh:
    json.dump({"value": value, "gradient": G, "subdifferential": {"form": "point", "value": G},
               "on_kink": on_kink}, fh)
