"""Training and cross-validated evaluation of the local models (needs the ``train`` extra: scikit-learn).

The product never imports this package at run time; ``python -m core train``
and ``python -m core eval`` do.
"""
