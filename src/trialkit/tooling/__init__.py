"""Book and build tooling, beside the package (nothing in the engine, the laboratories or the charts
imports it): ``build`` (strict build, ``python -m trialkit.tooling.build``), ``sphinxext`` (the Sphinx
extension: self-hosted Vega bundle, static assets in ``static/``), ``browser`` (headless chromium
helpers for the tests) and ``bench`` (``python -m trialkit.tooling.bench``)."""
