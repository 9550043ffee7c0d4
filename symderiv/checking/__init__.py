"""The pieces of the hand-derivation checker (``symderiv.checker`` wires them).

  rows.py       a document -> equations, with the conditions in force for each
  reading.py    an equation -> a chain of terms (expressions, limits, labels)
  world.py      what earlier lines defined, and how a term reads in their light
  nodes.py      syntax terms -> engine nodes, differentials -> directional derivatives
  sample.py     exact random points, kink points, and counterexamples
  decide.py     is lhs = rhs: symbolically first, then on sampled points
  limits.py     one-variable limits with one-sided approaches
  explain.py    the sentence of each verdict, its condition and counterexample records
"""
