"""The spam classifier behind a small interface; the only package that imports scikit-learn.

Importing the package registers the reason texts only; scikit-learn is imported by the modules
that train, load and score (``store``, ``model``, ``training``).
"""

from commentsvc.spam import reason_texts  # noqa: F401  (registers the reason codes)
