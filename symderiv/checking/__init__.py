"""The pieces of the hand-derivation checker (``symderiv.checker`` wires them).

Reading a document:
  rows.py         a document -> equations, with the conditions in force for each
  notes.py        justifications written beside a step, removed as layout
  assumptions.py  hypotheses a post states once and keeps ("Let λ > 0")
  reading.py      an equation -> a chain of terms (expressions, limits, labels)
  primes.py       f'(x) = ... after a definition of f: a claim about its derivative
  variable.py     which name the derivation differentiates with respect to
  redefine.py     a post's own line taking over σ, J or I
  world.py        what earlier lines defined, and how a term reads in their light
  chains.py       what the whole post's chains say about its names: defined further down,
                  varying, used plainly, quantities; d before a sum as a number
Deciding a step:
  nodes.py        syntax terms -> engine nodes (through the engine's shape inference,
                  shapes.py), differentials -> directional derivatives
  reals.py        real roots and logarithms: the formulas are about real numbers
  sample.py       exact random points, kink points, and counterexamples
  identity.py     a difference that is 0 as a polynomial, tested at random integers
  decide.py       is lhs = rhs: symbolically first, then on sampled points
  limits.py       one-variable limits with one-sided approaches
  conventions.py  H(0) and sign(0): a step stating another value is a convention
Saying it:
  explain.py      the sentence of each verdict, its condition and counterexample records
"""
