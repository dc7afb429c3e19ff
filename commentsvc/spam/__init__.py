"""The spam classifier behind a small interface; the only package that imports scikit-learn."""
