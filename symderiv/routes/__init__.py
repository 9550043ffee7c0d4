"""The two derivations of the gradient: the sign identity and the direct case split."""
