"""Tables of names shared by the reader (the token stage, tokens.py) and the builder
(its guess of which letters are vectors, vector_letters.py).

A name the grammar reads as one letter is also a name the builder has to type: both
sides must agree on the same list, so it lives here, below both, and the builder need
not import the parser for it.
"""

# The Greek letters (and \ell) the grammar reads as a single name.
GREEK_NAMES = set("""alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa
    lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma
    Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell""".split())

# The Greek letters as the text output prints them (render/notation.py), read back as their
# names: λ is \lambda.  ε and φ print both spellings of their letter; they read back as the
# plain one (\epsilon, \phi), the same letter to the reader.
GREEK_UNICODE = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi",
    "Π": "Pi", "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
