"""Why the segments are what they are: readable rules, how separable they are, why a user is where.

- `segkit.explain.rules.segment_rules(run)`: per segment, short rules with coverage and precision;
- `segkit.explain.separability.segment_separability(run)`: cross-validated classifiers, per-segment
  precision / recall / F1, confusion matrix, "hard to tell from" flags;
- `segkit.explain.why`: a user's nearest segments with distances and what pulls them to theirs.
"""
